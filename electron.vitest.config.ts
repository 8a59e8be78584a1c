import { defineConfig } from 'vitest/config'

// Unit tests are pure logic; integration tests drive real engines (Docker, QEMU, Wasm), so
// they get long timeouts and only two files at a time on these 2-core machines.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
})
