/**
 * The GitHub-compatible server now lives beside the demo that runs it
 * (`examples/servers/github-server.ts`); the tests and benchmarks keep
 * importing it from here.
 */
export * from '../../examples/servers/github-server.ts';
