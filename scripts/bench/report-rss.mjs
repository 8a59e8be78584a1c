// Preloaded into a measured Node process: reports its peak RSS (KiB) on fd 3 as it exits.
import { writeSync } from 'node:fs'

process.on('exit', () => writeSync(3, `${process.resourceUsage().maxRSS}\n`))
