/**
 * Every regular expression that redaction uses is checked with recheck
 * (https://makenowjust-labs.github.io/recheck/), a ReDoS checker: each must be
 * `safe` (no super-linear backtracking). A control proves the checker works
 * here: the URL pattern that made a 1,000,000-character value hang (issue 17)
 * is reported vulnerable.
 *
 * Backend: recheck's default (`auto`) runs the native binary from its
 * optional dependency `recheck-linux-x64` (about 20 s for these patterns on
 * 2 cores); `RECHECK_BACKEND=pure` forces its Scala.js build, about 3.5×
 * slower, which is why each check gets a generous time limit.
 */
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { URL_PATTERNS } from '../../src/model/redact-url.ts';
import { DETECTION_PATTERNS } from '../../src/model/secret-detect.ts';

const params = { timeout: 60_000 };

describe('redaction patterns are linear', () => {
  it('recheck reports every detection and URL pattern safe', { timeout: 600_000 }, async () => {
    const verdicts = [];
    for (const pattern of [...DETECTION_PATTERNS, ...URL_PATTERNS]) {
      const diagnostics = await check(pattern.source, pattern.flags, params);
      verdicts.push({ pattern: String(pattern), status: diagnostics.status });
    }
    expect(verdicts.length).toBeGreaterThanOrEqual(15); // the token patterns, key runs, placeholders, name and DSN scans
    expect(verdicts.filter((v) => v.status !== 'safe')).toEqual([]);
  });

  it('control: the old URL-with-password pattern is reported vulnerable', { timeout: 120_000 }, async () => {
    const old = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]+)@/i;
    const diagnostics = await check(old.source, old.flags, params);
    expect(diagnostics.status).toBe('vulnerable');
  });
});
