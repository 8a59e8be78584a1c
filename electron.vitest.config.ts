import { defineConfig } from 'vitest/config'

// Unit tests are pure logic; integration tests drive real engines (Docker, QEMU, Wasm), so they
// get long timeouts, a state dir per file, and run one file at a time: on 2 cores, two files
// booting VMs and timing cold starts at once would measure each other.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/per-file-home.ts'],
        },
      },
    ],
  },
})
