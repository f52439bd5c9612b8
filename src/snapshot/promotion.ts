/**
 * Promotion evidence: for every deployment, when its commit/artifact was first
 * seen in each environment of the promotion path up to its own. This is the
 * proof `promotion.bypass` (and an auditor) reads.
 *
 * Scale: a ledger can hold 3 years × 500 services of daily snapshots, so
 * nothing here rescans history. Knowledge is carried forward through the
 * chain instead; the index for today is built from
 *   1. the previous snapshot's deployments (a commit running in qa yesterday
 *      was in qa at least from its deployedAt) and their `promotion.path`
 *      (first sightings in every environment up to theirs),
 *   2. the previous snapshot's `tracking.sightings`: first sightings of
 *      commits that have since LEFT an environment. Without them a commit
 *      deployed to qa, replaced in qa, and only then promoted to prod would
 *      look like a bypass whenever the source has no history of its own
 *      (the `file` source never has),
 *   3. the sources' own history (e.g. GitHub deployment history), which also
 *      covers commits that passed through an environment between snapshots,
 *   4. today's deployments.
 *
 * Trade-off of (2): carried sightings are pruned once the ledger last saw the
 * commit in that environment more than `max(2 × maxDriftDays, 14)` days ago.
 * A commit promoted from a lower environment it left longer ago than that is
 * reported as a bypass unless the source's history still shows it: its
 * validation is stale by then, and asking for fresh evidence is the safe side.
 * Not carried either: sightings in the last environment of the path (nothing
 * is promoted from there); sightings of what is running now (tomorrow's index
 * re-derives them from today's deployments); and sightings of a commit already
 * seen in the next environment (it was judged there, and a further promotion
 * needs that environment's sighting). The cost of the last cut: a commit that
 * left two environments before reaching a third shows a shorter `path` (the
 * judgement is unaffected). What remains is "commits that left a lower
 * environment within the window without being promoted": mostly builds
 * superseded in dev, about retention × lower environments × services at one
 * deployment a day (measured: 500 services × 6 environments, daily
 * deployments everywhere, ≤ 2,500 sightings ≈ 0.5 MB).
 *
 * `tracking` also carries, per service, when the ledger began watching it
 * (a promotion that happened before cannot be judged from the ledger, so the
 * first snapshot does not flag every deployment whose lower environment has
 * since moved on), and, per pair of neighbouring environments, since when they
 * have run different commits (drift age for `drift.version`).
 */
import type { EnvironmentConfig, Policies } from '../model/config.ts';
import type { HistoryEvent } from '../model/evidence.ts';
import type { CarriedSighting, Deployment, Sighting, Snapshot, Tracking } from '../model/snapshot.ts';
import { differentBuilds, sameCommit } from '../model/build.ts';
import { believedRunning, labelIdentity, type Believed } from '../model/believed.ts';
import { DAY_MS } from '../model/time.ts';

/** When a deployment's commit reached its own environment: its first sighting there, else its deployedAt. */
export function arrivalAt(d: Pick<Deployment, 'environment' | 'deployedAt'> & { promotion?: Deployment['promotion'] }): string {
  return d.promotion?.path.find((s) => s.environment === d.environment)?.at ?? d.deployedAt;
}

export interface SightingIndex {
  /** The first sighting of `commit` (and `artifact`, when both sides know it) for `service` in `environment`; with neither, of the declared version `label`. */
  first(service: string, environment: string, commit: string, artifact?: string, label?: string): Sighting | undefined;
  /** Every known first sighting, merged per service/environment/commit/artifact, sorted. */
  all(): CarriedSighting[];
}

/** Sort order among sightings of the same thing: earliest first; at equal times the source's own record before the ledger's. */
function rank(a: CarriedSighting, b: CarriedSighting): number {
  if (a.at !== b.at) return Date.parse(a.at) - Date.parse(b.at) || (a.at < b.at ? -1 : 1);
  const la = a.source === 'ledger' ? 1 : 0;
  const lb = b.source === 'ledger' ? 1 : 0;
  if (la !== lb) return la - lb;
  const ka = `${a.source}\u0000${a.snapshot ?? ''}\u0000${a.url ?? ''}`;
  const kb = `${b.source}\u0000${b.snapshot ?? ''}\u0000${b.url ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

function toSighting(c: CarriedSighting): Sighting {
  return {
    environment: c.environment,
    at: c.at,
    source: c.source,
    ...(c.snapshot !== undefined ? { snapshot: c.snapshot } : {}),
    ...(c.url !== undefined ? { url: c.url } : {}),
  };
}

export function buildSightingIndex(input: {
  previous: Snapshot | null;
  history: HistoryEvent[];
  /** Today's deployments, and the declarations standing in for missing ones (`believedRunning`). */
  draftDeployments: Omit<Deployment, 'promotion'>[] | Omit<Believed, 'promotion'>[];
  takenAt: string;
  snapshotId: string;
}): SightingIndex {
  const merged = new Map<string, CarriedSighting>();
  const add = (c: CarriedSighting) => {
    if (!c.commit && !c.artifact && !c.version) return;
    const key = [c.service, c.environment, c.commit.toLowerCase(), c.artifact ?? '', c.version ?? ''].join('\u0000');
    const existing = merged.get(key);
    if (!existing) return void merged.set(key, c);
    const best = rank(c, existing) < 0 ? c : existing;
    merged.set(key, { ...best, lastSeenAt: later(c.lastSeenAt, existing.lastSeenAt) });
  };
  const withArtifact = (artifact: string | undefined) => (artifact !== undefined ? { artifact } : {});
  const withUrl = (url: string | undefined) => (url !== undefined ? { url } : {});
  // A declared build with neither commit nor digest is followed by its version label (src/model/believed.ts).
  const withLabel = (d: { commit: string; artifact?: string; version: string; basis?: string }) => {
    const version = labelIdentity(d);
    return version !== undefined ? { version } : {};
  };

  const previous = input.previous;
  if (previous) {
    for (const c of previous.tracking?.sightings ?? []) add(c);
    for (const d of believedRunning(previous)) {
      for (const p of d.promotion?.path ?? []) {
        add({ ...p, service: d.service, commit: d.commit, ...withArtifact(d.artifact), ...withLabel(d), lastSeenAt: p.environment === d.environment ? previous.takenAt : p.at });
      }
      add({
        environment: d.environment,
        at: d.deployedAt,
        source: 'ledger',
        snapshot: previous.id,
        ...withUrl(d.url),
        service: d.service,
        commit: d.commit,
        ...withArtifact(d.artifact),
        ...withLabel(d),
        lastSeenAt: previous.takenAt,
      });
    }
  }
  for (const h of input.history) {
    add({ environment: h.environment, at: h.at, source: h.source, ...withUrl(h.url), service: h.service, commit: h.commit, ...withArtifact(h.artifact), lastSeenAt: h.at });
  }
  for (const d of input.draftDeployments) {
    add({ environment: d.environment, at: d.deployedAt, source: d.source, ...withUrl(d.url), service: d.service, commit: d.commit, ...withArtifact(d.artifact), ...withLabel(d), lastSeenAt: input.takenAt });
  }

  const byPlace = new Map<string, CarriedSighting[]>();
  for (const c of merged.values()) {
    const key = `${c.service}\u0000${c.environment}`;
    const list = byPlace.get(key);
    if (list) list.push(c);
    else byPlace.set(key, [c]);
  }
  for (const list of byPlace.values()) list.sort(rank);

  return {
    first(service, environment, commit, artifact, label) {
      if (!commit && !artifact && !label) return undefined;
      const list = byPlace.get(`${service}\u0000${environment}`) ?? [];
      // The list is sorted by rank, so the first match is the earliest, best-attested sighting.
      const match = list.find((c) => {
        if (!commit && !artifact) return c.version === label;
        const artifactsAgree = artifact === undefined || c.artifact === undefined || c.artifact === artifact;
        if (commit) return sameCommit(c.commit, commit) && artifactsAgree;
        return c.artifact !== undefined && c.artifact === artifact;
      });
      return match ? toSighting(match) : undefined;
    },
    all() {
      return [...merged.values()].sort(
        (a, b) =>
          (a.service < b.service ? -1 : a.service > b.service ? 1 : 0) ||
          (a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0) ||
          rank(a, b) ||
          (a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : 0) ||
          ((a.artifact ?? '') < (b.artifact ?? '') ? -1 : (a.artifact ?? '') > (b.artifact ?? '') ? 1 : 0) ||
          ((a.version ?? '') < (b.version ?? '') ? -1 : (a.version ?? '') > (b.version ?? '') ? 1 : 0),
      );
    },
  };
}

/**
 * Fills in each deployment's `promotion`: the first sighting of its
 * commit/artifact in every environment on the path up to its own, and in the
 * previous environment. The first environment has no previous one.
 */
export function attachPromotion<D extends Omit<Deployment, 'promotion'> & { basis?: string }>(deployments: D[], environments: EnvironmentConfig[], index: SightingIndex): (D & Pick<Deployment, 'promotion'>)[] {
  const order = environments.map((e) => e.name);
  return deployments.map((d) => {
    const position = order.indexOf(d.environment);
    const upTo = position < 0 ? [d.environment] : order.slice(0, position + 1);
    const label = labelIdentity(d);
    const path = upTo.flatMap((env) => {
      const s = index.first(d.service, env, d.commit, d.artifact, label);
      return s ? [s] : [];
    });
    const previousEnvironment = position > 0 ? (order[position - 1] ?? null) : null;
    const previous = previousEnvironment ? (path.find((s) => s.environment === previousEnvironment) ?? null) : null;
    return { ...d, promotion: { previousEnvironment, previous, path } };
  });
}

/** How `since` of a drifting pair was established. */
export type DriftBasis =
  /** carried from the previous snapshot, which already saw the pair differ */
  | 'ledger'
  /** the pair ran the same build in the previous snapshot; the later change is when it began */
  | 'change'
  /** no earlier knowledge: the later of the two arrivals, so the drift is at least this old */
  | 'estimate';

export interface DriftState {
  service: string;
  lower: string;
  higher: string;
  since: string;
  basis: DriftBasis;
  lowerDeployment: Deployment;
  higherDeployment: Deployment;
}

export const driftKey = (service: string, lower: string, higher: string) => `${service}/${lower}/${higher}`;

/**
 * Since when each pair of neighbouring environments has run different builds
 * of a service. Daily snapshots cannot see every moment, so the start is
 * carried forward once known: the previous snapshot's `tracking.driftSince`
 * when the pair already differed then; otherwise the later of the two current
 * arrivals — exact when the pair matched in the previous snapshot and only one
 * side changed, and otherwise an honest lower bound on the drift's age (it
 * never overstates it). Carrying matters: prod
 * stuck on one build while qa deploys weekly has drifted since qa first moved
 * on, however often qa has deployed since.
 */
export function computeDriftStates(input: { deployments: Deployment[]; environments: EnvironmentConfig[]; previous: Snapshot | null }): DriftState[] {
  const { deployments, environments, previous } = input;
  const order = environments.map((e) => e.name);
  const at = (list: Deployment[]) => {
    const map = new Map<string, Deployment>();
    for (const d of list) map.set(`${d.service}\u0000${d.environment}`, d);
    return map;
  };
  const now = at(deployments);
  const before = previous ? at(believedRunning(previous)) : new Map<string, Deployment>();
  const services = [...new Set(deployments.map((d) => d.service))].sort();
  const states: DriftState[] = [];
  for (const service of services) {
    for (let i = 0; i + 1 < order.length; i++) {
      const lower = order[i]!;
      const higher = order[i + 1]!;
      const dl = now.get(`${service}\u0000${lower}`);
      const dh = now.get(`${service}\u0000${higher}`);
      if (!dl || !dh || !differentBuilds(dl, dh)) continue;
      const key = driftKey(service, lower, higher);
      const arrivals = [arrivalAt(dl), arrivalAt(dh)].sort((a, b) => Date.parse(a) - Date.parse(b));
      const latest = arrivals[1]!;
      let since: string | undefined;
      let basis: DriftBasis = 'estimate';
      if (previous?.tracking) {
        const carried = previous.tracking.driftSince[key];
        if (carried) {
          since = carried;
          basis = 'ledger';
        } else {
          const pl = before.get(`${service}\u0000${lower}`);
          const ph = before.get(`${service}\u0000${higher}`);
          const matchedBefore = !pl || !ph || !differentBuilds(pl, ph);
          if (matchedBefore) {
            // Both may have changed since; the pair has certainly differed since the later arrival, and
            // claiming an earlier start could overstate the drift by up to a snapshot interval.
            since = latest;
            basis = 'change';
          }
        }
      } else if (previous) {
        // A snapshot written before `tracking` existed: its drift finding, if any, still knows the start.
        const finding = previous.findings.find((f) => f.rule === 'drift.version' && f.service === service && f.environment === higher);
        const start = finding?.evidence['since'];
        if (typeof start === 'string' && Date.parse(start) <= Date.parse(latest)) {
          since = start;
          basis = 'ledger';
        }
      }
      states.push({ service, lower, higher, since: since ?? latest, basis: since ? basis : 'estimate', lowerDeployment: dl, higherDeployment: dh });
    }
  }
  return states;
}

/** Days a carried sighting is kept after the ledger last saw it (see the file comment). */
export function sightingRetentionDays(policies: Pick<Policies, 'maxDriftDays'>): number {
  return Math.max(2 * policies.maxDriftDays, 14);
}

/**
 * What today's snapshot carries forward (`tracking`): when each configured
 * service began to be watched, the pruned first sightings, and drift starts.
 * Call after `attachPromotion`, with the same index.
 */
export function buildTracking(input: {
  index: SightingIndex;
  deployments: Deployment[];
  environments: EnvironmentConfig[];
  services: string[];
  policies: Pick<Policies, 'maxDriftDays'>;
  previous: Snapshot | null;
  takenAt: string;
}): Tracking {
  const { index, deployments, environments, previous, takenAt } = input;
  const watchedSince: Record<string, string> = {};
  const previousServices = new Set(previous?.services.map((s) => s.name) ?? []);
  for (const service of [...new Set(input.services)].sort()) {
    const known = previous?.tracking?.watchedSince[service];
    watchedSince[service] = known ?? (previous && previousServices.has(service) ? previous.takenAt : takenAt);
  }

  const order = environments.map((e) => e.name);
  const promotable = new Set(order.slice(0, -1));
  const cutoff = Date.parse(takenAt) - sightingRetentionDays(input.policies) * DAY_MS;
  const running = new Map<string, Deployment>();
  for (const d of deployments) running.set(`${d.service}\u0000${d.environment}`, d);
  const isRunning = (c: CarriedSighting) => {
    const d = running.get(`${c.service}\u0000${c.environment}`);
    if (d === undefined) return false;
    const label = labelIdentity(d);
    return label !== undefined ? c.version === label : sameCommit(d.commit, c.commit) && d.artifact === c.artifact;
  };
  const all = index.all();
  // A commit already seen in the next environment has been judged there (the judgement is frozen in that
  // deployment's promotion evidence), and any later promotion needs the next environment's sighting, not this one.
  const next = new Map(order.slice(0, -1).map((e, i) => [e, order[i + 1]!]));
  const seenIn = new Map<string, CarriedSighting[]>();
  for (const c of all) {
    const k = `${c.service}\u0000${c.environment}`;
    const list = seenIn.get(k);
    if (list) list.push(c);
    else seenIn.set(k, [c]);
  }
  const promoted = (c: CarriedSighting) => {
    const n = next.get(c.environment);
    return n !== undefined && (seenIn.get(`${c.service}\u0000${n}`) ?? []).some((x) => sameCommit(x.commit, c.commit) || (c.version !== undefined && x.version === c.version));
  };
  const sightings = all.filter((c) => promotable.has(c.environment) && Date.parse(c.lastSeenAt) >= cutoff && !isRunning(c) && !promoted(c));

  const driftSince: Record<string, string> = {};
  for (const s of computeDriftStates({ deployments, environments, previous })) driftSince[driftKey(s.service, s.lower, s.higher)] = s.since;

  return { watchedSince, sightings, driftSince };
}
