/**
 * Where a pull request is: in an environment when the build running there
 * contains it, not in it only when the ledger's evidence places it elsewhere,
 * unknown otherwise (docs/pull-requests.md).
 *
 * Histories are generated with their git truth: each service has one main
 * line of commits `1.K.0` (K = 0, 1, …), commit K merges pull requests
 * `100K` and `100K + 1`, so build K contains exactly the pull requests of
 * commits 1..K. Environments start before the ledger on builds of that line
 * (some change records from then name a previous build, some do not), then
 * night by night dev gets new commits (sometimes two deployments a night, the
 * first never seen by a snapshot), builds are promoted up the path, and an
 * environment sometimes rolls back to a build it ran before. Change records
 * list what GitHub's compare of the previous deployment and the new one
 * would: the pull requests of the commits in between, none for a rollback;
 * some are missing (a source gap), and every night repeats the records of the
 * builds running.
 *
 * Checked on every night's compare pages and on the where-is-my-change
 * answers: every "only in A" pull request is contained in A's build and not
 * in B's; every "in"/"out" answer is true; the same build on both sides lists
 * none; "unknown" appears exactly where an independent reading of the raw
 * snapshot JSON (`plainPresence`, below, sharing no code with the views)
 * finds no evidence either way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, Deployment, Snapshot } from '../../src/model/index.ts';
import { buildLedgerIndex, compareEnvironments, comparePairs, prPresence, pullRequestsWhereHtml, unknownPullRequestsHtml, type LedgerIndex } from '../../src/views/index.ts';
import { buildChange, buildDeployment, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'];
const SERVICES = ['api', 'web'];
const DAY = 86_400_000;
const START = Date.parse('2026-03-01T22:30:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const commit = (service: string, k: number) => commitFor(`${service}-1.${k}.0`);
/** The pull requests commit k merged (none for the root commit). */
const prsOf = (k: number) => (k === 0 ? [] : [100 * k, 100 * k + 1]);
/** When commit k was merged: commits up to 3 before the ledger, the others a night apart after. */
const mergedAt = (k: number) => iso(START + (k - 4) * DAY / 2);

/** The git truth: build K contains pull request n when n's commit is at most K. */
const contains = (k: number, n: number) => Math.floor(n / 100) <= k;

interface Cell {
  k: number;
  deployedAt: number;
  /** Builds this environment ran, in the ledger's view (for rollbacks). */
  ran: number[];
}

type Step = { kind: 'new'; twice: boolean } | { kind: 'promote'; env: number } | { kind: 'rollback'; env: number } | { kind: 'drop-record'; env: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('new' as const), twice: fc.boolean() }),
  fc.record({ kind: fc.constant('promote' as const), env: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('rollback' as const), env: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('drop-record' as const), env: fc.integer({ min: 0, max: 3 }) }),
);

const history = fc.record({
  /** Per service, per environment (dev first): how far behind the one below it is at the start, and the build before that (or none). */
  start: fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), fc.array(fc.option(fc.integer({ min: 1, max: 2 })), { minLength: 4, maxLength: 4 })), { minLength: 2, maxLength: 2 }),
  nights: fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), step), { maxLength: 4 }), { minLength: 1, maxLength: 8 }),
});

type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

/** A generated ledger: its snapshots and, per snapshot, the true build (K) of every service in every environment. */
function generate(h: History): { snapshots: Snapshot[]; truth: Map<string, number>[] } {
  const cells = new Map<string, Cell>();
  const records = new Map<string, Change>();
  const newest = new Map<string, number>();
  for (const [s, service] of SERVICES.entries()) {
    const [behind, before] = h.start[s]!;
    let k = 4;
    newest.set(service, k);
    ENVIRONMENTS.forEach((environment, e) => {
      k = Math.max(0, k - behind[e]!);
      const deployedAt = START - (10 - e) * DAY;
      cells.set(`${service}/${environment}`, { k, deployedAt, ran: [k] });
      // What GitHub said of the deployment before the ledger: from an older build, or (first deployment) from none.
      const from = before[e] === null || k - before[e]! < 0 ? null : k - before[e]!;
      records.set(`${service}/${environment}`, record(service, environment, k, from, deployedAt));
    });
  }
  const snapshots: Snapshot[] = [];
  const truth: Map<string, number>[] = [];
  const dropped = new Set<string>();
  const write = (night: number) => {
    const deployments: Deployment[] = [];
    for (const [key, cell] of cells) {
      const [service, environment] = key.split('/') as [string, string];
      deployments.push(buildDeployment({ service, environment, version: `1.${cell.k}.0`, commit: commit(service, cell.k), deployedAt: iso(cell.deployedAt) }));
    }
    const changes = [...records.entries()].filter(([key]) => !dropped.has(key)).map(([, c]) => c);
    snapshots.push(
      buildSnapshot({
        takenAt: iso(START + night * DAY),
        environments: ENVIRONMENTS.map((name) => ({ name, production: name === 'prod', requiredApprovals: 0 })),
        services: SERVICES.map((name) => ({ name, repo: `acme/${name}`, sources: ['github'] })),
        deployments,
        configs: [],
        changes,
      }),
    );
    truth.push(new Map([...cells].map(([key, cell]) => [key, cell.k])));
  };
  write(0);
  h.nights.forEach((steps, i) => {
    const night = i + 1;
    dropped.clear();
    steps.forEach(([s, st], j) => {
      const service = SERVICES[s]!;
      const at = START + (night - 1) * DAY + (j + 1) * 3_600_000;
      const move = (e: number, to: number, from: number) => {
        const key = `${service}/${ENVIRONMENTS[e]}`;
        const cell = cells.get(key)!;
        records.set(key, record(service, ENVIRONMENTS[e]!, to, from, iso(at)));
        cell.k = to;
        cell.deployedAt = at;
        if (!cell.ran.includes(to)) cell.ran.push(to);
      };
      if (st.kind === 'new') {
        const dev = cells.get(`${service}/dev`)!;
        const top = newest.get(service)! + (st.twice ? 2 : 1);
        newest.set(service, top);
        // Twice: a deployment of top - 1 the snapshot never sees; GitHub's previous deployment is then that one.
        move(0, top, st.twice ? top - 1 : dev.k);
      } else if (st.kind === 'promote') {
        const below = cells.get(`${service}/${ENVIRONMENTS[st.env - 1]}`)!;
        const here = cells.get(`${service}/${ENVIRONMENTS[st.env]}`)!;
        if (below.k > here.k) move(st.env, below.k, here.k);
      } else if (st.kind === 'rollback') {
        const here = cells.get(`${service}/${ENVIRONMENTS[st.env]}`)!;
        const back = here.ran.filter((k) => k < here.k).at(-1);
        if (back !== undefined) move(st.env, back, here.k);
      } else dropped.add(`${service}/${ENVIRONMENTS[st.env]}`);
    });
    write(night);
  });
  return { snapshots, truth };
}

/** A change record as GitHub's compare of `from`...`to` gives it: the pull requests of the commits in `to` and not in `from`. */
function record(service: string, environment: string, to: number, from: number | null, deployedAt: string | number): Change {
  const numbers = from === null ? [] : Array.from({ length: Math.max(0, to - from) }, (_, i) => prsOf(from + 1 + i)).flat();
  return buildChange({
    service,
    environment,
    version: `1.${to}.0`,
    commit: commit(service, to),
    fromCommit: from === null ? null : commit(service, from),
    fromVersion: from === null ? null : `1.${from}.0`,
    deployedAt: typeof deployedAt === 'number' ? iso(deployedAt) : deployedAt,
    pullRequests: numbers.map((number) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: mergedAt(Math.floor(number / 100)), reviewers: [] })),
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- raw JSON on purpose */
/**
 * Where a pull request is, from the raw snapshot JSON in plain lines, sharing
 * no code with the views: a deployment that replaced another without going
 * back (to a build that ran there before, or to a lower version) is a later
 * build of the same line; a change record with pull requests says its commit
 * has them and the build before it does not (unless it went back). A build has a pull request when
 * it descends from a build that has it, lacks it when a build descending from
 * it lacks it; both or neither is unknown.
 */
function plainPresence(raw: any[], asOf: string): { known: (service: string) => number[]; presence: (service: string, commitSha: string, pr: number) => 'in' | 'out' | 'unknown' } {
  const parents = new Map<string, string[]>();
  const has = new Set<string>();
  const lacks = new Set<string>();
  const last = new Map<string, { commit: string; version: string; ran: string[] }>();
  const link = (service: string, child: string, parent: string) => parents.set(`${service} ${child}`, [...(parents.get(`${service} ${child}`) ?? []), parent]);
  for (const s of raw.filter((x) => x.id <= asOf)) {
    for (const d of s.deployments) {
      const before = last.get(`${d.service} ${d.environment}`);
      if (before?.commit === d.commit) continue;
      const minor = (v: string) => Number(v.split('.')[1]);
      const back = before !== undefined && (before.ran.includes(d.commit) || minor(d.version) < minor(before.version));
      if (before && !back) link(d.service, d.commit, before.commit);
      const c = s.changes.find((x: any) => x.service === d.service && x.environment === d.environment && x.commit === d.commit);
      const from = back ? undefined : (c?.fromCommit ?? before?.commit);
      if (c && c.pullRequests.length > 0) {
        for (const pr of c.pullRequests) has.add(`${d.service} ${d.commit} ${pr.number}`);
        for (const pr of c.pullRequests) if (from) lacks.add(`${d.service} ${from} ${pr.number}`);
        if (!back && from && from !== d.commit && from !== before?.commit) link(d.service, d.commit, from);
      }
      last.set(`${d.service} ${d.environment}`, { commit: d.commit, version: d.version, ran: [...(before?.ran ?? []), d.commit] });
    }
  }
  const reach = (service: string, start: string, up: boolean): string[] => {
    const found = [start];
    for (let i = 0; i < found.length; i++) {
      const next = up ? (parents.get(`${service} ${found[i]}`) ?? []) : [...parents].filter(([k, ps]) => k.startsWith(`${service} `) && ps.includes(found[i]!)).map(([k]) => k.slice(service.length + 1));
      for (const n of next) if (!found.includes(n)) found.push(n);
    }
    return found;
  };
  return {
    // The pull requests a record has named by then.
    known: (service) => [...new Set([...has].filter((x) => x.startsWith(`${service} `)).map((x) => Number(x.split(' ')[2])))].sort((x, y) => x - y),
    presence: (service, commitSha, pr) => {
      const yes = reach(service, commitSha, true).some((c) => has.has(`${service} ${c} ${pr}`));
      const no = reach(service, commitSha, false).some((c) => lacks.has(`${service} ${c} ${pr}`));
      return yes === no ? 'unknown' : yes ? 'in' : 'out';
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('where a pull request is: the build running there contains it', () => {
  it('generated histories: "only in A" is in A\'s build and not in B\'s, the same build lists none, and unknown is exactly where no evidence says', () => {
    let pages = 0;
    let onlyIn = 0;
    let unknown = 0;
    let sameBuild = 0;
    fc.assert(
      fc.property(history, (h) => {
        const { snapshots, truth } = generate(h);
        const raw = JSON.parse(JSON.stringify(snapshots));
        const index = buildLedgerIndex(snapshots);
        snapshots.forEach((s, night) => {
          const plain = plainPresence(raw, s.id);
          for (const [a, b] of comparePairs(ENVIRONMENTS)) {
            pages++;
            const cmp = compareEnvironments(s, a, b, index);
            for (const pr of cmp.pullRequests) {
              const [inside, outside] = pr.in === 'a' ? [a, b] : [b, a];
              expect(contains(truth[night]!.get(`${pr.service}/${inside}`)!, pr.number)).toBe(true);
              expect(contains(truth[night]!.get(`${pr.service}/${outside}`)!, pr.number)).toBe(false);
            }
            onlyIn += cmp.pullRequests.length;
            unknown += cmp.unknownPullRequests.length;
            for (const service of SERVICES) {
              const [ka, kb] = [truth[night]!.get(`${service}/${a}`)!, truth[night]!.get(`${service}/${b}`)!];
              const listed = (list: { service: string; number: number }[]) => list.filter((p) => p.service === service).map((p) => p.number).sort((x, y) => x - y);
              if (ka === kb) {
                sameBuild++;
                expect(listed(cmp.pullRequests)).toEqual([]);
                expect(listed(cmp.unknownPullRequests)).toEqual([]);
                continue;
              }
              // The independent reading: which pull requests it places on one side only, and which it cannot place.
              const only: number[] = [];
              const open: number[] = [];
              for (const n of plain.known(service)) {
                const [pa, pb] = [plain.presence(service, commit(service, ka), n), plain.presence(service, commit(service, kb), n)];
                if (pa === 'unknown' || pb === 'unknown') open.push(n);
                else if (pa !== pb) only.push(n);
              }
              expect(listed(cmp.pullRequests)).toEqual(only);
              expect(listed(cmp.unknownPullRequests)).toEqual(open);
            }
          }
        });
        // Where is my change, as the ledger knows now: every "in" and "out" is true, unknown exactly where the plain reading has no evidence.
        const plain = plainPresence(raw, snapshots.at(-1)!.id);
        const now = truth.at(-1)!;
        for (const pr of index.pullRequests) {
          for (const environment of ENVIRONMENTS) {
            const place = pr.now[environment]!;
            const k = now.get(`${pr.service}/${environment}`)!;
            if (place.presence === 'in') expect(contains(k, pr.number)).toBe(true);
            if (place.presence === 'out') expect(contains(k, pr.number)).toBe(false);
            expect(place.presence).toBe(plain.presence(pr.service, commit(pr.service, k), pr.number));
          }
        }
      }),
      { numRuns: 150, seed: 20261207 },
    );
    console.log(`[pull requests] ${pages} compare pages: ${onlyIn} "only in" pull requests (all true), ${unknown} unknown, ${sameBuild} same-build service pairs with none listed`);
    expect(onlyIn).toBeGreaterThan(0);
    expect(unknown).toBeGreaterThan(0);
  });

  it('cross-check: where-is-my-change on a generated ledger equals a plain reading of the raw snapshot JSON', () => {
    const h = fc.sample(history, { numRuns: 1, seed: 7 })[0]!;
    const long = { ...h, nights: [...h.nights, ...fc.sample(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), step), { minLength: 1, maxLength: 4 }), { numRuns: 20, seed: 8 })] };
    const { snapshots } = generate(long);
    const raw = JSON.parse(JSON.stringify(snapshots));
    const index = buildLedgerIndex(snapshots);
    const plain = plainPresence(raw, snapshots.at(-1)!.id);
    const last = raw.at(-1);
    let cells = 0;
    for (const pr of index.pullRequests)
      for (const d of last.deployments.filter((x: Deployment) => x.service === pr.service)) {
        cells++;
        expect([pr.service, pr.number, d.environment, pr.now[d.environment]!.presence]).toEqual([pr.service, pr.number, d.environment, plain.presence(pr.service, d.commit, pr.number)]);
      }
    expect(cells).toBeGreaterThan(50);
  });
});

describe('fixed examples', () => {
  const pr = (number: number, merged: string) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: merged, reviewers: [] });
  const world = {
    environments: ENVIRONMENTS.map((name) => ({ name, production: name === 'prod', requiredApprovals: 0 })),
    services: [{ name: 'payout-service', repo: 'acme/payout', sources: ['github'] }],
    configs: [],
  };
  const deploy = (environment: string, version: string, deployedAt: string) => buildDeployment({ service: 'payout-service', environment, version, deployedAt });
  const change = (environment: string, version: string, from: string | null, deployedAt: string, prs: ReturnType<typeof pr>[]) =>
    buildChange({ service: 'payout-service', environment, version, fromCommit: from && commitFor(`payout-service-${from}`), fromVersion: from, deployedAt, pullRequests: prs });

  // Before the ledger: dev, qa and staging run 2.13.0, prod 2.12.0; the first snapshot's records name only their last step.
  const first = buildSnapshot({
    ...world,
    takenAt: '2026-09-01T22:30:00Z',
    deployments: [deploy('dev', '2.13.0', '2026-08-30T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.13.0', '2026-08-31T09:00:00Z'), deploy('prod', '2.12.0', '2026-08-20T09:00:00Z')],
    changes: [change('staging', '2.13.0', '2.12.0', '2026-08-31T09:00:00Z', [pr(40, '2026-08-29T10:00:00Z')])],
  });
  // Prod catches up with staging: its record names 2.12.0 → 2.13.0's pull request, and three merged long before the ledger
  // (GitHub's compare from prod's previous deployment, 2.10.0, which the ledger never saw there).
  const second = buildSnapshot({
    ...world,
    takenAt: '2026-09-02T22:30:00Z',
    deployments: [deploy('dev', '2.13.0', '2026-08-30T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.13.0', '2026-08-31T09:00:00Z'), deploy('prod', '2.13.0', '2026-09-02T14:52:00Z')],
    changes: [change('prod', '2.13.0', '2.10.0', '2026-09-02T14:52:00Z', [pr(31, '2026-07-01T10:00:00Z'), pr(32, '2026-07-02T10:00:00Z'), pr(33, '2026-07-03T10:00:00Z'), pr(40, '2026-08-29T10:00:00Z')])],
  });
  const index: LedgerIndex = buildLedgerIndex([first, second]);

  it('the same build in both: no pull request only in one, nor unknown', () => {
    const cmp = compareEnvironments(second, 'staging', 'prod', index);
    expect(cmp.diff.services.map((s) => s.status)).toEqual(['same']);
    expect(cmp.pullRequests).toEqual([]);
    expect(cmp.unknownPullRequests).toEqual([]);
    // The night before, prod still ran 2.12.0: staging's record places #40 after it.
    expect(compareEnvironments(first, 'staging', 'prod', index).pullRequests.map((p) => [p.number, p.in])).toEqual([[40, 'a']]);
  });

  it('a pull request merged before the ledger is in the environments whose build contains it, and the page says so', () => {
    const where = (n: number) => index.pullRequests.find((p) => p.number === n)!.now;
    // 2.13.0 contains #31 (prod's record), and every environment runs 2.13.0.
    expect(Object.values(where(31)).map((p) => p.presence)).toEqual(['in', 'in', 'in', 'in']);
    const html = pullRequestsWhereHtml(index.pullRequests, ENVIRONMENTS).value;
    expect(html).not.toContain('<td>—</td>');
    expect(html).toContain('✓ since 2026-08-30 10:00 UTC or earlier (2.13.0)');
  });

  it('a pull request merged before the ledger, on a build no record places it in or after: unknown (before the ledger)', () => {
    // Dev moves to 2.14.0 without a change record; prod rolls back to 2.12.0, which ran there before.
    const third = buildSnapshot({
      ...world,
      takenAt: '2026-09-03T22:30:00Z',
      deployments: [deploy('dev', '2.14.0', '2026-09-03T10:00:00Z'), deploy('qa', '2.13.0', '2026-08-30T12:00:00Z'), deploy('staging', '2.11.0', '2026-09-03T11:00:00Z'), deploy('prod', '2.12.0', '2026-09-03T15:00:00Z')],
    });
    const later = buildLedgerIndex([first, second, third]);
    const where = later.pullRequests.find((p) => p.number === 31)!.now;
    // dev's 2.14.0 replaced 2.13.0 going forward; staging went back to 2.11.0, a build no record places #31 in or after.
    expect(where.dev).toEqual({ presence: 'in', version: '2.14.0' });
    expect(where.staging).toEqual({ presence: 'unknown', version: '2.11.0', why: 'before the ledger' });
    // prod's 2.12.0: #40 came after it (staging's record), #31 is older than the ledger and no record says.
    expect(prPresence(later, 'payout-service', commitFor('payout-service-2.12.0'), 40)).toBe('out');
    expect(where.prod).toEqual({ presence: 'unknown', version: '2.12.0', why: 'before the ledger' });
    const html = pullRequestsWhereHtml(later.pullRequests.filter((p) => p.number === 31), ENVIRONMENTS).value;
    expect(html).toContain('<span class="muted">unknown (before the ledger)</span>');
    const cmp = compareEnvironments(third, 'dev', 'prod', later);
    expect(cmp.unknownPullRequests.map((p) => [p.number, p.a, p.b, p.why])).toEqual([
      [31, 'in', 'unknown', 'before the ledger'],
      [32, 'in', 'unknown', 'before the ledger'],
      [33, 'in', 'unknown', 'before the ledger'],
    ]);
    expect(cmp.pullRequests.map((p) => [p.number, p.in])).toEqual([[40, 'a']]);
  });

  it('the unknown section: one row per service, side and reason, titles escaped', () => {
    const u = (number: number, a: 'in' | 'out' | 'unknown', b: 'in' | 'out' | 'unknown', why: 'before the ledger' | 'no record links this build to it') => ({ service: 'api', number, title: `<b>${number}</b>`, url: 'javascript:x', tickets: [], a, b, why });
    const out = unknownPullRequestsHtml([u(1, 'in', 'unknown', 'before the ledger'), u(2, 'in', 'unknown', 'before the ledger'), u(3, 'unknown', 'out', 'no record links this build to it')], 'qa', 'prod', () => '/h/').value;
    expect(out).toContain('(3, not counted as in one only)');
    expect(out).toContain('<td>api</td><td>prod <span class="muted">(before the ledger)</span></td><td>2</td>');
    expect(out).toContain('<td>api</td><td>qa <span class="muted">(no record links this build to it)</span></td><td>1</td>');
    expect(out).not.toContain('<b>');
    expect(out).not.toContain('javascript:');
    expect(unknownPullRequestsHtml([], 'qa', 'prod', () => '/').value).toBe('');
  });

  it('says why it cannot tell: before the ledger (of that service), or no record links the build', () => {
    const pr = (number: number) => ({ number, title: `change ${number}`, author: 'dana', mergedBy: 'erin', mergedAt: '2026-03-11T01:00:00Z', reviewers: [] });
    const services = [{ name: 'api', repo: 'acme/api', sources: ['github'] }, { name: 'late', repo: 'acme/late', sources: ['github'] }];
    const d = (service: string, environment: string, version: string, deployedAt: string) => buildDeployment({ service, environment, version, deployedAt });
    const base = [d('api', 'qa', '1.0.0', '2026-03-09T10:00:00Z'), d('api', 'prod', '1.0.0', '2026-03-09T10:00:00Z')];
    const s1 = buildSnapshot({ takenAt: '2026-03-10T22:30:00Z', services: services.slice(0, 1), configs: [], deployments: [d('api', 'dev', '1.0.0', '2026-03-09T10:00:00Z'), ...base] });
    // The service `late` is recorded from 03-12 on; its prod build was deployed on 03-11, before the ledger knew it.
    const s2 = buildSnapshot({
      takenAt: '2026-03-12T22:30:00Z',
      services,
      configs: [],
      deployments: [d('api', 'dev', '1.2.0', '2026-03-11T10:00:00Z'), ...base, d('late', 'dev', '1.1.0', '2026-03-12T10:00:00Z'), d('late', 'prod', '1.0.0', '2026-03-11T10:00:00Z')],
      changes: [
        buildChange({ service: 'api', environment: 'dev', version: '1.2.0', fromCommit: commitFor('api-1.0.0'), deployedAt: '2026-03-11T10:00:00Z', pullRequests: [pr(7)] }),
        buildChange({ service: 'late', environment: 'dev', version: '1.1.0', fromCommit: commitFor('late-1.0.5'), deployedAt: '2026-03-12T10:00:00Z', pullRequests: [pr(9)] }),
      ],
    });
    // dev goes back to 1.1.0, a build it never ran: nothing links it to #7.
    const s3 = buildSnapshot({ ...s2, id: undefined, previous: null, takenAt: '2026-03-13T22:30:00Z', deployments: [d('api', 'dev', '1.1.0', '2026-03-13T10:00:00Z'), ...s2.deployments.filter((x) => !(x.service === 'api' && x.environment === 'dev'))], changes: [] });
    const index = buildLedgerIndex([s1, s2, s3]);
    const where = (service: string, n: number) => index.pullRequests.find((p) => p.service === service && p.number === n)!.now;
    expect(where('api', 7).dev).toEqual({ presence: 'unknown', version: '1.1.0', why: 'no record links this build to it' });
    expect(where('api', 7).qa).toEqual({ presence: 'out', version: '1.0.0' });
    expect(where('late', 9).prod).toEqual({ presence: 'unknown', version: '1.0.0', why: 'before the ledger' });
  });
});
