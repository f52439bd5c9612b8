/**
 * One pass over the whole ledger, oldest first, keeping only what the
 * cross-day pages need (service histories, where each pull request is, stats,
 * the list of days). The site never holds every snapshot at once: it feeds
 * them here one by one and keeps this compact index.
 */
import { isLowerVersion } from '../model/version.ts';
import { CommitLookup, sameCommit } from '../model/build.ts';
import type { Severity, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { summariseFindings } from './findings.ts';
import { comparePairs } from './compare.ts';
import { compareStateKeys, environmentStateKeys, pairKey, RevisionTracker, serviceStateKeys } from './revisions.ts';
import { SnapshotViews } from './day-views.ts';

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

/** A stretch of time a pull request was running in an environment: the builds deployed there contained it (docs/pull-requests.md). */
export interface PrInterval {
  /** When the first build containing it was deployed there. */
  since: string;
  /** Whether `since` is when it arrived: the build before it there is known not to contain it. False: it may have arrived earlier. */
  exact: boolean;
  /** When a build not known to contain it replaced it; null while it is still there. */
  until: string | null;
  /** The snapshot that recorded that deployment, when there was one. */
  untilSnapshot?: string;
  version: string;
  /** The snapshot that first recorded the deployment that brought it. */
  snapshot: string;
}

/** Whether a build contains a pull request: yes, no, or the ledger holds no evidence either way. */
export type PrPresence = 'in' | 'out' | 'unknown';

/** Why the ledger cannot tell: the history that would say is older than its first snapshot, or no record links the build to the pull request. */
export type UnknownWhy = 'before the ledger' | 'no record links this build to it' | 'a source gave no evidence';

/** Where a pull request is now in one environment: whether the build running there contains it. */
export interface PrNow {
  presence: PrPresence;
  /** The version running there. */
  version: string;
  /** Set when `presence` is unknown. */
  why?: UnknownWhy;
}

/**
 * One piece of evidence about what a service's builds contain, in the order
 * the ledger recorded it. `parent`: `commit` is a later build of the same
 * lineage than `parent` (it replaced it somewhere without going back).
 * `prs`: a change record says `commit` contains these pull requests and
 * `from` (the build before it there) does not.
 */
export interface LineageFact {
  service: string;
  /** The snapshot that recorded it. */
  snapshot: string;
  commit: string;
  parent?: string;
  prs?: number[];
  from?: string | null;
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
  /** The snapshot that first recorded it. */
  snapshot: string;
  /** Environment → the intervals it ran there, oldest first, as the ledger knows now. */
  environments: Record<string, PrInterval[]>;
  /** Environment → whether the build running there now contains it; environments the service never ran in are absent. */
  now: Record<string, PrNow>;
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
  /** The production environments of that snapshot: with `environments`, which compare pages exist (compare.ts `comparePairs`). */
  production: string[];
  /** Services with a new revision that day: the only ones with a `/days/D/services/NAME/` page (revisions.ts). */
  revised: string[];
  /** Environments with a new revision that day: the only ones with a `/days/D/environments/NAME/` page (revisions.ts). */
  revisedEnvironments: string[];
  /** Compare pairs with a new revision that day: the only ones with a `/days/D/compare/A...B/` page. */
  revisedCompare: [string, string][];
}

export interface LedgerIndex {
  days: DaySummary[];
  /** The promotion path of the newest snapshot. */
  environments: string[];
  /** Every service name ever seen, sorted. */
  services: string[];
  events: DeployEvent[];
  pullRequests: PrEntry[];
  /** What each build contains, as evidence in recorded order (`prPresence` reads it). */
  lineage: LineageFact[];
  /** `takenAt` of the first snapshot: history before it is unknown to the ledger. */
  since: string | null;
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

/** A slot after one more deployment there (`add` records an event for each; a resumed builder replays them). */
function nextSlot(slot: SlotState | undefined, d: { commit: string; version: string; deployedAt: string }): SlotState {
  const sequence = (slot?.sequence ?? -1) + 1;
  const seen = slot?.seen ?? new Map<string, number>();
  if (!seen.has(d.commit)) seen.set(d.commit, sequence);
  return { commit: d.commit, version: d.version, deployedAt: d.deployedAt, seen, sequence };
}

/** A pull request as the builder keeps it: what the first change record naming it said. Where it is comes from the lineage at `finish()`. */
type PrMeta = Omit<PrEntry, 'environments' | 'now'>;

/**
 * Where a pull request ran, compactly (`placementOf`): one list per environment
 * of its service, in the order of `eventsBySlot`: `[now, start, end, ...]`,
 * `now` 0 in, 1 out, 2 unknown before the ledger, 3 unknown with no record;
 * then each interval as `start * 2 + exact` and `end` (-1 while open), both
 * indices of that environment's deployment events.
 */
type Placement = number[][];

/** `LedgerIndexBuilder.toState()`: the builder's data with its Maps and Sets as arrays. */
export interface LedgerIndexBuilderState {
  /** A day's `services` is null when it equals the previous day's (most days: this was a tenth of the saved state). */
  days: (Omit<DaySummary, 'services'> & { services: string[] | null })[];
  environments: string[];
  services: string[];
  events: DeployEvent[];
  prs: [string, PrMeta][];
  /** Each pull request's placement, in the order of `prs`. */
  placements: Placement[];
  lineage: LineageFact[];
  seenChanges: string[];
  since: string | null;
  asOf: string | null;
  organisation: string | null;
  lastId: string | null;
  revisions: [string, string][];
  environmentRevisions: [string, string][];
  compareRevisions: [string, string][];
}

export class LedgerIndexBuilder {
  #days = new Map<string, DaySummary>();
  #environments: string[] = [];
  #services = new Set<string>();
  #events: DeployEvent[] = [];
  #slots = new Map<string, SlotState>();
  #prs = new Map<string, PrMeta>();
  #lineage: LineageFact[] = [];
  #seenChanges = new Set<string>();
  #since: string | null = null;
  #asOf: string | null = null;
  #organisation: string | null = null;
  #lastId: string | null = null;
  #revisions = new RevisionTracker();
  #environmentRevisions = new RevisionTracker();
  #compareRevisions = new RevisionTracker();
  /** Per service, how many pull requests and lineage facts the builder has recorded: what a compare page's pull requests can depend on (revisions.ts). */
  #facts = new Map<string, number>();
  #touched = new Set<string>();
  /**
   * Where each pull request ran (key as `#prs`), placed again only for the services in `#unplaced`:
   * a placement reads nothing but its service's events, lineage facts and pull request (and when the
   * ledger started watching it), so a night re-places only the services it touched.
   */
  #placements = new Map<string, Placement>();
  #unplaced = new Set<string>();
  /** `#placements` as index entries, made once each. */
  #entries = new Map<string, PrEntry>();

  /** Services whose deployment events or pull requests changed since this builder was made (new or resumed). */
  get touched(): ReadonlySet<string> {
    return this.#touched;
  }

  /** Adds the next snapshot; snapshots must come oldest first. */
  add(snapshot: Snapshot): void {
    if (this.#lastId !== null && snapshot.id <= this.#lastId) throw new Error(`LedgerIndexBuilder: ${snapshot.id} is not after ${this.#lastId}`);
    this.#lastId = snapshot.id;
    this.#since ??= snapshot.takenAt;
    this.#asOf = snapshot.takenAt;
    this.#organisation = snapshot.name;
    this.#environments = snapshot.environments.map((e) => e.name);
    for (const s of snapshot.services) this.#services.add(s.name);
    const date = snapshot.id.slice(0, 10);
    const summary = summariseFindings(snapshot.findings);
    const day = this.#days.get(date) ?? { date, ids: [], lastId: snapshot.id, openFindings: 0, worst: null, excepted: 0, gaps: 0, deployments: 0, services: [], environments: [], production: [], revised: [], revisedEnvironments: [], revisedCompare: [] };
    const services = new Set(snapshot.services.map((s) => s.name));
    // A service removed later in the day has no page that day.
    // One set of views for the three kinds of revision key: they share the matrix, approvals and graphs.
    const views = new SnapshotViews(snapshot);
    day.revised = [...new Set([...day.revised, ...this.#revisions.addKeys(serviceStateKeys(snapshot, views))])].filter((s) => services.has(s)).sort(compareText);
    day.services = snapshot.services.map((s) => s.name).sort(compareText);
    day.environments = snapshot.environments.map((e) => e.name);
    day.production = snapshot.environments.filter((e) => e.production).map((e) => e.name);
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
      const lowerVersion = slot !== undefined && isLowerVersion(d.version, slot.version);
      const rollback = slot !== undefined && !sameCommit(slot.commit, d.commit) && (previousSeen !== undefined || lowerVersion);
      // Every change to a service's events and pull requests happens below, for this service only.
      this.#touched.add(d.service);
      this.#unplaced.add(d.service);
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
      this.#slots.set(key, nextSlot(slot, d));
      // A deployment that replaced a build without going back is a later build of its lineage (docs/pull-requests.md).
      if (slot && !rollback && !sameCommit(slot.commit, d.commit)) this.#fact({ service: d.service, snapshot: snapshot.id, commit: d.commit, parent: slot.commit });
      // Pull requests arriving with this deployment.
      const record = snapshot.changes.find((c) => c.service === d.service && c.environment === d.environment && c.commit === d.commit);
      if (!record) continue;
      const changeKey = `${key}\u0000${record.commit}\u0000${record.deployedAt}`;
      if (this.#seenChanges.has(changeKey)) continue;
      this.#seenChanges.add(changeKey);
      // The record lists what the deployment brought since the build before it there (DESIGN.md, `changes[]`);
      // going back brings nothing, so what a rollback's record lists says nothing of the build it left.
      const from = rollback ? null : (record.fromCommit ?? slot?.commit ?? null);
      if (record.pullRequests.length > 0) {
        this.#fact({ service: d.service, snapshot: snapshot.id, commit: record.commit, prs: record.pullRequests.map((pr) => pr.number), from });
        // A compare that found pull requests went forward from `from`; an empty one may be a rollback the ledger did not see.
        if (!rollback && from !== null && !sameCommit(from, record.commit) && !(slot && sameCommit(slot.commit, from)))
          this.#fact({ service: d.service, snapshot: snapshot.id, commit: record.commit, parent: from });
      }
      for (const pr of record.pullRequests) {
        const prKey = `${d.service}#${pr.number}`;
        if (this.#prs.has(prKey)) continue;
        const text = `${pr.title} ${pr.branch ?? ''}`;
        const own = record.tickets.filter((t) => text.includes(t));
        this.#facts.set(d.service, (this.#facts.get(d.service) ?? 0) + 1);
        this.#prs.set(prKey, {
          service: d.service,
          number: pr.number,
          title: pr.title,
          author: pr.author,
          mergedAt: pr.mergedAt,
          url: pr.url,
          branch: pr.branch,
          tickets: (own.length > 0 || record.pullRequests.length > 1 ? own : record.tickets).slice().sort(compareText),
          snapshot: snapshot.id,
        });
      }
    }
    // After the deployments: a compare page's pull requests are as the ledger knew them in this snapshot, its own records included.
    const environments = new Set(day.environments);
    day.revisedEnvironments = [...new Set([...day.revisedEnvironments, ...this.#environmentRevisions.addKeys(environmentStateKeys(snapshot, views))])].filter((e) => environments.has(e)).sort(compareText);
    const pairs = new Map(comparePairs(day.environments, day.production).map(([a, b]) => [pairKey(a, b), [a, b] as [string, string]]));
    const revisedPairs = new Set([...day.revisedCompare.map(([a, b]) => pairKey(a, b)), ...this.#compareRevisions.addKeys(compareStateKeys(snapshot, (service) => this.#facts.get(service) ?? 0))]);
    // In path order, as the day page lists them.
    day.revisedCompare = [...pairs].filter(([key]) => revisedPairs.has(key)).map(([, pair]) => pair);
  }

  /** A lineage fact, counted for its service. */
  #fact(fact: LineageFact): void {
    this.#lineage.push(fact);
    this.#facts.set(fact.service, (this.#facts.get(fact.service) ?? 0) + 1);
  }

  /** Everything the builder holds, as plain JSON-able data: an incremental build saves it and resumes with `fromState`. */
  toState(): LedgerIndexBuilderState {
    if (this.#unplaced.size > 0) this.finish();
    return {
      days: [...this.#days.values()].map((d, i, all) => (i > 0 && sameList(d.services, all[i - 1]!.services) ? { ...d, services: null } : d)),
      environments: this.#environments,
      services: [...this.#services],
      events: this.#events,
      prs: [...this.#prs.entries()],
      placements: [...this.#prs.keys()].map((key) => this.#placements.get(key)!),
      lineage: this.#lineage,
      seenChanges: [...this.#seenChanges],
      since: this.#since,
      asOf: this.#asOf,
      organisation: this.#organisation,
      lastId: this.#lastId,
      revisions: this.#revisions.state(),
      environmentRevisions: this.#environmentRevisions.state(),
      compareRevisions: this.#compareRevisions.state(),
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
    // Not saved: each slot is what its deployment events made it (`add` records one per change of a slot).
    for (const e of state.events) {
      const key = `${e.service}\u0000${e.environment}`;
      builder.#slots.set(key, nextSlot(builder.#slots.get(key), e));
    }
    builder.#prs = new Map(state.prs);
    builder.#placements = new Map(state.prs.map(([key], i) => [key, state.placements[i]!]));
    builder.#lineage = state.lineage;
    builder.#seenChanges = new Set(state.seenChanges);
    builder.#since = state.since;
    builder.#asOf = state.asOf;
    builder.#organisation = state.organisation;
    builder.#lastId = state.lastId;
    builder.#revisions = new RevisionTracker(state.revisions);
    builder.#environmentRevisions = new RevisionTracker(state.environmentRevisions);
    builder.#compareRevisions = new RevisionTracker(state.compareRevisions);
    // Derived, not saved: every pull request and lineage fact counts once for its service.
    for (const pr of builder.#prs.values()) builder.#facts.set(pr.service, (builder.#facts.get(pr.service) ?? 0) + 1);
    for (const fact of builder.#lineage) builder.#facts.set(fact.service, (builder.#facts.get(fact.service) ?? 0) + 1);
    return builder;
  }

  finish(): LedgerIndex {
    const index: LedgerIndex = {
      days: [...this.#days.values()].sort((a, b) => compareText(a.date, b.date)),
      environments: this.#environments,
      services: [...this.#services].sort(compareText),
      events: this.#events,
      pullRequests: [],
      lineage: this.#lineage,
      since: this.#since,
      asOf: this.#asOf,
      organisation: this.#organisation,
    };
    const slots = eventsBySlot(index);
    const prs = [...this.#prs].sort(([, a], [, b]) => compareText(a.service, b.service) || a.number - b.number);
    // The services to place again, each in one go (its builds' contents found once for all its pull requests).
    const stale = new Map<string, [string, PrMeta][]>();
    for (const [key, pr] of prs) {
      const placement = this.#placements.get(key);
      if (!this.#unplaced.has(pr.service) && placement?.length === (slots.get(pr.service)?.size ?? 0)) continue;
      const list = stale.get(pr.service);
      if (list) list.push([key, pr]);
      else stale.set(pr.service, [[key, pr]]);
    }
    for (const [service, list] of stale) {
      const placements = placementsOf(index, service, list.map(([, pr]) => pr));
      list.forEach(([key], i) => {
        this.#placements.set(key, placements[i]!);
        this.#entries.delete(key);
      });
    }
    index.pullRequests = prs.map(([key, pr]) => {
      let entry = this.#entries.get(key);
      if (!entry) this.#entries.set(key, (entry = entryOf(pr, this.#placements.get(key)!, slots.get(pr.service) ?? new Map())));
      return entry;
    });
    this.#unplaced.clear();
    return index;
  }
}

/**
 * Where each of `service`'s pull requests `prs` ran, environment by
 * environment: the stretches the builds deployed there contained it, and
 * whether the one there now does (`Placement`).
 */
function placementsOf(index: LedgerIndex, service: string, prs: readonly PrMeta[]): Placement[] {
  const slots = [...(eventsBySlot(index).get(service) ?? new Map<string, DeployEvent[]>()).values()];
  // What each deployed build contains, asked once per build rather than once per build and pull request.
  const contents = slots.map((list) => list.map((e) => buildContents(index, service, e.commit)));
  return prs.map((pr) =>
    slots.map((list, s) => {
      const entry = [0];
      let previous: PrPresence | null = null;
      let open = false;
      list.forEach((_, i) => {
        const presence = presenceIn(contents[s]![i]!, pr.number);
        if (presence === 'in' && !open) entry.push(i * 2 + (previous === 'out' ? 1 : 0), -1);
        else if (presence !== 'in' && open) entry[entry.length - 1] = i;
        open = presence === 'in';
        previous = presence;
      });
      const last = list.at(-1)!;
      entry[0] = previous === 'in' ? 0 : previous === 'out' ? 1 : unknownWhy(index, service, last.deployedAt, pr.mergedAt) === 'before the ledger' ? 2 : 3;
      return entry;
    }),
  );
}

/** The index entry of a pull request placed by `placementOf` over its service's events (`eventsBySlot`). */
function entryOf(pr: PrMeta, placement: Placement, slots: Map<string, DeployEvent[]>): PrEntry {
  const environments: Record<string, PrInterval[]> = {};
  const now: Record<string, PrNow> = {};
  let i = 0;
  for (const [environment, list] of slots) {
    const flat = placement[i++]!;
    const code = flat[0];
    const intervals: PrInterval[] = [];
    for (let j = 1; j < flat.length; j += 2) {
      const start = list[flat[j]! >> 1]!;
      const end = flat[j + 1]! >= 0 ? list[flat[j + 1]!]! : null;
      // In the key order the index always had: `untilSnapshot` last, and only once it closed.
      const interval: PrInterval = { since: start.deployedAt, exact: (flat[j]! & 1) === 1, until: end?.deployedAt ?? null, version: start.version, snapshot: start.snapshot };
      if (end) interval.untilSnapshot = end.snapshot;
      intervals.push(interval);
    }
    if (intervals.length > 0) environments[environment] = intervals;
    const version = list.at(-1)!.version;
    now[environment] = code === 0 ? { presence: 'in', version } : code === 1 ? { presence: 'out', version } : { presence: 'unknown', version, why: code === 2 ? 'before the ledger' : 'no record links this build to it' };
  }
  return { ...pr, environments, now };
}

const slotCache = new WeakMap<LedgerIndex, Map<string, Map<string, DeployEvent[]>>>();
/** service → environment → its deployment events in recorded order. */
function eventsBySlot(index: LedgerIndex): Map<string, Map<string, DeployEvent[]>> {
  let out = slotCache.get(index);
  if (out) return out;
  out = new Map();
  for (const e of index.events) {
    let service = out.get(e.service);
    if (!service) out.set(e.service, (service = new Map()));
    const list = service.get(e.environment);
    if (list) list.push(e);
    else service.set(e.environment, [e]);
  }
  slotCache.set(index, out);
  return out;
}

/**
 * Why the ledger cannot tell whether `service`'s build deployed at
 * `deployedAt` contains a pull request merged at `mergedAt`: "before the
 * ledger" when either is older than the first snapshot that recorded the
 * service (history it never saw).
 */
export function unknownWhy(index: LedgerIndex, service: string, deployedAt: string, mergedAt: string | null): UnknownWhy {
  const since = watchedSince(index).get(service) ?? index.since;
  return since != null && (deployedAt < since || (mergedAt !== null && mergedAt < since)) ? 'before the ledger' : 'no record links this build to it';
}

const watchedCache = new WeakMap<LedgerIndex, Map<string, string>>();
/** service → the time of the first snapshot that recorded a deployment of it. */
function watchedSince(index: LedgerIndex): Map<string, string> {
  let out = watchedCache.get(index);
  if (out) return out;
  out = new Map();
  for (const e of index.events) if (!out.has(e.service)) out.set(e.service, `${e.snapshot.slice(0, 13)}:${e.snapshot.slice(13, 15)}:${e.snapshot.slice(15, 17)}Z`);
  watchedCache.set(index, out);
  return out;
}

/** What one build contains, as far as the ledger's evidence says. */
interface BuildContents {
  /** Pull requests a change record placed in this build or in a build it descends from. */
  has: ReadonlySet<number>;
  /** Pull requests a change record placed after this build or after a later build of its lineage: not in it. */
  lacks: ReadonlySet<number>;
}

interface Lineage {
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  has: Map<string, number[]>;
  lacks: Map<string, number[]>;
  contents: Map<string, BuildContents>;
  /** Every node, found by `sameCommit` (made when a commit is first not a node). */
  nodes?: CommitLookup<string>;
}

const lineageCache = new WeakMap<LedgerIndex, { facts: Map<string, LineageFact[]>; graphs: Map<string, { count: number; lineage: Lineage }> }>();

/** A service's lineage facts, and how many of them (the first `count`) the ledger knew in snapshot `asOf` (default: now). */
function factsKnown(index: LedgerIndex, service: string, asOf: string | undefined) {
  let cache = lineageCache.get(index);
  if (!cache) {
    const facts = new Map<string, LineageFact[]>();
    for (const f of index.lineage) {
      const list = facts.get(f.service);
      if (list) list.push(f);
      else facts.set(f.service, [f]);
    }
    lineageCache.set(index, (cache = { facts, graphs: new Map() }));
  }
  const facts = cache.facts.get(service) ?? [];
  // Facts come in recorded order: the first `count` are those the ledger knew in snapshot `asOf`.
  let count = facts.length;
  if (asOf !== undefined) {
    let lo = 0;
    while (lo < count) {
      const mid = (lo + count) >> 1;
      if (facts[mid]!.snapshot <= asOf) lo = mid + 1;
      else count = mid;
    }
  }
  return { cache, facts, count };
}

/**
 * How many lineage facts of `service` the ledger knew in snapshot `asOf`:
 * while it is the same, every build's contents (`buildPresence`) are too.
 */
export function lineageFactCount(index: LedgerIndex, service: string, asOf?: string): number {
  return factsKnown(index, service, asOf).count;
}

/** A service's lineage from its first `count` facts: the graphs of the last count asked are kept (pages come day by day). */
function lineageOf(index: LedgerIndex, service: string, asOf: string | undefined): Lineage {
  const { cache, facts, count } = factsKnown(index, service, asOf);
  const held = cache.graphs.get(service);
  if (held && held.count === count) return held.lineage;
  const lineage: Lineage = { parents: new Map(), children: new Map(), has: new Map(), lacks: new Map(), contents: new Map() };
  const add = (map: Map<string, (string | number)[]>, k: string, v: string | number) => {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  for (const f of facts.slice(0, count)) {
    const commit = commitKey(f.commit);
    if (f.parent !== undefined) {
      add(lineage.parents, commit, commitKey(f.parent));
      add(lineage.children, commitKey(f.parent), commit);
    }
    for (const n of f.prs ?? []) {
      add(lineage.has, commit, n);
      if (f.from) add(lineage.lacks, commitKey(f.from), n);
    }
  }
  cache.graphs.set(service, { count, lineage });
  return lineage;
}

const commitKey = (commit: string) => commit.trim().toLowerCase();

/** The node of `commit` in a lineage: the same commit, also when one of the two is an abbreviation (`sameCommit`). */
function nodeOf(lineage: Lineage, commit: string): string {
  const key = commitKey(commit);
  if (lineage.parents.has(key) || lineage.children.has(key) || lineage.has.has(key) || lineage.lacks.has(key)) return key;
  if (!lineage.nodes) {
    // In the order a scan of the four maps would meet them, so an ambiguous abbreviation finds the same node.
    lineage.nodes = new CommitLookup<string>();
    for (const map of [lineage.parents, lineage.children, lineage.has, lineage.lacks]) for (const k of map.keys()) lineage.nodes.add(k, k);
  }
  return lineage.nodes.find(key) ?? key;
}

/**
 * What the build at `commit` of `service` contains, as the ledger knew in
 * snapshot `asOf` (default: now): the pull requests change records placed in
 * it or in the builds it descends from, and those they placed after it or
 * after a later build of its lineage (docs/pull-requests.md).
 */
function buildContents(index: LedgerIndex, service: string, commit: string, asOf?: string): BuildContents {
  const lineage = lineageOf(index, service, asOf);
  const start = nodeOf(lineage, commit);
  const cached = lineage.contents.get(start);
  if (cached) return cached;
  const collect = (edges: Map<string, string[]>, found: Map<string, number[]>): Set<number> => {
    const out = new Set<number>();
    const seen = new Set([start]);
    const queue = [start];
    for (let node = queue.pop(); node !== undefined; node = queue.pop()) {
      for (const n of found.get(node) ?? []) out.add(n);
      for (const next of edges.get(node) ?? []) if (!seen.has(next)) seen.add(next), queue.push(next);
    }
    return out;
  };
  const contents = { has: collect(lineage.parents, lineage.has), lacks: collect(lineage.children, lineage.lacks) };
  lineage.contents.set(start, contents);
  return contents;
}

/**
 * Whether the build at `commit` of `service` contains pull request `number`,
 * as the ledger knew in snapshot `asOf` (default: now). Evidence both ways
 * (a lineage the ledger assumed that git contradicts) is unknown too.
 */
export function prPresence(index: LedgerIndex, service: string, commit: string, number: number, asOf?: string): PrPresence {
  return presenceIn(buildContents(index, service, commit, asOf), number);
}

/** `prPresence` for one build and many pull requests: the build's contents are found once. */
export function buildPresence(index: LedgerIndex, service: string, commit: string, asOf?: string): (number: number) => PrPresence {
  const contents = buildContents(index, service, commit, asOf);
  return (number) => presenceIn(contents, number);
}

/** Whether a build with these contents contains pull request `number`. */
function presenceIn({ has, lacks }: BuildContents, number: number): PrPresence {
  const inside = has.has(number);
  return inside === lacks.has(number) ? 'unknown' : inside ? 'in' : 'out';
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
