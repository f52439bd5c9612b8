import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // expect.poll waits for a page's script (the 404 resolver, redirects); on a loaded 2-core runner 1 s was sometimes too short.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: keep parallelism modest so real servers, git repos and Chromium are not starved.
    maxWorkers: 2,
    // The reliability figures table (issue 8) and a plain closing count line follow Vitest's own summary.
    reporters: ['default', './tests/reliability/figures-reporter.ts', './tests/helpers/summary-reporter.ts'],
  },
});
