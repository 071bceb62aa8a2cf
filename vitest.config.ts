import { defineConfig } from 'vitest/config';

// The log scan reads what every other test file logged, so it runs alone, after them all: a
// project of its own in a later group (groups run one after another, lowest first).
const LOG_SCAN = 'test/isolation/log-scan.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [LOG_SCAN],
          globalSetup: ['test/support/global-setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'log-scan', include: [LOG_SCAN], globalSetup: ['test/support/log-scan-setup.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
