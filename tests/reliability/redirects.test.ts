/**
 * Case 17.10 — a version endpoint's redirect never leads to a link-local
 * address or a cloud metadata service, nor to another scheme. Generated
 * redirect targets in every spelling the WHATWG URL parser accepts (dotted,
 * decimal, hex and octal IPv4; IPv4 inside IPv6 (mapped, NAT64, compatible); fe80::/10;
 * upper case and trailing-dot metadata names; names that resolve to such an
 * address) are served as `Location` by a real server on 127.0.0.1. Each must
 * be a gap naming the refusal, with no request ever made to it: the recording
 * fetch sees only the first request of each service. Ordinary targets mixed
 * in are still followed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectHttp } from '../../collectors/http/source.ts';
import type { HttpSourceConfig } from '../../src/model/index.ts';
import { json, redirect, startHttpServer } from '../helpers/http-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';
import { recordFigure, SEED } from './world.ts';

const RUNS = 400;
const byte = fc.integer({ min: 0, max: 255 });
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const linkLocalV4 = fc.tuple(byte, byte, fc.constantFrom('dotted', 'decimal', 'hex', 'octal', 'mapped', 'nat64', 'compatible')).map(([a, b, form]) => {
  switch (form) {
    case 'dotted':
      return `169.254.${a}.${b}`;
    case 'decimal':
      return String(((169 << 24) | (254 << 16) | (a << 8) | b) >>> 0);
    case 'hex':
      return `0xa9.0xfe.0x${a.toString(16)}.0x${b.toString(16)}`;
    case 'octal':
      return `0251.0376.0${a.toString(8)}.${b}`;
    case 'nat64':
      return `[64:ff9b::169.254.${a}.${b}]`;
    case 'compatible':
      return `[::169.254.${a}.${b}]`;
    default:
      return `[::ffff:169.254.${a}.${b}]`;
  }
});
const linkLocalV6 = fc
  .tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.array(hex16, { minLength: 7, maxLength: 7 }), fc.boolean())
  .map(([first, rest, upper]) => {
    const text = `[${first.toString(16)}:${rest.join(':')}]`;
    return upper ? text.toUpperCase() : text;
  });
const metadataHost = fc
  .tuple(fc.constantFrom('metadata.google.internal', 'metadata', '[fd00:ec2::254]', '[fd00:ec2:0:0:0:0:0:254]', '100.100.100.200'), fc.boolean(), fc.nat(2))
  .map(([name, upper, dots]) => (upper ? name.toUpperCase() : name) + (name.startsWith('[') ? '' : '.'.repeat(dots)));
const forbiddenHost = fc.oneof(linkLocalV4, linkLocalV6, metadataHost, fc.constant('rebind'));
const path = fc.constantFrom('/latest/meta-data/iam/security-credentials/', '/computeMetadata/v1/?recursive=true', '/metadata/instance?api-version=2021-02-01', '/v');
const otherScheme = fc.constantFrom('ftp://127.0.0.1/v', 'file:///etc/passwd', 'gopher://127.0.0.1:70/', 'data:text/plain,6.6.6', 'javascript:alert(1)', 'ws://127.0.0.1/v');

describe('redirects from version endpoints', () => {
  it('never lead to link-local, metadata or another scheme; nothing is connected to', async ({ task }) => {
    const target = await startHttpServer({ '/v': json({ version: '1.0.0' }) });
    const cases = fc.sample(
      fc.oneof(
        { weight: 8, arbitrary: fc.tuple(forbiddenHost, port, path).map(([host, p, rest]) => ({ kind: 'forbidden' as const, host, location: `http://${host === 'rebind' ? 'rebind.example.test' : host}${p ? `:${p}` : ''}${rest}` })) },
        { weight: 1, arbitrary: otherScheme.map((location) => ({ kind: 'scheme' as const, host: '', location })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'ordinary' as const, host: '', location: target.url('/v') }) },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    const rebindTo = fc.sample(fc.oneof(linkLocalV4.filter((h) => /^169\.254\./.test(h)), fc.constant('fe80::1'), fc.constant('fd00:ec2::254')), { seed: SEED, numRuns: 1 })[0]!;
    const server = await startHttpServer(Object.fromEntries(cases.map((c, i) => [`/r/${i}`, redirect(c.location, 302)])));
    const fetched: string[] = [];
    try {
      const context = sourceContext<HttpSourceConfig>(
        {
          name: 'Acme',
          environments: [{ name: 'prod', production: true }],
          sources: { runtime: { type: 'http', concurrency: 8, timeoutMs: 5000 } as never },
          services: cases.map((_, i) => ({ name: `svc-${i}`, sources: ['runtime'], versionUrl: { prod: server.url(`/r/${i}`) } })),
        },
        'runtime',
        {
          fetch: (input, init) => {
            fetched.push(String(input));
            return globalThis.fetch(input, init);
          },
          lookup: async (host) => (host === 'rebind.example.test' ? [{ address: rebindTo, family: rebindTo.includes(':') ? 6 : 4 }] : [{ address: '127.0.0.1', family: 4 }]),
        },
      );
      const evidence = await collectHttp(context);
      const gapOf = new Map(evidence.gaps.map((g) => [g.service, g.reason]));
      const observed = new Set(evidence.observed.map((o) => o.service));
      const problems: string[] = [];
      let refused = 0;
      let followed = 0;
      cases.forEach((c, i) => {
        const reason = gapOf.get(`svc-${i}`);
        if (c.kind === 'ordinary') {
          if (observed.has(`svc-${i}`)) followed++;
          else problems.push(`${c.location}: not followed (${reason})`);
        } else if (reason && /refused$/.test(reason)) refused++;
        else problems.push(`${c.location}: ${reason ?? 'followed'}`);
      });
      const strayRequests = fetched.filter((url) => !url.startsWith(server.origin) && !url.startsWith(target.origin));
      const blocked = cases.length - cases.filter((c) => c.kind === 'ordinary').length;
      recordFigure(task, {
        case: '17.10 redirects to link-local/metadata/other schemes',
        runs: cases.length,
        result: `${refused}/${blocked} refused, ${strayRequests.length} requests to them; ${followed} ordinary redirects followed`,
        target: 'all refused before connecting; ordinary ones followed',
        pass: refused === blocked && strayRequests.length === 0 && problems.length === 0,
        detail: `IPv4 dotted/decimal/hex/octal/mapped/NAT64/compatible, fe80::/10, metadata names, names resolving to ${rebindTo}, ${fetched.length} fetches in all`,
      });
      expect(problems.slice(0, 10)).toEqual([]);
      expect(strayRequests).toEqual([]);
      expect(followed).toBeGreaterThan(0);
    } finally {
      await server.close();
      await target.close();
    }
  }, 60_000);
});
