import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVersionBody, planHttpTargets, resolveHeaders, safeUrl } from '../../collectors/http/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/http/${name}`, import.meta.url), 'utf8');

describe('parseVersionBody', () => {
  it('reads the flat {version, commit} shape and its commit aliases', () => {
    expect(parseVersionBody('{"version":"2.4.1","commit":"9F86D08"}', 'application/json')).toEqual({
      ok: true,
      report: { version: '2.4.1', commit: '9f86d08', shape: 'flat' },
    });
    for (const key of ['sha', 'gitCommit', 'revision']) {
      const result = parseVersionBody(JSON.stringify({ version: '1.0.0', [key]: 'abcdef1234567' }), 'application/json; charset=utf-8');
      expect(result).toMatchObject({ ok: true, report: { commit: 'abcdef1234567' } });
    }
  });

  it('reads Spring Boot actuator info in full and simple git modes', () => {
    expect(parseVersionBody(fixture('actuator-info-full.json'), 'application/vnd.spring-boot.actuator.v3+json')).toEqual({
      ok: true,
      report: { version: '2.4.1', commit: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', shape: 'spring-boot' },
    });
    expect(parseVersionBody(fixture('actuator-info-simple.json'), 'application/json')).toEqual({
      ok: true,
      report: { version: '1.8.0-rc.2', commit: '4e07408', shape: 'spring-boot' },
    });
  });

  it('reads a plain text version from the first line only', () => {
    expect(parseVersionBody('v3.1.0\nbuilt by ci\n', 'text/plain')).toEqual({ ok: true, report: { version: 'v3.1.0', commit: null, shape: 'plain-text' } });
    expect(parseVersionBody('  2026.03.14  ', null)).toMatchObject({ ok: true, report: { version: '2026.03.14' } });
    expect(parseVersionBody('OK', 'text/plain')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "unparsable body (tried: plain text version, or version and commit (first line))",
      }
    `);
  });

  it('uses configured dotted paths, which win over the built-in shapes', () => {
    const body = JSON.stringify({ version: 'ignored', meta: { release: { tag: '5.0.0' }, scm: { rev: 'deadbeefcafe' } } });
    expect(parseVersionBody(body, 'application/json', { versionPath: 'meta.release.tag', commitPath: 'meta.scm.rev' })).toEqual({
      ok: true,
      report: { version: '5.0.0', commit: 'deadbeefcafe', shape: 'paths' },
    });
    // Only versionPath set: the commit still comes from a known shape.
    expect(parseVersionBody(JSON.stringify({ app: { v: '7.1' }, sha: '1234567' }), 'application/json', { versionPath: 'app.v' })).toEqual({
      ok: true,
      report: { version: '7.1', commit: '1234567', shape: 'paths' },
    });
    expect(parseVersionBody('{"a":1}', 'application/json', { versionPath: 'x.y', commitPath: 'x.z' })).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "unparsable body (tried: versionPath "x.y" and commitPath "x.z")",
      }
    `);
  });

  it('says which shapes were tried when nothing matches', () => {
    expect(parseVersionBody('{"status":"UP"}', 'application/json')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "unparsable body (tried: Kubernetes /version; Prometheus buildinfo; {Version, Commit}; git.json; Spring Boot actuator info; {version, commit})",
      }
    `);
    expect(parseVersionBody('{"version":"2.4', 'application/json')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "unparsable body (tried: JSON (not valid JSON))",
      }
    `);
  });

  it('refuses HTML and other content types', () => {
    expect(parseVersionBody('<html><body>Sign in</body></html>', 'text/html; charset=utf-8')).toMatchInlineSnapshot(`
      {
        "ok": false,
        "reason": "wrong content type text/html (expected application/json or text/plain)",
      }
    `);
  });

  it('ignores commit values that are not hex and version values with spaces', () => {
    expect(parseVersionBody('{"version":"not a version","commit":"main"}', 'application/json')).toMatchObject({ ok: false });
    expect(parseVersionBody('{"version":"1.0.0","commit":"main"}', 'application/json')).toMatchObject({ ok: true, report: { commit: null } });
  });
});

describe('planHttpTargets', () => {
  it('substitutes the source name of the environment and skips environments without a URL', () => {
    const plan = planHttpTargets({
      source: 'runtime',
      services: [
        { name: 'payments-api', versionUrl: { '*': 'https://{environment}.acme.example/payments/version', dev: 'http://localhost:8080/version' } },
        { name: 'ledger-api', versionUrl: { prod: 'https://user:pw@ledger.acme.example/info?token=abc#x' } },
        { name: 'batch', versionUrl: {} },
        { name: 'odd', versionUrl: { qa: 'ftp://odd.example/version' } },
      ],
      environments: ['dev', 'qa', 'prod'],
      environmentMap: { prod: 'production' },
    });
    expect(plan.targets.map((t) => [t.service, t.environment, t.url, t.safeUrl])).toEqual([
      ['payments-api', 'dev', 'http://localhost:8080/version', 'http://localhost:8080/version'],
      ['payments-api', 'qa', 'https://qa.acme.example/payments/version', 'https://qa.acme.example/payments/version'],
      ['payments-api', 'prod', 'https://production.acme.example/payments/version', 'https://production.acme.example/payments/version'],
      ['ledger-api', 'prod', 'https://user:pw@ledger.acme.example/info?token=abc#x', 'https://ledger.acme.example/info'],
    ]);
    expect(plan.gaps.map((g) => `${g.service}/${g.environment ?? '*'}: ${g.reason}`)).toMatchInlineSnapshot(`
      [
        "batch/*: service lists source "runtime" but has no versionUrl; add versionUrl: { "*": "https://…/version" }",
        "odd/qa: versionUrl uses ftp: (only http: and https: are asked): ftp://odd.example/version",
      ]
    `);
  });

  it('strips credentials, query and fragment from stored URLs', () => {
    expect(safeUrl('https://bob:hunter2@h.example:8443/v?access_token=x')).toBe('https://h.example:8443/v');
    expect(safeUrl('not a url')).toBe('(unparsable URL)');
  });
});

describe('resolveHeaders', () => {
  it('reads values from the environment and names missing variables without values', () => {
    expect(resolveHeaders({ Authorization: 'RUNTIME_AUTH', 'X-Api-Key': 'RUNTIME_KEY' }, { RUNTIME_AUTH: 'Bearer s3cr3t' })).toEqual({
      headers: { Authorization: 'Bearer s3cr3t' },
      problems: ['header X-Api-Key needs environment variable RUNTIME_KEY, which is not set'],
    });
    expect(resolveHeaders({ 'Bad Header': 'V' }, { V: 'x' }).problems).toEqual(['headersEnv has an invalid header name "Bad Header"']);
    expect(resolveHeaders({ 'X-A': 'V' }, { V: 'a\nb' }).problems).toEqual(['environment variable V (header X-A) contains a line break']);
  });
});
