import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI and the test workers built once, so the hundreds of child processes the tests start start fast.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real child processes; two cores are all CI has.
    maxWorkers: 2,
  },
});
