/**
 * Answers beyond findings, as plain functions the site and the CLI share:
 * blast radius (who depends on a service, per environment), where a pull
 * request or ticket is running, and drift age per pair of environments.
 */
import { deploymentHidden } from '../model/gaps.ts';
import semver from 'semver';
import type { Change, Deployment, Snapshot } from '../model/snapshot.ts';
import { parseVersion } from '../rules/index.ts';
import { computeDriftStates, driftKey } from '../snapshot/promotion.ts';
import { sameCommit } from '../model/build.ts';
import { DAY_MS } from '../model/time.ts';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface BlastRadiusDependent {
  /** The dependent service (or library). */
  service: string;
  /** 1 for a direct dependent, 2 for a dependent of a dependent, … */
  depth: number;
  /** What it depends on directly: the queried service at depth 1, else the dependent one level closer. */
  via: string;
  /** Its declared range for `via`, or null when the link is only known from built-in components. */
  range: string | null;
  /** The version of `via` it meets in this environment (deployed version, or its built-in component). */
  version: string | null;
  /** Whether that version satisfies the range; null when either is unknown or not a semantic version. */
  satisfied: boolean | null;
  /** The dependent's deployment here is unknown: a source gave no evidence for it (a gap), so it is kept, not dropped. */
  unknown?: boolean;
}

export interface BlastRadiusEntry {
  environment: string;
  dependents: BlastRadiusDependent[];
}

/**
 * For each environment of the path: everything that breaks if `service`
 * breaks there. Services count when deployed in that environment; libraries
 * always count (they run inside whatever embeds them). A link is a declared
 * `dependsOn` or, for a library, a service's `components`.
 */
export function blastRadius(snapshot: Pick<Snapshot, 'environments' | 'services' | 'deployments' | 'gaps'>, service: string): BlastRadiusEntry[] {
  const index = dependentsIndex(snapshot);
  return snapshot.environments.map(({ name: environment }) => {
    const { direct, deployed } = index.get(environment)!;
    const versionOf = (target: string, dependent: string): string | null => {
      if (index.kind.get(target) === 'library') return deployed.get(dependent)?.components?.[target] ?? null;
      return deployed.get(target)?.version ?? deployed.get(dependent)?.components?.[target] ?? null;
    };
    const seen = new Set([service]);
    const dependents: BlastRadiusDependent[] = [];
    let frontier = [service];
    for (let depth = 1; frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const via of frontier) {
        for (const { service: s, range } of direct.get(via) ?? []) {
          if (seen.has(s)) continue;
          seen.add(s);
          next.push(s);
          const version = versionOf(via, s);
          const satisfied = range === null || version === null ? null : satisfiesRange(version, range);
          const unknown = index.kind.get(s) !== 'library' && !deployed.has(s);
          dependents.push({ service: s, depth, via, range, version, satisfied, ...(unknown ? { unknown } : {}) });
        }
      }
      frontier = next.sort();
    }
    return { environment, dependents: dependents.sort((a, b) => a.depth - b.depth || cmp(a.service, b.service)) };
  });
}

/** `parseVersion(version)` satisfies `range`; null when the version is not semver. Cached: pure, and asked on every service page of every day. */
function satisfiesRange(version: string, range: string): boolean | null {
  const key = `${version}\u0000${range}`;
  const known = satisfiedCache.get(key);
  if (known !== undefined) return known;
  const parsed = parseVersion(version);
  const result = parsed === null ? null : semver.satisfies(parsed, range, { includePrerelease: true });
  if (satisfiedCache.size >= 100_000) satisfiedCache.clear();
  satisfiedCache.set(key, result);
  return result;
}
const satisfiedCache = new Map<string, boolean | null>();

type DependentsIndex = Map<string, { direct: Map<string, { service: string; range: string | null }[]>; deployed: Map<string, Deployment> }> & { kind: Map<string, string> };

/**
 * Who depends directly on whom, per environment, computed once per snapshot:
 * a day's site renders a page per service, and scanning every service for
 * every hop of every page was quadratic in the number of services.
 */
const dependentsIndexes = new WeakMap<object, DependentsIndex>();
function dependentsIndex(snapshot: Pick<Snapshot, 'environments' | 'services' | 'deployments' | 'gaps'>): DependentsIndex {
  const cached = dependentsIndexes.get(snapshot);
  if (cached) return cached;
  const kind = new Map(snapshot.services.map((s) => [s.name, s.kind as string]));
  const index = Object.assign(new Map(), { kind }) as DependentsIndex;
  for (const { name: environment } of snapshot.environments) {
    const deployed = new Map<string, Deployment>();
    for (const d of snapshot.deployments) if (d.environment === environment) deployed.set(d.service, d);
    const found = new Map<string, Map<string, string | null>>();
    const link = (target: string, dependent: string, range: string | null) => {
      let m = found.get(target);
      if (!m) found.set(target, (m = new Map()));
      if (!m.has(dependent)) m.set(dependent, range);
    };
    // Declared ranges first: they win over a link known only from built-in components.
    for (const s of snapshot.services) for (const [target, range] of Object.entries(s.dependsOn)) link(target, s.name, range);
    for (const d of deployed.values()) for (const target of Object.keys(d.components ?? {})) if (kind.get(target) === 'library') link(target, d.service, null);
    const direct = new Map<string, { service: string; range: string | null }[]>();
    for (const [target, m] of found) {
      direct.set(
        target,
        [...m.entries()]
          // A dependent whose deployment a gap hides stays in: unknown is not absent.
          .filter(([s]) => kind.get(s) === 'library' || deployed.has(s) || deploymentHidden(snapshot, s, environment) !== undefined)
          .map(([s, range]) => ({ service: s, range }))
          .sort((a, b) => cmp(a.service, b.service)),
      );
    }
    index.set(environment, { direct, deployed });
  }
  dependentsIndexes.set(snapshot, index);
  return index;
}

export interface ChangeLocation {
  environment: string;
  service: string;
  /** When the deployment that brought the change reached the environment. */
  since: string;
  /** The deployment that brought it. */
  via: { commit: string; version: string; fromCommit: string | null; deployedAt: string; pullRequests: { number: number; title: string; url?: string }[]; tickets: string[] };
  /** What runs there now (in the newest snapshot given), which contains the change. */
  current: { commit: string; version: string; deployedAt: string } | null;
}

/** `#123` / `123` is a pull request number; anything else a ticket key (case-insensitive), e.g. `PAY-12`. */
function matcher(query: string): (c: Change) => Change['pullRequests'] | null {
  const q = query.trim();
  const pr = /^#?(\d+)$/.exec(q);
  if (pr) {
    const n = Number(pr[1]);
    return (c) => {
      const hits = c.pullRequests.filter((p) => p.number === n);
      return hits.length ? hits : null;
    };
  }
  const key = q.toUpperCase();
  const inText = (text: string | undefined) => text !== undefined && new RegExp(`(^|[^A-Z0-9])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^0-9])`).test(text.toUpperCase());
  return (c) => {
    const hits = c.pullRequests.filter((p) => inText(p.title) || inText(p.branch));
    if (hits.length) return hits;
    return c.tickets.some((t) => t.toUpperCase() === key) ? [] : null;
  };
}

/**
 * Where a pull request or ticket is running, per service and environment,
 * since when and through which deployment, as of the newest snapshot given.
 * Pass the snapshots to search (oldest first; the site passes them all, the
 * CLI a window), or one snapshot to search only its `changes[]`. A change is
 * in an environment from the first deployment that brought it until a later
 * deployment went back to a commit from before it (a rollback).
 */
export function whereIsChange(snapshots: readonly Snapshot[] | Snapshot, query: string): ChangeLocation[] {
  const list = Array.isArray(snapshots) ? (snapshots as readonly Snapshot[]) : [snapshots as Snapshot];
  const latest = list[list.length - 1];
  if (!latest || !query.trim()) return [];
  const match = matcher(query);
  const unique = new Map<string, Change>();
  for (const s of list) for (const c of s.changes) unique.set([c.service, c.environment, c.commit, c.deployedAt].join('\u0000'), c);
  const sequences = new Map<string, Change[]>();
  for (const c of unique.values()) {
    const k = `${c.service}\u0000${c.environment}`;
    sequences.set(k, [...(sequences.get(k) ?? []), c]);
  }
  const current = new Map<string, Deployment>(latest.deployments.map((d) => [`${d.service}\u0000${d.environment}`, d]));
  const order = latest.environments.map((e) => e.name);
  const out: ChangeLocation[] = [];
  for (const [k, changes] of sequences) {
    changes.sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt) || cmp(a.commit, b.commit));
    let including: { change: Change; prs: Change['pullRequests'] } | null = null;
    let earlier = new Set<string>();
    const deployedBefore: string[] = [];
    for (const c of changes) {
      const prs = match(c);
      if (prs && !including) {
        including = { change: c, prs };
        earlier = new Set([...deployedBefore, ...(c.fromCommit ? [c.fromCommit] : [])]);
      } else if (including && [...earlier].some((e) => sameCommit(e, c.commit))) {
        including = null; // rolled back to a commit from before the change
      }
      deployedBefore.push(c.commit);
      if (c.fromCommit) deployedBefore.push(c.fromCommit);
    }
    if (!including) continue;
    const now = current.get(k);
    if (!now || Date.parse(now.deployedAt) < Date.parse(including.change.deployedAt) || [...earlier].some((e) => sameCommit(e, now.commit))) continue;
    const c = including.change;
    out.push({
      environment: c.environment,
      service: c.service,
      since: c.deployedAt,
      via: {
        commit: c.commit,
        version: c.version,
        fromCommit: c.fromCommit,
        deployedAt: c.deployedAt,
        pullRequests: including.prs.map((p) => ({ number: p.number, title: p.title, ...(p.url ? { url: p.url } : {}) })),
        tickets: c.tickets,
      },
      current: { commit: now.commit, version: now.version, deployedAt: now.deployedAt },
    });
  }
  const rank = (e: string) => (order.indexOf(e) < 0 ? order.length : order.indexOf(e));
  return out.sort((a, b) => cmp(a.service, b.service) || rank(a.environment) - rank(b.environment));
}

export interface DriftAge {
  service: string;
  lower: string;
  higher: string;
  /** Since when the two have run different builds. */
  since: string;
  /** Days from `since` to the snapshot, one decimal. */
  days: number;
}

/**
 * Drift age per pair of neighbouring environments that differ, as the snapshot
 * recorded it in `tracking.driftSince`; for a snapshot without `tracking`, an
 * estimate from its own deployments (the later arrival: at least that old).
 */
export function driftAges(snapshot: Snapshot): DriftAge[] {
  // Computed once per snapshot: every matrix of a day's pages asks (the result is not mutated by callers).
  const cached = driftAgeCache.get(snapshot);
  if (cached) return cached;
  const ages = computeDriftAges(snapshot);
  driftAgeCache.set(snapshot, ages);
  return ages;
}
const driftAgeCache = new WeakMap<Snapshot, DriftAge[]>();

function computeDriftAges(snapshot: Snapshot): DriftAge[] {
  const now = Date.parse(snapshot.takenAt);
  const recorded = snapshot.tracking?.driftSince;
  return computeDriftStates({ deployments: snapshot.deployments, environments: snapshot.environments, previous: null })
    .map((s) => {
      const since = recorded?.[driftKey(s.service, s.lower, s.higher)] ?? s.since;
      return { service: s.service, lower: s.lower, higher: s.higher, since, days: Math.floor(((now - Date.parse(since)) / DAY_MS) * 10) / 10 };
    })
    .sort((a, b) => b.days - a.days || cmp(a.service, b.service) || cmp(a.lower, b.lower));
}
