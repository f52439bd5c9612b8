import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // Two cores: keep parallelism modest so real servers and git repos are not starved.
    maxWorkers: 2,
  },
});
