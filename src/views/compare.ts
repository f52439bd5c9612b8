/**
 * Two environments of one snapshot side by side: the ledger's
 * `diffEnvironments` (versions, differing config keys), the secret keys that
 * are the same on both sides ("unchanged (redacted)"), and the pull requests
 * one environment's build contains and the other's does not, or where the
 * ledger cannot tell (docs/pull-requests.md).
 */
import { diffEnvironments, secretConfigKeys, type EnvironmentDiff } from '../ledger/index.ts';
import { differentBuilds } from '../model/build.ts';
import { deploymentHidden } from '../model/gaps.ts';
import type { Deployment, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { buildPresence, byService, lineageFactCount, unknownWhy, type LedgerIndex, type PrEntry, type PrPresence, type UnknownWhy } from './history.ts';

export interface PrBetween {
  service: string;
  number: number;
  title: string;
  url: string | undefined;
  tickets: string[];
  /** The environment whose build contains it (the other one's does not). */
  in: 'a' | 'b';
}

/** A pull request the ledger cannot place on one side or both: its builds differ, and no evidence says whether one contains it. */
export interface PrUnknownBetween {
  service: string;
  number: number;
  title: string;
  url: string | undefined;
  tickets: string[];
  a: PrPresence;
  b: PrPresence;
  why: UnknownWhy;
}

export interface EnvironmentComparison {
  diff: EnvironmentDiff;
  /** Secret keys present in both environments whose fingerprints match: shown as "unchanged (redacted)". */
  unchangedSecrets: { service: string; key: string }[];
  pullRequests: PrBetween[];
  /** Pull requests whose presence on a side is unknown, where the two sides run different builds. */
  unknownPullRequests: PrUnknownBetween[];
}

/**
 * The compare pages a day has, as ordered pairs (lower, higher) of the
 * promotion path: each environment against the next one and against every
 * production environment (`production` names them; none marked, the path's
 * last) — the pairs a release owner or an auditor reads. Every pair at three
 * environments or fewer. The rest (6 of 15 at six environments, a third of
 * the compare pages' bytes) are one `release-ledger diff A@D B@D` away
 * (docs/site.md, "Which environments are compared").
 */
export function comparePairs(environments: readonly string[], production: readonly string[]): [string, string][] {
  const marked = environments.filter((e) => production.includes(e));
  const ends = new Set(marked.length > 0 ? marked : environments.slice(-1));
  const pairs: [string, string][] = [];
  environments.forEach((a, i) =>
    environments.slice(i + 1).forEach((b, j) => {
      if (environments.length <= 3 || j === 0 || ends.has(a) || ends.has(b)) pairs.push([a, b]);
    }),
  );
  return pairs;
}

/** `comparePairs` of a snapshot's promotion path. */
export function snapshotComparePairs(snapshot: Pick<Snapshot, 'environments'>): [string, string][] {
  return comparePairs(
    snapshot.environments.map((e) => e.name),
    snapshot.environments.filter((e) => e.production).map((e) => e.name),
  );
}

export function compareEnvironments(snapshot: Snapshot, a: string, b: string, index?: LedgerIndex): EnvironmentComparison {
  const diff = diffEnvironments(snapshot, a, b);
  const differing = new Set(diff.configs.map((c) => `${c.service}\u0000${c.key}`));
  const inB = secretConfigKeys(snapshot.configs, b);
  const unchangedSecrets = [...secretConfigKeys(snapshot.configs, a)]
    .filter((k) => inB.has(k) && !differing.has(k))
    .sort(compareText)
    .map((k) => {
      // A service name never holds NUL (NAME_PATTERN); a config key may, so split at the first one only.
      const cut = k.indexOf('\u0000');
      return { service: k.slice(0, cut), key: k.slice(cut + 1) };
    });
  const pullRequests: PrBetween[] = [];
  const unknownPullRequests: PrUnknownBetween[] = [];
  if (index) {
    const [ia, ib] = [a, b].map((name) => snapshot.environments.findIndex((e) => e.name === name)) as [number, number];
    for (const rows of partlyDeployed(snapshot, index)) {
      const between = rowsBetween(rows, ia, ib);
      for (const pr of between.pullRequests) pullRequests.push(pr);
      for (const pr of between.unknownPullRequests) unknownPullRequests.push(pr);
    }
  }
  return { diff, unchangedSecrets, pullRequests, unknownPullRequests };
}

/**
 * A service's pull requests in one environment (at position `ia` of the
 * snapshot's) but not the other (`ib`), or unknown in either, from its rows.
 * Kept with the rows for each pair: a service's rows are the same object from
 * one day to the next while nothing they depend on changed (`partlyDeployed`),
 * and at three years × 500 services each of a day's nine pairs went through all
 * of the day's rows (67,000 unknown pull requests between them). The rows'
 * places are by position in the snapshot's environments, which those rows' key includes.
 */
const betweenCache = new WeakMap<PartlyDeployed[], Map<string, Pick<EnvironmentComparison, 'pullRequests' | 'unknownPullRequests'>>>();
function rowsBetween(rows: PartlyDeployed[], ia: number, ib: number): Pick<EnvironmentComparison, 'pullRequests' | 'unknownPullRequests'> {
  let byPair = betweenCache.get(rows);
  if (!byPair) betweenCache.set(rows, (byPair = new Map()));
  const pair = `${ia} ${ib}`;
  const cached = byPair.get(pair);
  if (cached) return cached;
  const pullRequests: PrBetween[] = [];
  const unknownPullRequests: PrUnknownBetween[] = [];
  for (const { pr, where } of rows) {
    const [x, y] = [where[ia], where[ib]];
    // The same build on both sides contains the same pull requests (src/model/build.ts decides "the same build").
    if (!x || !y || x.build === y.build) continue;
    const [pa, pb] = [x.presence, y.presence];
    if (pa === pb && pa !== 'unknown') continue;
    if (pa === 'unknown' || pb === 'unknown') {
      const why = x.why === 'before the ledger' || y.why === 'before the ledger' ? 'before the ledger' : (x.why ?? y.why)!;
      unknownPullRequests.push({ service: pr.service, number: pr.number, title: pr.title, url: pr.url, tickets: pr.tickets, a: pa, b: pb, why });
    } else pullRequests.push({ service: pr.service, number: pr.number, title: pr.title, url: pr.url, tickets: pr.tickets, in: pa === 'in' ? 'a' : 'b' });
  }
  const between = { pullRequests, unknownPullRequests };
  byPair.set(pair, between);
  return between;
}

/** Where one pull request is in one environment of a snapshot: `build` numbers the distinct builds of its service there (equal: the same build). */
interface Place {
  build: number;
  presence: PrPresence;
  why?: UnknownWhy;
}

/** A pull request and its place in each of the snapshot's environments, by their position in `snapshot.environments`. */
interface PartlyDeployed {
  pr: PrEntry;
  where: Place[];
}

/**
 * The pull requests whose presence differs between some of the snapshot's
 * environments at its time (as the ledger knew in that snapshot), with where
 * they are. One pass serves all of a day's compare pages: checking every pull
 * request for each of the 15 pairs of 6 environments made three years of
 * history cost minutes a day. A service running the same build everywhere is
 * skipped whole.
 */
const partlyDeployedCache = new WeakMap<Snapshot, WeakMap<LedgerIndex, PartlyDeployed[][]>>();
/** Per index, each service's rows as last computed, with what they depend on (pages come day by day). */
const lastRowsCache = new WeakMap<LedgerIndex, Map<string, { key: string; rows: PartlyDeployed[] }>>();
function partlyDeployed(snapshot: Snapshot, index: LedgerIndex): PartlyDeployed[][] {
  let byIndex = partlyDeployedCache.get(snapshot);
  if (!byIndex) partlyDeployedCache.set(snapshot, (byIndex = new WeakMap()));
  const cached = byIndex.get(index);
  if (cached) return cached;
  const names = snapshot.environments.map((e) => e.name);
  const deployed = new Map<string, Map<string, Deployment>>();
  for (const d of snapshot.deployments) {
    let held = deployed.get(d.service);
    if (!held) deployed.set(d.service, (held = new Map()));
    held.set(d.environment, d);
  }
  const out: PartlyDeployed[][] = [];
  let lastRows = lastRowsCache.get(index);
  if (!lastRows) lastRowsCache.set(index, (lastRows = new Map()));
  for (const [service, prs] of byService(index).pullRequests) {
    const here = deployed.get(service);
    // Each environment's build, numbered so that the same build (by differentBuilds) gets the same number.
    const builds: Deployment[] = [];
    const sides: { environment: string; build: number; deployment: Deployment | null; hidden: boolean; presence: ((number: number) => PrPresence) | null }[] = [];
    for (const environment of names) {
      const d = here?.get(environment) ?? null;
      let build = -1;
      if (d) {
        build = builds.findIndex((b) => !differentBuilds(b, d));
        if (build < 0) build = builds.push(d) - 1;
      }
      sides.push({ environment, build, deployment: d, hidden: d === null && deploymentHidden(snapshot, service, environment) !== undefined, presence: null });
    }
    if (builds.length <= 1 && sides.every((x) => x.deployment !== null)) continue;
    // The rows depend only on the pull requests known by then, the lineage facts known by then and each
    // side's build: a service none of those changed for since the day before gets the same rows.
    let known = 0;
    for (const pr of prs) if (pr.snapshot <= snapshot.id) known++;
    const key = [known, lineageFactCount(index, service, snapshot.id), ...sides.map((x) => [x.environment, x.build, x.deployment?.commit ?? '', x.deployment?.deployedAt ?? '', x.hidden].join('\u0000'))].join('\u0001');
    const held = lastRows.get(service);
    if (held && held.key === key) {
      out.push(held.rows);
      continue;
    }
    const rows: PartlyDeployed[] = [];
    // What each side's build contains is found once for all of the service's pull requests.
    for (const side of sides) if (side.deployment) side.presence = buildPresence(index, service, side.deployment.commit, snapshot.id);
    for (const pr of prs) {
      if (pr.snapshot > snapshot.id) continue;
      const where: Place[] = [];
      for (const side of sides) {
        const d = side.deployment;
        if (d) {
          const presence = side.presence!(pr.number);
          where.push(presence === 'unknown' ? { build: side.build, presence, why: unknownWhy(index, service, d.deployedAt, pr.mergedAt) } : { build: side.build, presence });
        } else where.push(side.hidden ? { build: -2, presence: 'unknown', why: 'a source gave no evidence' } : { build: -1, presence: 'out' });
      }
      if (where.some((p) => p.presence !== where[0]!.presence || p.presence === 'unknown')) rows.push({ pr, where });
    }
    lastRows.set(service, { key, rows });
    out.push(rows);
  }
  byIndex.set(index, out);
  return out;
}

export interface ExpectedDifference {
  key: string;
  redacted: boolean;
  /** Why these secrets cannot be compared (see `ConfigEnvironmentDiff.notComparable`), or null. */
  notComparable: string | null;
  /** Services whose value of `key` differs, each declaring it environment-specific. */
  services: string[];
}

/**
 * A compare page's configuration section at 500 services: the differences a
 * service did not declare environment-specific are what an auditor looks
 * for, so they are listed value by value; the expected ones (`DATABASE_URL`
 * in every service) are grouped by key, naming the services.
 */
export function groupConfigDifferences(configs: EnvironmentDiff['configs']): { undeclared: EnvironmentDiff['configs']; expected: ExpectedDifference[] } {
  const undeclared = configs.filter((c) => !c.envSpecific);
  const groups = new Map<string, { key: string; redacted: boolean; notComparable: string | null; services: Set<string> }>();
  for (const c of configs) {
    if (!c.envSpecific) continue;
    const id = `${c.key}\u0000${c.redacted}\u0000${c.notComparable}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: c.key, redacted: c.redacted, notComparable: c.notComparable, services: new Set() }));
    group.services.add(c.service);
  }
  const expected = [...groups.values()].map((g) => ({ ...g, services: [...g.services].sort(compareText) })).sort((x, y) => compareText(x.key, y.key) || Number(x.redacted) - Number(y.redacted) || compareText(x.notComparable ?? '', y.notComparable ?? ''));
  return { undeclared, expected };
}

/** Secret keys that match on both sides, grouped by key: key → services. */
export function groupUnchangedSecrets(secrets: EnvironmentComparison['unchangedSecrets']): { key: string; services: string[] }[] {
  // Appended in place: copying the list for each of a key's 500 services was quadratic.
  const groups = new Map<string, string[]>();
  for (const s of secrets) {
    const held = groups.get(s.key);
    if (held) held.push(s.service);
    else groups.set(s.key, [s.service]);
  }
  return [...groups.entries()].sort(([x], [y]) => compareText(x, y)).map(([key, services]) => ({ key, services: services.sort(compareText) }));
}

/** Undeclared differences with the same key and the same two values, and the services that have them (sorted). */
export interface UndeclaredGroup {
  key: string;
  a: string | null;
  b: string | null;
  redacted: boolean;
  notComparable: string | null;
  services: string[];
}

/**
 * A compare page's undeclared differences, grouped by key and value pair: a
 * flag that differs the same way in 250 services is one row naming them, not
 * 250 rows repeating the key, the values and the verdict (issue 23). Every
 * value pair still shows, and every service.
 */
export function groupUndeclared(configs: EnvironmentDiff['configs']): UndeclaredGroup[] {
  // Services gathered in a set: `includes` on a group of 500 services was quadratic.
  const groups = new Map<string, Omit<UndeclaredGroup, 'services'> & { services: Set<string> }>();
  for (const c of configs) {
    if (c.envSpecific) continue;
    const id = JSON.stringify([c.key, c.a, c.b, c.redacted, c.notComparable]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: c.key, a: c.a, b: c.b, redacted: c.redacted, notComparable: c.notComparable, services: new Set() }));
    group.services.add(c.service);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, services: [...g.services].sort(compareText) }))
    .sort((x, y) => compareText(x.key, y.key) || compareText(x.a ?? '', y.a ?? '') || compareText(x.b ?? '', y.b ?? '') || compareText(x.services[0]!, y.services[0]!));
}

/** Which of a snapshot's services a group holds, in the fewest names: all of them, all but a few, or the few themselves. */
export type ServiceSet = { kind: 'all'; count: number } | { kind: 'all-but'; count: number; of: number; except: string[] } | { kind: 'only'; names: string[] };

/**
 * `universe`: every service of the snapshot. A group holding more than half
 * of them is said by the ones it lacks ("all but svc-0003"), so the
 * `DATABASE_URL` that differs in each of 500 services costs no list at all.
 */
export function serviceSet(services: readonly string[], universe: readonly string[]): ServiceSet {
  const names = [...new Set(services)].sort(compareText);
  // Once per universe: a compare page asks for each of its hundreds of groups, with the same 500 services.
  const all = universes.get(universe) ?? new Set(universe);
  universes.set(universe, all);
  if (names.some((n) => !all.has(n)) || names.length * 2 <= all.size) return { kind: 'only', names };
  if (names.length === all.size) return { kind: 'all', count: names.length };
  const held = new Set(names);
  return { kind: 'all-but', count: names.length, of: all.size, except: [...all].filter((n) => !held.has(n)).sort(compareText) };
}

const universes = new WeakMap<readonly string[], ReadonlySet<string>>();

/** "in all 500 services", "in 498 of the 500 services: all but a, b", "in 2 services: a, b". */
export function serviceSetText(set: ServiceSet): string {
  if (set.kind === 'all') return `in all ${set.count} service${set.count === 1 ? '' : 's'}`;
  if (set.kind === 'all-but') return `in ${set.count} of the ${set.of} services: all but ${set.except.join(', ')}`;
  return `in ${set.names.length} service${set.names.length === 1 ? '' : 's'}: ${set.names.join(', ')}`;
}
