import { defineConfig } from 'vitest/config';

/** Checks over the demo site CI has just built (`.ci/run`, after `npm run demo`); `npm test` builds none. */
export default defineConfig({
  test: {
    include: ['tests/demo-site/**/*.check.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
