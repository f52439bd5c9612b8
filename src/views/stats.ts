/**
 * Delivery statistics over a window ending at the newest snapshot (never at
 * the build time): deployment frequency, lead time from merge to each
 * environment, time spent in each stage, rollbacks. The conventions they
 * follow are stated on the page (`STATS_CONVENTIONS`, `windowNote`).
 */
import { snapshotIdToDate } from '../ledger/ids.ts';
import type { DeployEvent, LedgerIndex } from './history.ts';
import { compareText, formatTime, groupByService } from './format.ts';

export const STAT_WINDOWS = [7, 30, 90] as const;

export interface Distribution {
  count: number;
  /** Milliseconds; null without data. */
  median: number | null;
  p90: number | null;
}

export interface EnvironmentStats {
  environment: string;
  deployments: number;
  /** Deployments per day over the window. */
  perDay: number;
  rollbacks: number;
  /** From a pull request's merge to its arrival in this environment. */
  leadTime: Distribution;
  /** From a commit's first arrival in the previous environment to its arrival here (null for the first environment). */
  stage: Distribution | null;
}

export interface ServiceStats {
  service: string;
  deployments: number;
  rollbacks: number;
  /** Lead time from merge to the last environment of the path. */
  leadTimeToLast: Distribution;
}

export interface WindowStats {
  days: number;
  /** Where the window counts from: `to` less `days`, or the first snapshot when that is later (`clipped`). */
  from: string;
  to: string;
  /** `to` less `days`: where the window would begin. */
  requestedFrom: string;
  /** The window would begin before the first snapshot: it counts from the first snapshot instead, and says so. */
  clipped: boolean;
  /** Days from `from` to `to` (what per-day rates divide by), two decimals. */
  spanDays: number;
  environments: EnvironmentStats[];
  services: ServiceStats[];
}

/**
 * The conventions of every figure on `/stats/`, stated on the page so a
 * reader can recompute them (issue 25).
 */
export const STATS_CONVENTIONS: readonly string[] = [
  'Median and p90 are nearest-rank values: the median of an even number of samples is the lower of the two middle ones, and p90 is the sample at rank ⌈0.9 n⌉.',
  'A window ends at the newest snapshot. A window that would begin before the first snapshot counts from the first snapshot instead, and says so; deployments before it are not counted, even where the first snapshot records them, and per-day rates divide by the days actually covered.',
  "Only deployments the ledger recorded count: a stage sample is a commit's first recorded arrival in an environment inside the window, measured from its first recorded arrival in the previous environment; a commit with no recorded arrival in the previous environment is not a sample, and rollbacks are not samples.",
  "Lead time runs from a pull request's merge to its first arrival in each environment, for arrivals inside the window.",
];

/** What a window that starts before the ledger must say, or null. */
export function windowNote(w: WindowStats): string | null {
  if (!w.clipped) return null;
  return `The last ${w.days} days would begin at ${formatTime(w.requestedFrom)}, before the first snapshot (${formatTime(w.from)}): this window counts from the first snapshot, ${w.spanDays} days.`;
}

/** `takenAt` of the first snapshot of the index, or null when it has none. */
function ledgerStart(index: LedgerIndex): string | null {
  const first = index.days[0]?.ids[0];
  return first === undefined ? null : snapshotIdToDate(first).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function distribution(values: number[]): Distribution {
  if (values.length === 0) return { count: 0, median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, median: at(0.5), p90: at(0.9) };
}

interface Arrival {
  service: string;
  /** The pull request's first arrival in the environment. */
  since: string;
  /** Lead time from its merge. */
  ms: number;
}

/** What the windows need of the whole history, once per index: the windows read only the part inside the longest one. */
interface RecentHistory {
  /** Deployment events inside the longest window. */
  events: DeployEvent[];
  /** Per environment, pull requests whose first arrival there is inside the longest window. */
  arrivals: Map<string, Arrival[]>;
  /**
   * First arrival of each (service, commit) in each environment over all
   * history, for the commits deployed inside the longest window (the only ones
   * a stage time is asked of).
   */
  firstArrival: Map<string, string>;
}

/**
 * One pass over three years of events and pull requests, shared by the
 * windows. Keying every event and looking every pull request up per
 * environment and window was most of `/stats/`'s nightly cost (1.2 s).
 */
const recentCache = new WeakMap<LedgerIndex, RecentHistory>();
function recentHistory(index: LedgerIndex): RecentHistory {
  let recent = recentCache.get(index);
  if (recent) return recent;
  const since = new Date(Date.parse(index.asOf ?? '1970-01-01T00:00:00Z') - Math.max(...STAT_WINDOWS) * 86_400_000).toISOString();
  const events = index.events.filter((e) => e.deployedAt > since);
  const commits = new Set(events.map((e) => e.commit));
  const firstArrival = new Map<string, string>();
  for (const e of index.events) {
    if (!commits.has(e.commit)) continue;
    const k = `${e.service}\u0000${e.commit}\u0000${e.environment}`;
    const seen = firstArrival.get(k);
    if (seen === undefined || e.deployedAt < seen) firstArrival.set(k, e.deployedAt);
  }
  const arrivals = new Map<string, Arrival[]>(index.environments.map((environment) => [environment, []]));
  for (const pr of index.pullRequests) {
    if (!pr.mergedAt) continue;
    for (const environment in pr.environments) {
      const first = pr.environments[environment]![0];
      // Only an arrival the ledger saw happen counts (docs/pull-requests.md): a build from before the ledger may have brought it earlier.
      if (first && first.exact && first.since > since) arrivals.get(environment)?.push({ service: pr.service, since: first.since, ms: Date.parse(first.since) - Date.parse(pr.mergedAt) });
    }
  }
  recent = { events, arrivals, firstArrival };
  recentCache.set(index, recent);
  return recent;
}

/** Stats for a window of `days` days (one of STAT_WINDOWS, or shorter) ending at `index.asOf`. */
export function windowStats(index: LedgerIndex, days: number): WindowStats | null {
  if (days > Math.max(...STAT_WINDOWS)) throw new RangeError(`windowStats: ${days} days is longer than the longest window (${Math.max(...STAT_WINDOWS)})`);
  if (!index.asOf) return null;
  const to = index.asOf;
  const requestedFrom = new Date(Date.parse(to) - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const start = ledgerStart(index);
  const clipped = start !== null && start > requestedFrom;
  const from = clipped ? start : requestedFrom;
  const spanDays = Math.round(((Date.parse(to) - Date.parse(from)) / 86_400_000) * 100) / 100;
  const inWindow = (t: string) => t > from && t <= to;
  const recent = recentHistory(index);
  const events = recent.events.filter((e) => inWindow(e.deployedAt));
  const firstArrival = recent.firstArrival;
  const environments = index.environments.map((environment, i): EnvironmentStats => {
    const envEvents = events.filter((e) => e.environment === environment);
    const lead = (recent.arrivals.get(environment) ?? []).filter((x) => inWindow(x.since)).map((x) => x.ms);
    let stage: Distribution | null = null;
    if (i > 0) {
      const previous = index.environments[i - 1]!;
      const values: number[] = [];
      for (const e of envEvents) {
        if (e.rollback) continue;
        const here = firstArrival.get(`${e.service}\u0000${e.commit}\u0000${environment}`);
        const before = firstArrival.get(`${e.service}\u0000${e.commit}\u0000${previous}`);
        if (here === e.deployedAt && before !== undefined && before <= here) values.push(Date.parse(here) - Date.parse(before));
      }
      stage = distribution(values);
    }
    return {
      environment,
      deployments: envEvents.length,
      perDay: spanDays > 0 ? Math.round((envEvents.length / spanDays) * 100) / 100 : 0,
      rollbacks: envEvents.filter((e) => e.rollback).length,
      leadTime: distribution(lead),
      stage,
    };
  });
  const last = index.environments[index.environments.length - 1];
  const eventsOf = groupByService(events);
  const leadToLast = groupByService(last === undefined ? [] : (recent.arrivals.get(last) ?? []).filter((x) => inWindow(x.since)));
  const services = [...eventsOf.keys()].sort(compareText).map((service): ServiceStats => {
    const mine = eventsOf.get(service)!;
    const lead = (leadToLast.get(service) ?? []).map((x) => x.ms);
    return { service, deployments: mine.length, rollbacks: mine.filter((e) => e.rollback).length, leadTimeToLast: distribution(lead) };
  });
  return { days, from, to, requestedFrom, clipped, spanDays, environments, services };
}
