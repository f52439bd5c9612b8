/**
 * `build` without --debug: Astro's error log lines (which carry stacks) are
 * not printed, because the build throws the error again and the CLI prints it
 * as one line; warnings still reach the terminal as Astro prints them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import withoutErrors from '../../src/site/astro-log.mjs';

describe('the build log without --debug', () => {
  afterEach(() => vi.restoreAllMocks());

  it('drops error events with their stacks and keeps warnings', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const destination = (withoutErrors as (config?: object) => { write: (event: object) => void })();
    destination.write({ level: 'error', label: null, message: 'UsageError: no environment "qa"\n    at requireEnvironment (file:///x.mjs:1:1)', newLine: true });
    destination.write({ level: 'error', label: 'build', message: 'Caught error rendering /days/2026-03-14/compare/qa....prod/', newLine: true });
    destination.write({ level: 'warn', label: 'router', message: 'a route warning', newLine: true });
    expect(written.join('')).not.toMatch(/UsageError|Caught error|\n\s+at /);
    expect(written.join('')).toMatch(/a route warning/);
  });
});
