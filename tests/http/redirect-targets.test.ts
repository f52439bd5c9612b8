/**
 * Where a version endpoint may redirect (collectors/http/redirect.ts), against
 * a real server on 127.0.0.1 that answers with the redirect. A refused target
 * is refused before any connection: the only request fetch ever makes is the
 * first one, to the local server, and a name is only looked up, never fetched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectHttp } from '../../collectors/http/source.ts';
import type { ConfigInput, HttpSourceConfig, SourceContext } from '../../src/model/index.ts';
import { redirectRefusal } from '../../collectors/http/index.ts';
import { json, redirect, startHttpServer } from '../helpers/http-server.ts';
import type { TestServer } from '../helpers/http-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

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

function config(url: string, runtime: Record<string, unknown> = {}): ConfigInput {
  return {
    name: 'Acme',
    environments: [{ name: 'prod', production: true }],
    sources: { runtime: { type: 'http', ...runtime } as never },
    services: [{ name: 'api', sources: ['runtime'], versionUrl: { prod: url } }],
  };
}

/** Asks `url` once with a fetch and a DNS lookup that record every call. */
async function ask(url: string, options: { runtime?: Record<string, unknown>; env?: Record<string, string>; resolve?: Record<string, string> } = {}) {
  const fetched: string[] = [];
  const looked: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    fetched.push(String(input));
    return globalThis.fetch(input, init);
  };
  const lookup: SourceContext['lookup'] = async (host) => {
    looked.push(host);
    const address = options.resolve?.[host];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  const context = sourceContext<HttpSourceConfig>(config(url, options.runtime), 'runtime', { env: options.env ?? {}, fetch, lookup });
  const evidence = await collectHttp(context);
  return { evidence, fetched, looked };
}

const METADATA_TARGETS: [string, RegExp][] = [
  ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /link-local or metadata address 169\.254\.169\.254 refused/],
  ['http://169.254.7.1:8080/v', /address 169\.254\.7\.1 refused/],
  ['http://2852039166/computeMetadata/v1/', /address 169\.254\.169\.254 refused/],
  ['http://0xa9.0xfe.0xa9.0xfe/', /address 169\.254\.169\.254 refused/],
  ['http://[::ffff:169.254.169.254]/latest/', /address ::ffff:a9fe:a9fe refused/],
  ['http://[64:ff9b::169.254.169.254]/latest/', /address 64:ff9b::a9fe:a9fe refused/],
  ['http://[::169.254.169.254]/latest/', /address ::a9fe:a9fe refused/],
  ['http://[fe80::1]/v', /address fe80::1 refused/],
  ['http://[febf:ffff::1]/v', /address febf:ffff::1 refused/],
  ['http://[fd00:ec2::254]/latest/meta-data/', /address fd00:ec2::254 refused/],
  ['http://100.100.100.200/latest/meta-data/', /address 100\.100\.100\.200 refused/],
  ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata host metadata\.google\.internal refused/],
  ['http://METADATA.Google.Internal./computeMetadata/v1/', /cloud metadata host metadata\.google\.internal refused/],
  ['http://metadata/computeMetadata/v1/', /cloud metadata host metadata refused/],
  ['ftp://127.0.0.1/v', /redirect to a ftp: URL refused/],
  ['file:///etc/passwd', /redirect to a file: URL refused/],
  ['data:application/json,{"version":"6.6.6"}', /redirect to a data: URL refused/],
];

describe('http source: where a redirect may lead', () => {
  it.each(METADATA_TARGETS)('refuses %s without connecting to it', async (target, reason) => {
    const server = await serve({ '/v': redirect(target, 302) });
    const { evidence, fetched, looked } = await ask(server.url('/v'), { runtime: { headersEnv: { Authorization: 'TOKEN' } }, env: { TOKEN: 'Bearer s3cret' } });
    expect(evidence.observed).toEqual([]);
    expect(evidence.gaps.map((g) => g.reason.replace(server.origin, 'S'))).toEqual([expect.stringMatching(reason)]);
    expect(evidence.gaps[0]!.reason).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v: redirect/);
    // Only the first request was ever made, and no refused name was looked up.
    expect(fetched).toEqual([server.url('/v')]);
    expect(looked).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a name that resolves to a link-local address, after looking it up and before connecting', async () => {
    const server = await serve({ '/v': redirect('http://rebind.example.test:8080/latest/meta-data/', 301) });
    const { evidence, fetched, looked } = await ask(server.url('/v'), { resolve: { 'rebind.example.test': '169.254.169.254' } });
    expect(evidence.gaps.map((g) => g.reason.replace(server.origin, 'S'))).toEqual([
      'GET S/v: redirect to rebind.example.test, which resolves to the link-local or metadata address 169.254.169.254, refused',
    ]);
    expect(looked).toEqual(['rebind.example.test']);
    expect(fetched).toEqual([server.url('/v')]);
  });

  it('still follows a redirect to an ordinary address or name', async () => {
    const target = await serve({ '/v2': json({ version: '1.2.3' }) });
    const server = await serve({ '/v': redirect(target.url('/v2').replace('127.0.0.1', 'localhost'), 302) });
    const { evidence, fetched, looked } = await ask(server.url('/v'), { resolve: { localhost: '127.0.0.1' } });
    expect(evidence.gaps).toEqual([]);
    expect(evidence.observed.map((o) => o.version)).toEqual(['1.2.3']);
    expect(looked).toEqual(['localhost']);
    expect(fetched).toHaveLength(2);
  });

  it('never sends configured headers or userinfo credentials to another origin', async () => {
    const other = await serve({ '/v': json({ version: '1.0.0' }) });
    const first = await serve({ '/v': redirect(other.url('/v')), '/u': redirect(other.url('/v')) });
    await ask(first.url('/v'), { runtime: { headersEnv: { Authorization: 'TOKEN', 'X-Api-Key': 'KEY' } }, env: { TOKEN: 'Bearer s3cret', KEY: 'k-123' } });
    await ask(first.url('/u').replace('http://', 'http://user:pw@'));
    expect(first.requests.map((r) => [r.headers.authorization, r.headers['x-api-key']])).toEqual([
      ['Bearer s3cret', 'k-123'],
      [`Basic ${Buffer.from('user:pw').toString('base64')}`, undefined],
    ]);
    expect(other.requests.map((r) => [r.headers.authorization, r.headers['x-api-key']])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it('decides from the two URLs alone (the pure rule)', () => {
    const from = new URL('https://status.example.com/v');
    expect(redirectRefusal(from, new URL('http://status.example.com/v'))).toBe('redirect from https to http://status.example.com/v refused');
    expect(redirectRefusal(from, new URL('https://status.example.com/v2?x=1'))).toBeUndefined();
    expect(redirectRefusal(from, new URL('https://[fe80::abcd]/'))).toMatch(/fe80::abcd refused/);
    expect(redirectRefusal(from, new URL('https://169.254.169.254.example.com/'))).toBeUndefined();
    expect(redirectRefusal(from, new URL('https://[fec0::1]/'))).toBeUndefined();
  });
});
