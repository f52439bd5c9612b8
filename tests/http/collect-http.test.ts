/**
 * The http source against real servers on 127.0.0.1: every endpoint shape,
 * and every failure becoming a gap for exactly that service and environment.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { collectHttp } from '../../collectors/http/source.ts';
import type { ConfigInput, HttpSourceConfig } from '../../src/model/index.ts';
import { snapshotSchema } from '../../src/model/index.ts';
import { delayed, hang, json, raw, redirect, refusedUrl, reset, resetMidBody, startHttpServer, status, text } from '../helpers/http-server.ts';
import type { TestServer } from '../helpers/http-server.ts';
import { NOW, sourceContext } from '../helpers/runtime-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/http/${name}`, import.meta.url), 'utf8');

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(...args: Parameters<typeof startHttpServer>) {
  const server = await startHttpServer(...args);
  servers.push(server);
  return server;
}

function config(runtime: Record<string, unknown>, services: { name: string; versionUrl: Record<string, string> }[]): ConfigInput {
  return {
    name: 'Acme',
    environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod', production: true }],
    // Settings are checked by the real schema in sourceContext; `never` only silences the literal's type here.
    sources: { runtime: { type: 'http', ...runtime } as never },
    services: services.map((s) => ({ ...s, sources: ['runtime'] })),
  };
}

/** One service, one environment (prod), one URL. */
async function askOne(url: string, runtime: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const context = sourceContext<HttpSourceConfig>(config(runtime, [{ name: 'api', versionUrl: { prod: url } }]), 'runtime', { env });
  return collectHttp(context);
}

describe('collectHttp: endpoint shapes', () => {
  it('observes every shape, per environment, with the source name of the environment substituted', async () => {
    const server = await serve({
      '/dev/payments/version': json({ version: '2.5.0-rc.1', commit: '1111111aaaaaaa' }),
      '/staging/payments/version': json({ version: '2.4.1', sha: '9f86d08' }),
      '/production/payments/version': text('2.4.0\n'),
      '/dev/actuator/info': raw(fixture('actuator-info-full.json'), { contentType: 'application/vnd.spring-boot.actuator.v3+json' }),
      '/staging/actuator/info': json(JSON.parse(fixture('actuator-info-simple.json'))),
    });
    const progress: string[] = [];
    const context = sourceContext<HttpSourceConfig>(
      {
        ...config({ environments: { prod: 'production' } }, [
          { name: 'payments-api', versionUrl: { '*': server.url('/{environment}/payments/version') } },
          { name: 'ledger-api', versionUrl: { dev: server.url('/dev/actuator/info'), staging: server.url('/staging/actuator/info') } },
        ]),
      },
      'runtime',
      { progress },
    );
    const evidence = await collectHttp(context);
    expect(evidence.gaps).toEqual([]);
    expect(evidence.observed).toEqual([
      { service: 'ledger-api', environment: 'dev', version: '2.4.1', commit: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', at: NOW.toISOString(), source: 'runtime', url: server.url('/dev/actuator/info') },
      { service: 'ledger-api', environment: 'staging', version: '1.8.0-rc.2', commit: '4e07408', at: NOW.toISOString(), source: 'runtime', url: server.url('/staging/actuator/info') },
      { service: 'payments-api', environment: 'dev', version: '2.5.0-rc.1', commit: '1111111aaaaaaa', at: NOW.toISOString(), source: 'runtime', url: server.url('/dev/payments/version') },
      { service: 'payments-api', environment: 'prod', version: '2.4.0', commit: null, at: NOW.toISOString(), source: 'runtime', url: server.url('/production/payments/version') },
      { service: 'payments-api', environment: 'staging', version: '2.4.1', commit: '9f86d08', at: NOW.toISOString(), source: 'runtime', url: server.url('/staging/payments/version') },
    ]);
    // What it writes is valid snapshot content.
    expect(() => snapshotSchema.shape.observed.parse(evidence.observed)).not.toThrow();
    expect(progress).toEqual(['runtime: 5 of 5 version endpoints answered, 0 gap(s)']);
  });

  it('reads custom shapes through versionPath and commitPath', async () => {
    const server = await serve({ '/meta': json({ app: { release: '9.9.9' }, scm: { head: 'ABCDEF0123' } }) });
    const evidence = await askOne(server.url('/meta'), { versionPath: 'app.release', commitPath: 'scm.head' });
    expect(evidence.observed.map((o) => [o.version, o.commit])).toEqual([['9.9.9', 'abcdef0123']]);
  });

  it('follows redirects up to maxRedirects and stores the configured URL without query or credentials', async () => {
    const server = await serve({ '/v': redirect('/v2', 301), '/v2': redirect('/v3', 307), '/v3': json({ version: '1.0.0' }) });
    const url = server.url('/v?token=abc').replace('http://', 'http://user:pw@');
    const evidence = await askOne(url, { maxRedirects: 2 });
    expect(evidence.observed).toMatchObject([{ version: '1.0.0', commit: null, url: server.url('/v') }]);
    expect(server.requests.map((r) => r.path)).toEqual(['/v?token=abc', '/v2', '/v3']);
    // Userinfo is sent as Basic auth (fetch refuses URLs with credentials), to the same origin only.
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Basic ${Buffer.from('user:pw').toString('base64')}`));
    expect(JSON.stringify(evidence)).not.toContain('pw');
  });

  it('asks at most `concurrency` endpoints at once', async () => {
    let inFlight = 0;
    let most = 0;
    const counted = (ms: number) => delayed(ms, (request, response) => {
      inFlight--;
      json({ version: '1.0.0' })(request, response);
    });
    const routes = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`/s${i}`, ((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      counted(100)(req, res);
    }) as Parameters<typeof startHttpServer>[0][string]]));
    const server = await serve(routes);
    const services = Array.from({ length: 8 }, (_, i) => ({ name: `svc-${i}`, versionUrl: { prod: server.url(`/s${i}`) } }));
    const evidence = await collectHttp(sourceContext<HttpSourceConfig>(config({ concurrency: 3 }, services), 'runtime'));
    expect(evidence.observed).toHaveLength(8);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });
});

describe('collectHttp: failures become gaps for exactly that service and environment', () => {
  it('turns each fault into a gap with its reason', async () => {
    const server = await serve({
      '/ok': json({ version: '1.2.3', commit: 'abcdef1' }),
      '/boom': status(500, 'oops'),
      '/reset': reset(),
      '/loop': redirect('/loop'),
      '/html': text('<!doctype html><title>Sign in</title>', { contentType: 'text/html; charset=utf-8' }),
      '/cut': resetMidBody('{"version":"1.2'),
      '/empty': json({ status: 'UP' }),
      '/nolocation': status(302),
    });
    // A complete response whose JSON is cut short.
    const truncated = raw('{"version":"1.2.3","com', { contentType: 'application/json' });
    const server2 = await serve({ '/truncated': truncated });
    const refused = await refusedUrl();
    const urls: Record<string, string> = {
      ok: server.url('/ok'),
      boom: server.url('/boom'),
      reset: server.url('/reset'),
      loop: server.url('/loop'),
      html: server.url('/html'),
      truncated: server2.url('/truncated'),
      cut: server.url('/cut'),
      empty: server.url('/empty'),
      nolocation: server.url('/nolocation'),
      refused,
      missing: server.url('/nothing-here'),
    };
    const services = Object.entries(urls).map(([name, url]) => ({ name, versionUrl: { staging: url } }));
    const evidence = await collectHttp(sourceContext<HttpSourceConfig>(config({ timeoutMs: 20_000, maxRedirects: 3 }, services), 'runtime'));
    expect(evidence.observed.map((o) => `${o.service}/${o.environment}`)).toEqual(['ok/staging']);
    const origin = (u: string) => u.replace(server.origin, 'S').replace(server2.origin, 'S2').replace(/127\.0\.0\.1:\d+/, 'REFUSED');
    expect(evidence.gaps.map((g) => `${g.service}/${g.environment} [${g.evidence}] ${origin(g.reason)}`)).toMatchInlineSnapshot(`
      [
        "boom/staging [observed] GET S/boom: HTTP 500 Internal Server Error",
        "cut/staging [observed] GET S/cut: connection reset while reading the body (UND_ERR_SOCKET)",
        "empty/staging [observed] GET S/empty: unparsable body (tried: Kubernetes /version; Prometheus buildinfo; {Version, Commit}; git.json; Spring Boot actuator info; {version, commit})",
        "html/staging [observed] GET S/html: wrong content type text/html (expected application/json or text/plain)",
        "loop/staging [observed] GET S/loop: too many redirects (more than 3)",
        "missing/staging [observed] GET S/nothing-here: HTTP 404 Not Found",
        "nolocation/staging [observed] GET S/nolocation: HTTP 302 redirect without a Location header",
        "refused/staging [observed] GET http://REFUSED/version: connection refused (ECONNREFUSED)",
        "reset/staging [observed] GET S/reset: connection reset (UND_ERR_SOCKET)",
        "truncated/staging [observed] GET S2/truncated: unparsable body (tried: JSON (not valid JSON))",
      ]
    `);
    expect(server.requests.filter((r) => r.path === '/loop')).toHaveLength(4);
  });

  it('gives up on a service that does not answer within timeoutMs', async () => {
    const server = await serve({ '/slow': hang(), '/late': delayed(10_000, json({ version: '1.0.0' })) });
    const services = [
      { name: 'slow', versionUrl: { prod: server.url('/slow') } },
      { name: 'late', versionUrl: { prod: server.url('/late') } },
    ];
    const evidence = await collectHttp(sourceContext<HttpSourceConfig>(config({ timeoutMs: 250 }, services), 'runtime'));
    expect(evidence.observed).toEqual([]);
    expect(evidence.gaps.map((g) => `${g.service}/${g.environment}: ${g.reason.replace(server.origin, 'S')}`)).toEqual([
      'late/prod: GET S/late: timeout after 250 ms',
      'slow/prod: GET S/slow: timeout after 250 ms',
    ]);
  });

  it('refuses a redirect from https to http', async () => {
    const tls = { key: fixture('self-signed-key.pem'), cert: fixture('self-signed-cert.pem') };
    const plain = await serve({ '/v': json({ version: '1.0.0' }) });
    const secure = await serve({ '/down': redirect(plain.url('/v')) }, { tls });
    const evidence = await askOne(secure.url('/down'), { insecureTls: true });
    expect(evidence.gaps.map((g) => g.reason.replace(secure.origin, 'S').replace(plain.origin, 'P'))).toEqual([
      'GET S/down: redirect from https to P/v refused',
    ]);
    expect(plain.requests).toEqual([]);
  });
});

describe('collectHttp: TLS', () => {
  const tls = () => ({ key: fixture('self-signed-key.pem'), cert: fixture('self-signed-cert.pem') });

  it('verifies certificates by default', async () => {
    const server = await serve({ '/version': json({ version: '3.0.0' }) }, { tls: tls() });
    const evidence = await askOne(server.url('/version'));
    expect(evidence.observed).toEqual([]);
    expect(evidence.gaps.map((g) => g.reason.replace(server.origin, 'S'))).toEqual([
      'GET S/version: TLS certificate not accepted (DEPTH_ZERO_SELF_SIGNED_CERT); fix the certificate chain, or set insecureTls for an internal CA',
    ]);
  });

  it('skips verification only with insecureTls, and still applies timeouts and faults', async () => {
    const server = await serve({ '/version': json({ version: '3.0.0', commit: 'cafebabe' }), '/slow': hang(), '/boom': status(503) }, { tls: tls() });
    const ok = await askOne(server.url('/version'), { insecureTls: true });
    expect(ok.observed.map((o) => [o.version, o.commit])).toEqual([['3.0.0', 'cafebabe']]);
    const slow = await askOne(server.url('/slow'), { insecureTls: true, timeoutMs: 200 });
    expect(slow.gaps.map((g) => g.reason.replace(server.origin, 'S'))).toEqual(['GET S/slow: timeout after 200 ms']);
    const boom = await askOne(server.url('/boom'), { insecureTls: true });
    expect(boom.gaps.map((g) => g.reason.replace(server.origin, 'S'))).toEqual(['GET S/boom: HTTP 503 Service Unavailable']);
  });
});

describe('collectHttp: headers from the environment', () => {
  const SECRET = 'Bearer tk_live_7f3a9c1e5b2d4f60';

  it('sends header values from env vars and never writes them into the evidence', async () => {
    const server = await serve({ '/version': json({ version: '2.0.0', commit: 'abcdef12' }), '/boom': status(401, SECRET) });
    const context = sourceContext<HttpSourceConfig>(
      config({ headersEnv: { Authorization: 'RUNTIME_TOKEN' } }, [
        { name: 'api', versionUrl: { prod: server.url('/version') } },
        { name: 'other', versionUrl: { prod: server.url('/boom') } },
      ]),
      'runtime',
      { env: { RUNTIME_TOKEN: SECRET } },
    );
    const progress: string[] = [];
    const evidence = await collectHttp({ ...context, progress: (m) => progress.push(m) });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([SECRET, SECRET]);
    expect(evidence.observed).toHaveLength(1);
    expect(evidence.gaps).toHaveLength(1);
    const written = JSON.stringify(evidence) + progress.join('\n');
    expect(written).not.toContain('tk_live');
  });

  it('does not send configured headers to another origin on redirect', async () => {
    const other = await serve({ '/v': json({ version: '1.0.0' }) });
    const first = await serve({ '/v': redirect(other.url('/v')) });
    const evidence = await askOne(first.url('/v'), { headersEnv: { 'X-Api-Key': 'KEY' } }, { KEY: 'k-123' });
    expect(evidence.observed).toHaveLength(1);
    expect(first.requests[0]?.headers['x-api-key']).toBe('k-123');
    expect(other.requests[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('turns a missing variable into a gap naming it, and asks nothing', async () => {
    const server = await serve({ '/version': json({ version: '2.0.0' }) });
    const evidence = await askOne(server.url('/version'), { headersEnv: { Authorization: 'RUNTIME_TOKEN' } });
    expect(server.requests).toEqual([]);
    expect(evidence.gaps.map((g) => [g.service, g.environment, g.evidence, g.reason.replace(server.origin, 'S')])).toEqual([
      ['api', 'prod', 'observed', 'header Authorization needs environment variable RUNTIME_TOKEN, which is not set (not asked: S/version)'],
    ]);
  });
});
