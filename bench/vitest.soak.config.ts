import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['bench/soak.test.ts'], testTimeout: 24 * 3_600_000 },
});
