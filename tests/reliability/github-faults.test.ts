/**
 * Case 3 for the GitHub source — gaps never silent. The real collector
 * (`createGitHubCollector`) reads a 12-repository organisation from the local
 * GitHub server through a fault-injecting proxy (`github-proxy.ts`). Each run
 * injects one fault into a GraphQL query and 19 into REST calls on other
 * repositories and paths: 5xx, connection resets (before and during the
 * body), latency, 403 secondary rate limits and 429 with `retry-after`,
 * primary rate limits (reset now, and an hour away), malformed and truncated
 * JSON, empty bodies, HTML instead of JSON.
 *
 * The expected gaps are worked out here, from the request each fault hits
 * and the client's documented retry policy, not read back from the
 * collector: a fault the client retries and outlasts (Octokit retries 5xx,
 * network errors and 429 twice, a secondary limit twice, a primary limit
 * whose reset has passed once) must leave no gap; any other fault is a gap
 * for exactly the service, environment and evidence its request carries.
 * Everything else must equal a fault-free run.
 *
 * A last run spends the token's REST quota with the reset an hour away: the
 * source must not wait for it, and every REST-borne evidence is a gap.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import type { Evidence } from '../../src/model/index.ts';
import { ENVIRONMENTS as GH_ENVIRONMENTS, buildOrg, runIdInPayload } from '../fixtures/github/org.ts';
import { makeContext } from '../github/context.ts';
import { startGitHubServer, type GitHubServer, type Scenario } from '../helpers/github-server.ts';
import { startFaultProxy, type FaultProxy, type ProxyFault, type ProxyFaultKind } from './github-proxy.ts';
import { recordFigure, SEED, useTempRoot } from './world.ts';

const RUNS = 10;
const REST_PER_RUN = 19;
const FAULTS = RUNS * (REST_PER_RUN + 1);
const REPOS = 12;
/** Repositories per GraphQL repository query: two batches, so a batch-wide fault leaves the other half to the REST faults. */
const BATCH = 6;
const tempRoot = useTempRoot('github-faults');

// ---------------------------------------------------------------- the organisation

function organisation(): Scenario {
  const scenario = buildOrg({ repos: REPOS });
  for (const repo of scenario.repos) {
    // Every workflow run exists on GitHub, reviewed or not (the fixture lists only reviewed ones): asking for an
    // unreviewed run's approvals answers [] as GitHub does, not 404.
    for (const d of repo.deployments) {
      const id = Number(/\/actions\/runs\/(\d+)/.exec(d.statuses[0]?.logUrl ?? '')?.[1]);
      if (id && !repo.runs.some((r) => r.id === id)) repo.runs.push({ id, approvals: [] });
    }
  }
  // A third of the repositories name their production run only in the payload: its reviews come from REST.
  scenario.repos.forEach((repo, i) => {
    if (i % 3 === 1) runIdInPayload(repo, 'production');
  });
  // Half of them ran 100 CI jobs just after their newest reviewed deployment: the one page of runs listed for who triggered
  // the reviewed deployments' runs (created up to a minute after it) holds neither, so each run is asked alone (the `run`
  // target); the other half's list holds both (`run-list`).
  scenario.repos.forEach((repo, i) => {
    if (i % 2 !== 0) return;
    const newest = Math.max(...repo.deployments.filter((d) => d.environment === 'staging' || d.environment === 'production').map((d) => Date.parse(d.createdAt)));
    for (let k = 0; k < 100; k++) repo.runs.push({ id: 800_000 + repo.id * 1000 + k, createdAt: new Date(newest + 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), approvals: [] });
  });
  return scenario;
}

const scenario = organisation();
/** Environments whose deployments carry deployment approvals: only there is the run read for who triggered it. */
const REVIEWED = GH_ENVIRONMENTS.filter((e) => e.github === 'staging' || e.github === 'production');
const names = scenario.repos.map((r) => r.name).sort();
const restApprovalRepos = new Set(scenario.repos.filter((_, i) => i % 3 === 1).map((r) => r.name));
const crowdedRunLists = new Set(scenario.repos.filter((_, i) => i % 2 === 0).map((r) => r.name));
const batchOf = (repo: string) => Math.floor(names.indexOf(repo) / BATCH);
/** The active deployment per repository and GitHub environment (the newest success), from the scenario itself. */
function active(repo: string, github: string) {
  const r = scenario.repos.find((x) => x.name === repo)!;
  const ok = r.deployments.filter((d) => d.environment === github && d.statuses.some((s) => s.state === 'success')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return ok.at(-1)!;
}

// ---------------------------------------------------------------- what a fault hits, and what it should cost

type Target =
  | { kind: 'environments'; repo: string }
  | { kind: 'variables' | 'secrets' | 'compare'; repo: string; env: (typeof GH_ENVIRONMENTS)[number] }
  | { kind: 'approvals'; repo: string }
  | { kind: 'run'; repo: string; env: (typeof GH_ENVIRONMENTS)[number] }
  | { kind: 'run-list'; repo: string }
  | { kind: 'graphql-repositories'; repo: string }
  | { kind: 'graphql-lookups' };

interface Planned {
  target: Target;
  kind: ProxyFaultKind;
  /** How many matching requests it hits; undefined: every one. */
  times?: number;
}

// A primary limit spent for an hour is not a one-request fault: GitHub then refuses every request until the
// reset, and the collector stops asking at once (it must, or the integration may be banned). Its own case
// below ("primary rate limit spent") checks that behaviour, so it is not mixed in with one-off faults here.
const REST_KINDS: ProxyFaultKind[] = ['http-500', 'http-502', 'http-503', 'http-504', 'reset', 'reset-mid-body', 'latency', 'secondary-limit', 'http-429', 'primary-limit-now', 'malformed', 'truncated', 'html', 'empty-body'];
/**
 * Faults the client turns into an exception (and so retries, or splits a GraphQL batch over). The client
 * reads every body inside its fetch (collectors/github/capped-fetch.ts, the 16 MiB cap), so a connection reset
 * mid-body is a network error there and is retried like any reset.
 */
const THROWING: ReadonlySet<ProxyFaultKind> = new Set(['http-500', 'http-502', 'http-503', 'http-504', 'reset', 'reset-mid-body', 'truncated', 'secondary-limit', 'http-429', 'primary-limit-now', 'primary-limit-hour']);

/**
 * How many consecutive hits the client outlasts (its documented retry policy):
 * @octokit/plugin-retry retries 5xx, 429 and network errors twice (`retries: 2` in collectors/github/source.ts);
 * the throttling handlers retry a secondary limit twice and a primary limit once, and only when its reset is
 * within 300 s; a 200 with a bad body is not retried.
 */
function outlasts(kind: ProxyFaultKind): number {
  if (kind === 'latency') return Infinity;
  if (kind === 'primary-limit-now') return 1;
  if (kind === 'primary-limit-hour') return 0;
  return THROWING.has(kind) ? 2 : 0;
}

/**
 * Whether a fault costs its request's evidence. On a batched GraphQL query a fault that throws is outlasted
 * even when it is not retried (a primary limit): the collector splits the batch and asks again.
 */
function lost(f: Planned): boolean {
  if (f.target.kind === 'graphql-repositories' || f.target.kind === 'graphql-lookups') {
    if (THROWING.has(f.kind) && f.times !== undefined) return false;
  }
  return (f.times ?? Infinity) > outlasts(f.kind);
}

const gapKey = (service: string | undefined, environment: string | undefined, evidence: string) => `${service}/${environment ?? '-'}/${evidence}`;

/** The gaps a fault that was not outlasted must leave: exactly what its request carries. */
function gapsOf(target: Target): string[] {
  switch (target.kind) {
    case 'environments':
      return GH_ENVIRONMENTS.map((e) => gapKey(target.repo, e.ledger, 'protection'));
    case 'variables':
    case 'secrets':
      return [gapKey(target.repo, target.env.ledger, 'config')];
    case 'compare':
      return [gapKey(target.repo, target.env.ledger, 'changes')];
    case 'approvals':
      return [gapKey(target.repo, 'prod', 'approvals')];
    case 'run':
      // Who triggered a GITHUB_TOKEN deployment's run: without it the deployer is unknown, an approvals gap.
      return [gapKey(target.repo, target.env.ledger, 'approvals')];
    case 'run-list':
      // A list of runs that fails costs nothing: each run is then asked alone.
      return [];
    case 'graphql-repositories':
      // A bad 200 sinks the whole batched query; a thrown error is split down to the one repository.
      return names.filter((n) => batchOf(n) === batchOf(target.repo)).map((n) => gapKey(n, undefined, 'all'));
    case 'graphql-lookups':
      return names.flatMap((n) => [gapKey(n, undefined, 'branches'), ...GH_ENVIRONMENTS.flatMap((e) => ['approvals', 'changes', 'config'].map((k) => gapKey(n, e.ledger, k)))]);
  }
}

function matcher(target: Target): ProxyFault['match'] {
  switch (target.kind) {
    case 'environments':
      return (r) => r.method === 'GET' && r.path.startsWith(`/repos/acme/${target.repo}/environments?`);
    case 'variables':
    case 'secrets':
      return (r) => r.method === 'GET' && r.path.startsWith(`/repos/acme/${target.repo}/environments/${target.env.github}/${target.kind}?`);
    case 'compare': {
      const head = active(target.repo, target.env.github).sha;
      return (r) => r.method === 'GET' && r.path.startsWith(`/repos/acme/${target.repo}/compare/`) && r.path.split('?')[0]!.endsWith(`...${head}`);
    }
    case 'approvals': {
      // The production run named in the payload (other runs' reviews come with the GraphQL lookups).
      const payload = active(target.repo, 'production').payload;
      const run = Number(typeof payload === 'object' ? payload.run_id : undefined);
      return (r) => r.method === 'GET' && r.path.startsWith(`/repos/acme/${target.repo}/actions/runs/${run}/approvals`);
    }
    case 'run': {
      const d = active(target.repo, target.env.github);
      const run = /\/actions\/runs\/(\d+)/.exec(d.statuses[0]?.logUrl ?? '')?.[1] ?? String(typeof d.payload === 'object' ? d.payload.run_id : '');
      return (r) => r.method === 'GET' && r.path.split('?')[0] === `/repos/acme/${target.repo}/actions/runs/${run}`;
    }
    case 'run-list':
      return (r) => r.method === 'GET' && r.path.startsWith(`/repos/acme/${target.repo}/actions/runs?`);
    case 'graphql-repositories':
      return (r) => r.graphql !== undefined && r.graphql.includes('nameWithOwner') && r.graphql.includes(`name: "${target.repo}"`);
    case 'graphql-lookups':
      return (r) => r.graphql !== undefined && !r.graphql.includes('nameWithOwner');
  }
}

const describeTarget = (t: Target) => ('env' in t ? `${t.kind} ${t.repo}/${t.env.github}` : 'repo' in t ? `${t.kind} ${t.repo}` : t.kind);

// ---------------------------------------------------------------- comparing with a fault-free run

type Transform = (e: Evidence) => void;
const bySvcEnv = (service: string, environment?: string) => (x: { service: string; environment?: string }) => x.service === service && (environment === undefined || x.environment === environment);

/** What a failed request takes out of the evidence, applied to the fault-free run and the faulted one alike. */
function removalOf(target: Target): Transform {
  return (e) => {
    switch (target.kind) {
      case 'environments':
        for (const d of e.deployments.filter(bySvcEnv(target.repo))) delete d.protection;
        return;
      case 'variables':
      case 'secrets':
        e.configs = e.configs.filter((c) => !(bySvcEnv(target.repo, target.env.ledger)(c) && c.origin === 'github:environment'));
        return;
      case 'compare':
        e.changes = e.changes.filter((c) => !bySvcEnv(target.repo, target.env.ledger)(c));
        return;
      case 'approvals':
        // Without deployment approvals there is nothing to check the deployer against, so the run is not read either.
        for (const d of e.deployments.filter(bySvcEnv(target.repo, 'prod'))) {
          d.approvals = d.approvals.filter((a) => a.kind !== 'deployment');
          d.deployedBy = '(run not read)';
        }
        return;
      case 'run':
        for (const d of e.deployments.filter(bySvcEnv(target.repo, target.env.ledger))) d.deployedBy = '(run not read)';
        return;
      case 'run-list':
        return;
      case 'graphql-repositories': {
        const gone = new Set(names.filter((n) => batchOf(n) === batchOf(target.repo)));
        for (const key of ['deployments', 'history', 'configs', 'branches', 'changes'] as const) (e[key] as { service: string }[]) = (e[key] as { service: string }[]).filter((x) => !gone.has(x.service));
        return;
      }
      case 'graphql-lookups':
        // Pull requests (and their approvals), files at the deployed commit, release-branch comparisons.
        for (const d of e.deployments) {
          d.approvals = d.approvals.filter((a) => a.kind === 'deployment');
          delete d.components;
        }
        for (const c of e.changes) {
          c.pullRequests = [];
          c.tickets = [];
        }
        e.configs = e.configs.filter((c) => c.origin === 'github:environment');
        e.branches = [];
        return;
    }
  };
}

const canonical = (e: Evidence) => JSON.stringify({ ...e, gaps: [] });

// ---------------------------------------------------------------- plans

const restTargetArb = (exclude: ReadonlySet<string>) => {
  const repos = names.filter((n) => !exclude.has(n));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...repos).map((repo): Target => ({ kind: 'environments', repo })) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('variables' as const, 'secrets' as const, 'compare' as const), repo: fc.constantFrom(...repos), env: fc.constantFrom(...GH_ENVIRONMENTS) }) },
    { weight: 1, arbitrary: fc.constantFrom(...repos.filter((r) => restApprovalRepos.has(r))).map((repo): Target => ({ kind: 'approvals', repo })) },
    // A production run whose reviews come from REST is read only when they could be: its faults are the approvals target's.
    {
      weight: 1,
      arbitrary: fc
        .record({ kind: fc.constant('run' as const), repo: fc.constantFrom(...repos.filter((r) => crowdedRunLists.has(r))), env: fc.constantFrom(...REVIEWED) })
        .filter((t) => !(restApprovalRepos.has(t.repo) && t.env.github === 'production')),
    },
    { weight: 1, arbitrary: fc.constantFrom(...repos.filter((r) => !crowdedRunLists.has(r))).map((repo): Target => ({ kind: 'run-list', repo })) },
  );
};
const timesArb = fc.constantFrom<number | undefined>(1, 2, undefined, undefined);

const runArb = fc
  .record({
    graphql: fc.record({
      lookups: fc.boolean(),
      repo: fc.constantFrom(...names),
      kind: fc.constantFrom(...REST_KINDS),
    }),
    seed: fc.integer(),
  })
  .chain(({ graphql, seed }) => {
    // Throwing GraphQL faults are transient here (one hit: retried, or the batch split and asked again), which keeps
    // each collect short; a bad 200 body is not retried and costs its whole batch.
    const gq: Planned = { target: graphql.lookups ? { kind: 'graphql-lookups' } : { kind: 'graphql-repositories', repo: graphql.repo }, kind: graphql.kind, times: 1 };
    const sunk = !graphql.lookups && lost(gq) ? new Set(names.filter((n) => batchOf(n) === batchOf(graphql.repo))) : new Set<string>();
    return fc
      .uniqueArray(fc.record({ target: restTargetArb(sunk), kind: fc.constantFrom(...REST_KINDS), times: timesArb }), {
        minLength: REST_PER_RUN,
        maxLength: REST_PER_RUN,
        selector: (p) => describeTarget(p.target),
      })
      .map((rest) => ({ seed, faults: [gq, ...rest.map((p): Planned => ({ target: p.target, kind: p.kind, ...(p.times ? { times: p.times } : {}) }))] }));
  });

// ---------------------------------------------------------------- the case

const collect = createGitHubCollector({ retryBaseMs: 1, batchSize: BATCH });
let server: GitHubServer | undefined;
let proxy: FaultProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

async function collectOnce(progress: string[] = []): Promise<Evidence> {
  const dir = path.join(await tempRoot(), 'config');
  await mkdir(dir, { recursive: true });
  return collect(makeContext({ baseUrl: proxy!.baseUrl, scenario, configDir: dir, progress: (line) => progress.push(line) }));
}

describe('source faults: GitHub', () => {
  it(`${FAULTS} injected GitHub faults: no crash, recoverable ones outlasted, the rest exactly their gap, everything else complete`, async ({ task }) => {
    server = await startGitHubServer(scenario);
    proxy = await startFaultProxy(server.url);
    const baseline = await collectOnce();
    expect(baseline.gaps).toEqual([]);
    expect(baseline.deployments).toHaveLength(REPOS * GH_ENVIRONMENTS.length);

    const plans = fc.sample(runArb, { seed: SEED, numRuns: RUNS });
    const problems: string[] = [];
    const perKind = new Map<string, number>();
    let crashes = 0;
    let asExpected = 0;
    let recovered = 0;
    let gapped = 0;
    let complete = 0;
    let fired = 0;
    for (const [index, plan] of plans.entries()) {
      proxy.faults = plan.faults.map((f) => ({ label: describeTarget(f.target), kind: f.kind, match: matcher(f.target), ...(f.times ? { times: f.times } : {}) }));
      proxy.hits = [];
      for (const f of plan.faults) perKind.set(f.kind, (perKind.get(f.kind) ?? 0) + 1);
      let evidence: Evidence;
      try {
        evidence = await collectOnce();
      } catch (error) {
        crashes++;
        problems.push(`run ${index}: the collector threw ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
      const got = new Set(evidence.gaps.map((g) => gapKey(g.service, g.environment, g.evidence)));
      const expected = new Set<string>();
      const transforms: Transform[] = [];
      const firedLabels = new Set(proxy.hits.map((h) => h.label));
      for (const f of plan.faults) {
        const label = describeTarget(f.target);
        if (firedLabels.has(label)) fired++;
        else problems.push(`run ${index}: ${f.kind} on ${label} never fired`);
        const isLost = lost(f);
        const want = isLost ? gapsOf(f.target) : [];
        for (const k of want) expected.add(k);
        if (isLost) transforms.push(removalOf(f.target));
        // Per fault: its gaps are there (or, outlasted, none of its own gaps are).
        const own = gapsOf(f.target);
        const ok = isLost ? want.every((k) => got.has(k)) : own.every((k) => !got.has(k) || plan.faults.some((o) => o !== f && lost(o) && gapsOf(o.target).includes(k)));
        if (ok) {
          asExpected++;
          if (isLost) gapped++;
          else recovered++;
        } else problems.push(`run ${index}: ${f.kind}${f.times ? ` x${f.times}` : ''} on ${label}: ${isLost ? `expected gaps ${want.join(', ')}` : 'expected no gap (outlasted)'}, got ${[...got].filter((k) => own.includes(k)).join(', ') || 'none of them'}`);
      }
      const extra = [...got].filter((k) => !expected.has(k));
      if (extra.length) problems.push(`run ${index}: gaps no fault explains: ${extra.join(', ')} (${evidence.gaps.filter((g) => extra.includes(gapKey(g.service, g.environment, g.evidence))).map((g) => g.reason).slice(0, 2).join(' | ')})`);
      // Everything else as in the fault-free run.
      const want = structuredClone(baseline);
      const have = structuredClone(evidence);
      for (const t of transforms) {
        t(want);
        t(have);
      }
      if (canonical(want) === canonical(have) && extra.length === 0) complete++;
      else if (canonical(want) !== canonical(have)) problems.push(`run ${index}: evidence outside the faulted requests differs from the fault-free run: ${firstDifference(want, have)}`);
    }

    // The token's REST quota spent, reset an hour away: no waiting, every REST-borne evidence a gap.
    proxy.faults = [{ label: 'first REST call', kind: 'primary-limit-hour', times: 1, match: (r) => r.graphql === undefined }];
    proxy.hits = [];
    proxy.exhaustCoreAfterPrimary = true;
    const progress: string[] = [];
    const spent = await collectOnce(progress);
    proxy.exhaustCoreAfterPrimary = false;
    const restAfter = proxy.hits.filter((h) => h.label === 'quota spent').length;
    const restTargets: Target[] = names.flatMap((repo): Target[] => [
      { kind: 'environments', repo },
      ...GH_ENVIRONMENTS.flatMap((env): Target[] => [{ kind: 'variables', repo, env }, { kind: 'compare', repo, env }]),
      ...(restApprovalRepos.has(repo) ? [{ kind: 'approvals' as const, repo }] : []),
      ...REVIEWED.map((env): Target => ({ kind: 'run', repo, env })),
    ]);
    const spentWant = new Set(restTargets.flatMap(gapsOf));
    const spentGot = new Set(spent.gaps.map((g) => gapKey(g.service, g.environment, g.evidence)));
    const waited = progress.filter((l) => /waiting/.test(l));
    const want = structuredClone(baseline);
    const have = structuredClone(spent);
    for (const t of restTargets.map(removalOf)) {
      t(want);
      t(have);
    }
    // Stop early: GitHub asks integrations not to keep calling while limited (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit);
    // at most the requests already in flight (settings.concurrency, 8 by default) may still arrive.
    const spentOk = restAfter <= 8 && waited.length === 0 && [...spentWant].every((k) => spentGot.has(k)) && [...spentGot].every((k) => spentWant.has(k)) && canonical(want) === canonical(have);
    if (!spentOk) problems.push(`quota spent: ${restAfter} REST requests after the first 403 (at most 8 in flight expected); waited ${JSON.stringify(waited)}; missing gaps ${[...spentWant].filter((k) => !spentGot.has(k)).slice(0, 5).join(', ')}; extra gaps ${[...spentGot].filter((k) => !spentWant.has(k)).slice(0, 5).join(', ')}; ${canonical(want) === canonical(have) ? '' : firstDifference(want, have)}`);

    recordFigure(task, {
      case: '3 faults: github source',
      runs: FAULTS,
      result: `${crashes} crashes; ${asExpected}/${FAULTS} faults as expected (${recovered} outlasted without a gap, ${gapped} exactly their gap); ${complete}/${RUNS} runs otherwise complete`,
      target: '0 crashes; recoverable faults leave no gap; each other fault a gap for exactly what it affects; rest complete',
      pass: crashes === 0 && asExpected === FAULTS && complete === RUNS && fired === FAULTS,
      detail: `${RUNS} runs x ${REST_PER_RUN + 1} faults (1 GraphQL), ${fired} fired; ${[...perKind].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
    });
    recordFigure(task, {
      case: '3 faults: github primary rate limit spent',
      runs: 1,
      result: `${waited.length ? `waited (${waited[0]})` : 'did not wait'}; ${restAfter} REST requests after the first 403; ${[...spentWant].filter((k) => spentGot.has(k)).length}/${spentWant.size} REST-borne gaps; ${[...spentGot].filter((k) => !spentWant.has(k)).length} other gaps`,
      target: 'no wait for a reset an hour away; stops (<= 8 in flight after); every REST-borne evidence a gap, nothing else',
      pass: spentOk,
      detail: 'x-ratelimit-remaining 0, reset in 3600 s, every later REST request answered the same',
    });
    expect(problems.slice(0, 12), `seed ${SEED}`).toEqual([]);
  }, 240_000);
});

/** The first evidence list whose entries differ, with one entry from each side. */
function firstDifference(want: Evidence, have: Evidence): string {
  for (const key of Object.keys(want) as (keyof Evidence)[]) {
    if (key === 'gaps') continue;
    const a = new Set((want[key] ?? []).map((x) => JSON.stringify(x)));
    const b = new Set((have[key] ?? []).map((x) => JSON.stringify(x)));
    const lost = [...a].filter((x) => !b.has(x));
    const added = [...b].filter((x) => !a.has(x));
    if (lost.length || added.length) return `${key}: ${lost.length} missing (${(lost[0] ?? '').slice(0, 160)}), ${added.length} unexpected (${(added[0] ?? '').slice(0, 160)})`;
  }
  return 'order differs';
}
