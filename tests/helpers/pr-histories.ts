/**
 * Generated release histories with their git truth, for the pull-request
 * presence tests (tests/site/pull-request-presence.test.ts,
 * tests/reliability/pull-requests.test.ts; docs/pull-requests.md).
 *
 * Each service has one main line of commits `1.K.0` (K = 0, 1, …); commit K
 * merges pull requests `100K` and `100K + 1`, so build K contains exactly
 * the pull requests of commits 1..K. Environments start before the ledger on
 * builds of that line (some change records from then name a previous build,
 * some do not), then night by night dev gets new commits (sometimes two
 * deployments a night, the first never seen by a snapshot), builds are
 * promoted up the path, and an environment sometimes rolls back to a build it
 * ran before. Change records list what GitHub's compare of the previous
 * deployment and the new one would: the pull requests of the commits in
 * between, none for a rollback; some are missing (a source gap), and every
 * night repeats the records of the builds running.
 *
 * `plainPresence` reads the raw snapshot JSON in plain lines, sharing no code
 * with the views: the independent answer the views are checked against.
 */
import fc from 'fast-check';
import type { Change, Deployment, Snapshot } from '../../src/model/index.ts';
import { buildChange, buildDeployment, buildSnapshot, commitFor } from './snapshot-builder.ts';

export const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'];
export const SERVICES = ['api', 'web'];
const DAY = 86_400_000;
const START = Date.parse('2026-03-01T22:30:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const commit = (service: string, k: number) => commitFor(`${service}-1.${k}.0`);
/** The pull requests commit k merged (none for the root commit). */
const prsOf = (k: number) => (k === 0 ? [] : [100 * k, 100 * k + 1]);
/** When commit k was merged: commits up to 3 before the ledger, the others a night apart after. */
const mergedAt = (k: number) => iso(START + (k - 4) * DAY / 2);

/** The git truth: build K contains pull request n when n's commit is at most K. */
export const contains = (k: number, n: number) => Math.floor(n / 100) <= k;

interface Cell {
  k: number;
  deployedAt: number;
  /** Builds this environment ran, in the ledger's view (for rollbacks). */
  ran: number[];
}

type Step = { kind: 'new'; twice: boolean } | { kind: 'promote'; env: number } | { kind: 'rollback'; env: number } | { kind: 'drop-record'; env: number };

export const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('new' as const), twice: fc.boolean() }),
  fc.record({ kind: fc.constant('promote' as const), env: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('rollback' as const), env: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('drop-record' as const), env: fc.integer({ min: 0, max: 3 }) }),
);

export const history = fc.record({
  /** Per service, per environment (dev first): how far behind the one below it is at the start, and the build before that (or none). */
  start: fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), fc.array(fc.option(fc.integer({ min: 1, max: 2 })), { minLength: 4, maxLength: 4 })), { minLength: 2, maxLength: 2 }),
  nights: fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), step), { maxLength: 4 }), { minLength: 1, maxLength: 8 }),
});

export type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

/** A generated ledger: its snapshots and, per snapshot, the true build (K) of every service in every environment. */
export function generate(h: History): { snapshots: Snapshot[]; truth: Map<string, number>[] } {
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
export function plainPresence(raw: any[], asOf: string): { known: (service: string) => number[]; presence: (service: string, commitSha: string, pr: number) => 'in' | 'out' | 'unknown' } {
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
