import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Each test file gets its own state dir, and so its own owner label: no file can adopt or stop
// another's containers and VMs. (global-setup.ts removes the parent folder at the end.)
process.env.WORLDBENCH_HOME = mkdtempSync(join(process.env.WB_IT_ROOT ?? tmpdir(), 'file-'))
