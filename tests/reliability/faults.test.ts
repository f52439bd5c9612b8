/**
 * Case 3 — gaps never silent. The http source asks real version endpoints on
 * a local server; each run injects generated faults (5xx, timeouts,
 * connection resets, 403/429 rate limits, malformed and truncated JSON,
 * wrong content types, redirect loops) into some of them. Every run must
 * return (no crash, exit code 3), record exactly one gap per faulted
 * service+environment and no other, and be otherwise identical to a
 * fault-free run taken at the same time.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshot, snapshotIdFor } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { runCli } from '../helpers/cli.ts';
import { hang, json, raw, redirect, reset, resetMidBody, startHttpServer, status, text, type Endpoint, type TestServer } from '../helpers/http-server.ts';
import { baseInventory, commitOf, ENVIRONMENTS, recordFigure, SEED, useTempRoot, writeWorld } from './world.ts';

const FAULTS = 200;
const PER_RUN = 8;
const RUNS = FAULTS / PER_RUN;
const SERVICES = Array.from({ length: 8 }, (_, i) => `svc-${i}`);
const AT = '2026-03-14T02:00:00Z';
const tempRoot = useTempRoot('faults');

const FAULT_KINDS: Record<string, Endpoint> = {
  'HTTP 500': status(500, 'internal error'),
  'HTTP 502': status(502, 'bad gateway'),
  'HTTP 503': status(503, 'maintenance'),
  'HTTP 504': status(504, 'gateway timeout'),
  timeout: hang(),
  'connection reset': reset(),
  'reset mid-body': resetMidBody('{"version":"1.0'),
  '403 rate limit': raw('{"message":"API rate limit exceeded"}', { status: 403, contentType: 'application/json', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1999999999' } }),
  '429 rate limit': raw('{"message":"Too Many Requests"}', { status: 429, contentType: 'application/json', headers: { 'retry-after': '3600' } }),
  'malformed JSON': raw('{"version": "1.0.0", "commit": ', { contentType: 'application/json' }),
  'truncated JSON': raw('{"version":"1.0.0","com', { contentType: 'application/json' }),
  'HTML instead of JSON': text('<!doctype html><html><body><h1>Service Unavailable</h1></body></html>', { contentType: 'text/html; charset=utf-8' }),
  'binary body': raw('\u0000\u0001\u0002\u00ff\u00fe', { contentType: 'application/octet-stream' }),
  'JSON of another shape': json({ status: 'UP', checks: [] }),
  'empty body': raw('', { contentType: 'application/json' }),
  'redirect loop': redirect('/loop'),
};
const KIND_NAMES = Object.keys(FAULT_KINDS);

const runArb = fc.record({
  targets: fc.uniqueArray(fc.integer({ min: 0, max: SERVICES.length * ENVIRONMENTS.length - 1 }), { minLength: PER_RUN, maxLength: PER_RUN }),
  kinds: fc.array(fc.constantFrom(...KIND_NAMES), { minLength: PER_RUN, maxLength: PER_RUN }),
});

let server: TestServer | undefined;
afterAll(async () => server?.close());

const routes: Record<string, Endpoint> = {};
const target = (i: number) => ({ service: SERVICES[i % SERVICES.length]!, environment: ENVIRONMENTS[Math.floor(i / SERVICES.length)]! });
const good = (service: string) => json({ version: '1.0.0', commit: commitOf(`${service}-1.0.0`) });
function resetRoutes() {
  for (const key of Object.keys(routes)) delete routes[key];
  for (const service of SERVICES) for (const environment of ENVIRONMENTS) routes[`/${service}/${environment}`] = good(service);
  routes['/loop'] = redirect('/loop');
}

async function collectOnce(origin: string): Promise<{ code: number; stderr: string; snapshot: Snapshot; text: string }> {
  const root = await tempRoot();
  const configFile = await writeWorld(root, {
    services: SERVICES,
    inventory: baseInventory(SERVICES),
    sources: { runtime: { type: 'http', timeoutMs: 1500, concurrency: 8, maxRedirects: 2 } },
    // svc-0 carries credentials in its URL: they are sent as Basic auth and never stored.
    serviceExtra: (name) => ({
      sources: ['inventory', 'runtime'],
      versionUrl: { '*': `${name === 'svc-0' ? origin.replace('://', '://probe:S3cretPw-9431@') : origin}/${name}/{environment}` },
    }),
  });
  const run = await runCli(['collect', '--config', configFile, '--at', AT, '--quiet'], { cwd: root });
  const dir = path.join(root, 'content/snapshots');
  const id = snapshotIdFor(new Date(AT));
  return { code: run.code, stderr: run.stderr, snapshot: await readSnapshot(dir, id), text: await readFile(path.join(dir, `${id}.json`), 'utf8') };
}

/** The parts of a snapshot that do not depend on the http source. */
const unaffected = (s: Snapshot) => ({ deployments: s.deployments, configs: s.configs, branches: s.branches, changes: s.changes, declared: s.declared });
const key = (x: { service?: string | undefined; environment?: string | undefined }) => `${x.service}/${x.environment}`;

/** JSON paths of the strings in `value` that contain `needle`. */
function pathsOf(value: unknown, needle: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsOf(v, needle, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => pathsOf(v, needle, at ? `${at}.${k}` : k));
  return [];
}

describe('source faults', () => {
  it(`${FAULTS} injected http faults: no crash, one gap each for exactly what they affect, everything else complete`, async ({ task }) => {
    server = await startHttpServer(routes);
    resetRoutes();
    const baseline = await collectOnce(server.origin);
    expect(baseline.snapshot.gaps).toEqual([]);
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(baseline.snapshot.gaps).toEqual([]);
    expect(baseline.snapshot.observed).toHaveLength(SERVICES.length * ENVIRONMENTS.length);

    const plans = fc.sample(runArb, { seed: SEED, numRuns: RUNS });
    const problems: string[] = [];
    const perKind = new Map<string, number>();
    let leakRuns = 0;
    let crashes = 0;
    let exact = 0;
    let complete = 0;
    for (const [index, plan] of plans.entries()) {
      resetRoutes();
      const faulted = new Map<string, string>();
      plan.targets.forEach((t, i) => {
        const { service, environment } = target(t);
        const kind = plan.kinds[i]!;
        routes[`/${service}/${environment}`] = FAULT_KINDS[kind]!;
        faulted.set(`${service}/${environment}`, kind);
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
      });
      let result: Awaited<ReturnType<typeof collectOnce>>;
      try {
        result = await collectOnce(server.origin);
      } catch (error) {
        crashes++;
        problems.push(`run ${index}: collect threw ${(error as Error).message}`);
        continue;
      }
      if (result.code !== 3 || /internal error/.test(result.stderr)) {
        crashes++;
        problems.push(`run ${index}: exit ${result.code} (${result.stderr.trim()})`);
      }
      const { snapshot } = result;
      // Each fault: exactly one gap from the runtime source for that service+environment; no other gap.
      const gaps = snapshot.gaps.map((g) => `${g.source}:${key(g)}:${g.evidence}`).sort();
      const expectedGaps = [...faulted.keys()].map((k) => `runtime:${k}:observed`).sort();
      if (JSON.stringify(gaps) === JSON.stringify(expectedGaps)) exact += faulted.size;
      else problems.push(`run ${index}: gaps ${JSON.stringify(gaps)}, expected ${JSON.stringify(expectedGaps)} (${JSON.stringify([...faulted])})`);
      // Everything else as in the fault-free run.
      const observed = baseline.snapshot.observed.filter((o) => !faulted.has(key(o)));
      const sameObserved = JSON.stringify(snapshot.observed) === JSON.stringify(observed);
      const sameRest = JSON.stringify(unaffected(snapshot)) === JSON.stringify(unaffected(baseline.snapshot));
      if (sameObserved && sameRest) complete++;
      else problems.push(`run ${index}: ${sameObserved ? '' : 'observed differs from the fault-free run minus the faults; '}${sameRest ? '' : 'deployments/configs differ from the fault-free run'}`);
      if (result.text.includes('S3cretPw-9431')) leakRuns++;
      if (result.text.includes('S3cretPw-9431') && leakRuns === 1) problems.push(`run ${index}: the URL's password is in the snapshot at ${pathsOf(JSON.parse(result.text), 'S3cretPw-9431').join(', ')}`);
    }

    const served = server.requests.length;
    recordFigure(task, {
      case: '3 faults: http source',
      runs: FAULTS,
      result: `${crashes} crashes; ${exact}/${FAULTS} faults recorded as exactly their gap; ${complete}/${RUNS} runs otherwise complete`,
      target: '0 crashes; each fault a gap for exactly what it affects; rest complete',
      pass: crashes === 0 && exact === FAULTS && complete === RUNS,
      detail: `${RUNS} runs x ${PER_RUN} faults, ${served} requests served; ${[...perKind].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
    });
    recordFigure(task, {
      case: '2b secrets: password in a versionUrl',
      runs: RUNS + 1,
      result: `${leakRuns}/${RUNS} snapshots store it in clear`,
      target: '0 in clear',
      pass: leakRuns === 0,
      detail: 'http://user:password@host/... in services[].versionUrl of the config',
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
  });
});
