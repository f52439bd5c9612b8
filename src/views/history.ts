/**
 * One pass over the whole ledger, oldest first, keeping only what the
 * cross-day pages need (service histories, where each pull request is, stats,
 * the list of days). The site never holds every snapshot at once: it feeds
 * them here one by one and keeps this compact index.
 */
import semver from 'semver';
import type { Severity, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { summariseFindings } from './findings.ts';
import { RevisionTracker } from './revisions.ts';

export interface DeployEvent {
  service: string;
  environment: string;
  version: string;
  commit: string;
  deployedAt: string;
  deployedBy: string;
  fromVersion: string | null;
  fromCommit: string | null;
  /** The first snapshot that recorded it. */
  snapshot: string;
  /** It went back to a commit that ran there before, or to a lower semver version. */
  rollback: boolean;
}

/** A stretch of time a pull request was running in an environment. */
export interface PrInterval {
  since: string;
  /** When a rollback took it out; null while it is still there. */
  until: string | null;
  /** The snapshot that recorded the rollback, when there was one. */
  untilSnapshot?: string;
  version: string;
  /** The snapshot that first recorded it there. */
  snapshot: string;
}

export interface PrEntry {
  service: string;
  number: number;
  title: string;
  author: string;
  mergedAt: string | null;
  url: string | undefined;
  branch: string | undefined;
  tickets: string[];
  /** Environment → the intervals it ran there, oldest first. */
  environments: Record<string, PrInterval[]>;
}

export interface DaySummary {
  date: string;
  ids: string[];
  lastId: string;
  openFindings: number;
  worst: Severity | null;
  excepted: number;
  gaps: number;
  /** Deployments first recorded on that day. */
  deployments: number;
  /** Services (config) and environments (path) of the day's last snapshot: which per-day pages exist. */
  services: string[];
  environments: string[];
  /** Services with a new revision that day: the only ones with a `/days/D/services/NAME/` page (revisions.ts). */
  revised: string[];
}

export interface LedgerIndex {
  days: DaySummary[];
  /** The promotion path of the newest snapshot. */
  environments: string[];
  /** Every service name ever seen, sorted. */
  services: string[];
  events: DeployEvent[];
  pullRequests: PrEntry[];
  /** `takenAt` of the newest snapshot: "now" for stats, so pages never depend on the build time. */
  asOf: string | null;
  /** The organisation name the newest snapshot recorded. */
  organisation: string | null;
}

interface SlotState {
  commit: string;
  version: string;
  deployedAt: string;
  /** Commits deployed here, in order, with the index of their first deployment. */
  seen: Map<string, number>;
  sequence: number;
}

/** `LedgerIndexBuilder.toState()`: the builder's data with its Maps and Sets as arrays. */
export interface LedgerIndexBuilderState {
  /** A day's `services` is null when it equals the previous day's (most days: this was a tenth of the saved state). */
  days: (Omit<DaySummary, 'services'> & { services: string[] | null })[];
  environments: string[];
  services: string[];
  events: DeployEvent[];
  slots: [string, Omit<SlotState, 'seen'> & { seen: [string, number][] }][];
  prs: [string, PrEntry & { arrivals: [string, number][] }][];
  seenChanges: string[];
  asOf: string | null;
  organisation: string | null;
  lastId: string | null;
  revisions: [string, string][];
}

export class LedgerIndexBuilder {
  #days = new Map<string, DaySummary>();
  #environments: string[] = [];
  #services = new Set<string>();
  #events: DeployEvent[] = [];
  #slots = new Map<string, SlotState>();
  #prs = new Map<string, PrEntry & { arrivals: Map<string, number> }>();
  #seenChanges = new Set<string>();
  #asOf: string | null = null;
  #organisation: string | null = null;
  #lastId: string | null = null;
  #revisions = new RevisionTracker();
  #touched = new Set<string>();

  /** Services whose deployment events or pull requests changed since this builder was made (new or resumed). */
  get touched(): ReadonlySet<string> {
    return this.#touched;
  }

  /** Adds the next snapshot; snapshots must come oldest first. */
  add(snapshot: Snapshot): void {
    if (this.#lastId !== null && snapshot.id <= this.#lastId) throw new Error(`LedgerIndexBuilder: ${snapshot.id} is not after ${this.#lastId}`);
    this.#lastId = snapshot.id;
    this.#asOf = snapshot.takenAt;
    this.#organisation = snapshot.name;
    this.#environments = snapshot.environments.map((e) => e.name);
    for (const s of snapshot.services) this.#services.add(s.name);
    const date = snapshot.id.slice(0, 10);
    const summary = summariseFindings(snapshot.findings);
    const day = this.#days.get(date) ?? { date, ids: [], lastId: snapshot.id, openFindings: 0, worst: null, excepted: 0, gaps: 0, deployments: 0, services: [], environments: [], revised: [] };
    const services = new Set(snapshot.services.map((s) => s.name));
    // A service removed later in the day has no page that day.
    day.revised = [...new Set([...day.revised, ...this.#revisions.add(snapshot)])].filter((s) => services.has(s)).sort(compareText);
    day.services = snapshot.services.map((s) => s.name).sort(compareText);
    day.environments = snapshot.environments.map((e) => e.name);
    day.ids.push(snapshot.id);
    day.lastId = snapshot.id;
    day.openFindings = summary.openTotal;
    day.worst = summary.worst;
    day.excepted = summary.excepted;
    day.gaps = snapshot.gaps.length;
    this.#days.set(date, day);

    const slotKeys = [...snapshot.deployments].sort((a, b) => compareText(a.service, b.service) || compareText(a.environment, b.environment));
    for (const d of slotKeys) {
      const key = `${d.service}\u0000${d.environment}`;
      const slot = this.#slots.get(key);
      if (slot && slot.commit === d.commit && slot.version === d.version && slot.deployedAt === d.deployedAt) continue;
      const previousSeen = slot?.seen.get(d.commit);
      const lowerVersion =
        slot !== undefined && semver.valid(semver.coerce(d.version)) !== null && semver.valid(semver.coerce(slot.version)) !== null
          ? semver.lt(semver.coerce(d.version)!, semver.coerce(slot.version)!)
          : false;
      const rollback = slot !== undefined && slot.commit !== d.commit && (previousSeen !== undefined || lowerVersion);
      // Every change to a service's events and pull requests happens below, for this service only.
      this.#touched.add(d.service);
      this.#events.push({
        service: d.service,
        environment: d.environment,
        version: d.version,
        commit: d.commit,
        deployedAt: d.deployedAt,
        deployedBy: d.deployedBy,
        fromVersion: slot?.version ?? null,
        fromCommit: slot?.commit ?? null,
        snapshot: snapshot.id,
        rollback,
      });
      day.deployments++;
      const sequence = (slot?.sequence ?? -1) + 1;
      const seen = slot?.seen ?? new Map<string, number>();
      if (!seen.has(d.commit)) seen.set(d.commit, sequence);
      this.#slots.set(key, { commit: d.commit, version: d.version, deployedAt: d.deployedAt, seen, sequence });
      if (rollback && previousSeen !== undefined) this.#rollBack(d.service, d.environment, previousSeen, d.deployedAt, snapshot.id);
      else if (rollback) this.#rollBack(d.service, d.environment, sequence, d.deployedAt, snapshot.id);
      // Pull requests arriving with this deployment.
      const record = snapshot.changes.find((c) => c.service === d.service && c.environment === d.environment && c.commit === d.commit);
      if (record) {
        const changeKey = `${key}\u0000${record.commit}\u0000${record.deployedAt}`;
        if (this.#seenChanges.has(changeKey)) continue;
        this.#seenChanges.add(changeKey);
        for (const pr of record.pullRequests) {
          const prKey = `${d.service}#${pr.number}`;
          let entry = this.#prs.get(prKey);
          if (!entry) {
            const text = `${pr.title} ${pr.branch ?? ''}`;
            const own = record.tickets.filter((t) => text.includes(t));
            entry = {
              service: d.service,
              number: pr.number,
              title: pr.title,
              author: pr.author,
              mergedAt: pr.mergedAt,
              url: pr.url,
              branch: pr.branch,
              tickets: (own.length > 0 || record.pullRequests.length > 1 ? own : record.tickets).slice().sort(compareText),
              environments: {},
              arrivals: new Map(),
            };
            this.#prs.set(prKey, entry);
          }
          const intervals = (entry.environments[d.environment] ??= []);
          const last = intervals[intervals.length - 1];
          if (!last || last.until !== null) {
            intervals.push({ since: record.deployedAt, until: null, version: d.version, snapshot: snapshot.id });
            entry.arrivals.set(d.environment, sequence);
          }
        }
      }
    }
  }

  /** PRs that arrived in (service, env) after deployment `sequence` are no longer there. */
  #rollBack(service: string, environment: string, sequence: number, at: string, snapshotId: string): void {
    for (const entry of this.#prs.values()) {
      if (entry.service !== service) continue;
      const arrival = entry.arrivals.get(environment);
      const intervals = entry.environments[environment];
      const last = intervals?.[intervals.length - 1];
      if (arrival !== undefined && arrival > sequence && last && last.until === null) {
        last.until = at;
        last.untilSnapshot = snapshotId;
        entry.arrivals.delete(environment);
      }
    }
  }

  /** Everything the builder holds, as plain JSON-able data: an incremental build saves it and resumes with `fromState`. */
  toState(): LedgerIndexBuilderState {
    return {
      days: [...this.#days.values()].map((d, i, all) => (i > 0 && sameList(d.services, all[i - 1]!.services) ? { ...d, services: null } : d)),
      environments: this.#environments,
      services: [...this.#services],
      events: this.#events,
      slots: [...this.#slots.entries()].map(([key, slot]) => [key, { ...slot, seen: [...slot.seen.entries()] }]),
      prs: [...this.#prs.entries()].map(([key, entry]) => [key, { ...entry, arrivals: [...entry.arrivals.entries()] }]),
      seenChanges: [...this.#seenChanges],
      asOf: this.#asOf,
      organisation: this.#organisation,
      lastId: this.#lastId,
      revisions: this.#revisions.state(),
    };
  }

  /** A builder that continues from `toState()`'s result (it takes ownership of the data). */
  static fromState(state: LedgerIndexBuilderState): LedgerIndexBuilder {
    const builder = new LedgerIndexBuilder();
    let services: string[] = [];
    builder.#days = new Map(state.days.map((d) => [d.date, { ...d, services: (services = d.services ?? services) }]));
    builder.#environments = state.environments;
    builder.#services = new Set(state.services);
    builder.#events = state.events;
    builder.#slots = new Map(state.slots.map(([key, slot]) => [key, { ...slot, seen: new Map(slot.seen) }]));
    builder.#prs = new Map(state.prs.map(([key, entry]) => [key, { ...entry, arrivals: new Map(entry.arrivals) }]));
    builder.#seenChanges = new Set(state.seenChanges);
    builder.#asOf = state.asOf;
    builder.#organisation = state.organisation;
    builder.#lastId = state.lastId;
    builder.#revisions = new RevisionTracker(state.revisions);
    return builder;
  }

  finish(): LedgerIndex {
    return {
      days: [...this.#days.values()].sort((a, b) => compareText(a.date, b.date)),
      environments: this.#environments,
      services: [...this.#services].sort(compareText),
      events: this.#events,
      pullRequests: [...this.#prs.values()]
        .map(({ arrivals: _arrivals, ...entry }) => entry)
        .sort((a, b) => compareText(a.service, b.service) || a.number - b.number),
      asOf: this.#asOf,
      organisation: this.#organisation,
    };
  }
}

const byServiceCache = new WeakMap<LedgerIndex, { events: Map<string, DeployEvent[]>; pullRequests: Map<string, PrEntry[]> }>();

/**
 * The index's events and pull requests grouped by service (in index order),
 * made once per index: the site renders a page per service, and filtering
 * three years of events for each was quadratic.
 */
export function byService(index: LedgerIndex): { events: Map<string, DeployEvent[]>; pullRequests: Map<string, PrEntry[]> } {
  let grouped = byServiceCache.get(index);
  if (grouped) return grouped;
  const group = <T extends { service: string }>(list: readonly T[]) => {
    const out = new Map<string, T[]>();
    for (const item of list) {
      const held = out.get(item.service);
      if (held) held.push(item);
      else out.set(item.service, [item]);
    }
    return out;
  };
  grouped = { events: group(index.events), pullRequests: group(index.pullRequests) };
  byServiceCache.set(index, grouped);
  return grouped;
}

/** Convenience for tests and small ledgers. */
export function buildLedgerIndex(snapshots: Iterable<Snapshot>): LedgerIndex {
  const builder = new LedgerIndexBuilder();
  for (const s of snapshots) builder.add(s);
  return builder.finish();
}

/** Whether a pull request ran in an environment at a moment (ISO time). */
/**
 * Where a pull request was at a time, as the ledger knew it in snapshot
 * `asOf` (default: as it knows it now). A past page passes its own snapshot
 * id, so records that arrive later (a late collect, a backdated deployment)
 * never change it: pages are immutable.
 */
export function prInEnvironmentAt(entry: PrEntry, environment: string, at: string, asOf?: string): PrInterval | null {
  for (const interval of entry.environments[environment] ?? []) {
    if (asOf !== undefined && interval.snapshot > asOf) continue;
    const until = asOf !== undefined && interval.untilSnapshot !== undefined && interval.untilSnapshot > asOf ? null : interval.until;
    if (interval.since <= at && (until === null || until > at)) return interval;
  }
  return null;
}

export interface VersionStretch {
  version: string;
  commit: string;
  deployedAt: string;
  deployedBy: string;
  /** When the next deployment replaced it, or null if it still runs. */
  until: string | null;
  rollback: boolean;
  snapshot: string;
}

/** A service's version timeline per environment (path order), newest first within each. */
export function serviceTimeline(index: LedgerIndex, service: string): { environment: string; stretches: VersionStretch[] }[] {
  const own = byService(index).events.get(service) ?? [];
  const envs = [...index.environments];
  for (const e of own) if (!envs.includes(e.environment)) envs.push(e.environment);
  return envs.map((environment) => {
    const events = own.filter((e) => e.environment === environment);
    const stretches = events.map((e, i): VersionStretch => ({
      version: e.version,
      commit: e.commit,
      deployedAt: e.deployedAt,
      deployedBy: e.deployedBy,
      until: events[i + 1]?.deployedAt ?? null,
      rollback: e.rollback,
      snapshot: e.snapshot,
    }));
    return { environment, stretches: stretches.reverse() };
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
