/**
 * Delivery statistics over a window ending at the newest snapshot (never at
 * the build time): deployment frequency, lead time from merge to each
 * environment, time spent in each stage, rollbacks.
 */
import { byService, type LedgerIndex } from './history.ts';
import { compareText, groupByService } from './format.ts';

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
  from: string;
  to: string;
  environments: EnvironmentStats[];
  services: ServiceStats[];
}

export function distribution(values: number[]): Distribution {
  if (values.length === 0) return { count: 0, median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, median: at(0.5), p90: at(0.9) };
}

/** The start of the longest window: older history matters only through first arrivals of commits deployed since. */
function horizon(index: LedgerIndex): string {
  return new Date(Date.parse(index.asOf ?? '1970-01-01T00:00:00Z') - Math.max(...STAT_WINDOWS) * 86_400_000).toISOString();
}

/**
 * First arrival of each (service, commit) in each environment, over all
 * history, for the commits deployed inside the longest window (the only ones
 * a stage time is asked of): once per index, shared by the windows. Keying
 * every event of three years was most of `/stats/`'s nightly cost.
 */
const firstArrivalCache = new WeakMap<LedgerIndex, Map<string, string>>();
function firstArrivals(index: LedgerIndex): Map<string, string> {
  let firstArrival = firstArrivalCache.get(index);
  if (firstArrival) return firstArrival;
  const since = horizon(index);
  const recent = new Set<string>();
  for (const e of index.events) if (e.deployedAt > since) recent.add(e.commit);
  firstArrival = new Map<string, string>();
  for (const e of index.events) {
    if (!recent.has(e.commit)) continue;
    const k = `${e.service}\u0000${e.commit}\u0000${e.environment}`;
    const seen = firstArrival.get(k);
    if (seen === undefined || e.deployedAt < seen) firstArrival.set(k, e.deployedAt);
  }
  firstArrivalCache.set(index, firstArrival);
  return firstArrival;
}

/** Per environment, each pull request's first arrival there (inside the longest window) and its lead time from merge, in index order; once per index. */
const leadTimeCache = new WeakMap<LedgerIndex, Map<string, { since: string; ms: number }[]>>();
function leadTimes(index: LedgerIndex, environment: string): { since: string; ms: number }[] {
  let byEnvironment = leadTimeCache.get(index);
  if (!byEnvironment) leadTimeCache.set(index, (byEnvironment = new Map()));
  let list = byEnvironment.get(environment);
  if (!list) {
    const since = horizon(index);
    list = [];
    for (const pr of index.pullRequests) {
      const first = pr.environments[environment]?.[0];
      if (pr.mergedAt && first && first.since > since) list.push({ since: first.since, ms: Date.parse(first.since) - Date.parse(pr.mergedAt) });
    }
    byEnvironment.set(environment, list);
  }
  return list;
}

/** Stats for a window of `days` days (one of STAT_WINDOWS, or shorter) ending at `index.asOf`. */
export function windowStats(index: LedgerIndex, days: number): WindowStats | null {
  if (days > Math.max(...STAT_WINDOWS)) throw new RangeError(`windowStats: ${days} days is longer than the longest window (${Math.max(...STAT_WINDOWS)})`);
  if (!index.asOf) return null;
  const to = index.asOf;
  const from = new Date(Date.parse(to) - days * 86_400_000).toISOString();
  const inWindow = (t: string) => t > from && t <= to;
  const events = index.events.filter((e) => inWindow(e.deployedAt));
  const firstArrival = firstArrivals(index);
  const environments = index.environments.map((environment, i): EnvironmentStats => {
    const envEvents = events.filter((e) => e.environment === environment);
    const lead = leadTimes(index, environment)
      .filter((x) => inWindow(x.since))
      .map((x) => x.ms);
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
      perDay: Math.round((envEvents.length / days) * 100) / 100,
      rollbacks: envEvents.filter((e) => e.rollback).length,
      leadTime: distribution(lead),
      stage,
    };
  });
  const last = index.environments[index.environments.length - 1];
  // Grouped by service first: scanning every pull request for each of 500 services was 5 s a build at three years.
  const eventsOf = groupByService(events);
  const prsOf = byService(index).pullRequests;
  const services = [...eventsOf.keys()].sort(compareText).map((service): ServiceStats => {
    const mine = eventsOf.get(service)!;
    const lead: number[] = [];
    if (last !== undefined)
      for (const pr of prsOf.get(service) ?? []) {
        const first = pr.environments[last]?.[0];
        if (pr.mergedAt && first && inWindow(first.since)) lead.push(Date.parse(first.since) - Date.parse(pr.mergedAt));
      }
    return { service, deployments: mine.length, rollbacks: mine.filter((e) => e.rollback).length, leadTimeToLast: distribution(lead) };
  });
  return { days, from, to, environments, services };
}
