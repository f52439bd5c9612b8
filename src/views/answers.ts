/**
 * Answers beyond findings, as plain functions the site and the CLI share:
 * blast radius (who depends on a service, per environment) and drift age per
 * pair of environments. Where a pull request is running is history.ts's
 * `prPresence` (docs/pull-requests.md).
 */
import { deploymentHidden } from '../model/gaps.ts';
import type { Deployment, Snapshot } from '../model/snapshot.ts';
import { DAY_MS } from '../model/time.ts';
import { dependencyVersion, versionSatisfies } from '../model/version.ts';
import { computeDriftStates, driftKey } from '../snapshot/promotion.ts';

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
    const versionOf = (target: string, dependent: string): string | null =>
      dependencyVersion({ isLibrary: index.kind.get(target) === 'library', fromComponents: deployed.get(dependent)?.components?.[target], deployedVersion: deployed.get(target)?.version }) ?? null;
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
          const satisfied = range === null || version === null ? null : versionSatisfies(version, range);
          const unknown = index.kind.get(s) !== 'library' && !deployed.has(s);
          dependents.push({ service: s, depth, via, range, version, satisfied, ...(unknown ? { unknown } : {}) });
        }
      }
      frontier = next.sort();
    }
    return { environment, dependents: dependents.sort((a, b) => a.depth - b.depth || cmp(a.service, b.service)) };
  });
}


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
