/**
 * Releases as the pages and `show --release` present them, from one snapshot:
 * each release's state per environment, where each component is, what is
 * missing, the owner, and the blast radius (docs/releases.md). The decisions
 * are src/model/release.ts's; this only arranges them.
 */
import { releasesOf, releaseStatus, type ComponentPosition, type EnvironmentStatus, type Release } from '../model/release.ts';
import { NAME_PATTERN } from '../model/config.ts';
import type { Finding, Snapshot } from '../model/snapshot.ts';
import { arrivalAt } from '../snapshot/promotion.ts';
import { blastRadius } from './answers.ts';
import type { DeployEvent, LedgerIndex } from './history.ts';
import { isOpen } from '../model/exception.ts';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type ReleaseSnapshot = Pick<Snapshot, 'environments' | 'services' | 'deployments' | 'gaps' | 'releases' | 'findings'>;

export interface ReleaseSummary {
  name: string;
  kind: Release['kind'];
  owner: string | null;
  planned: string | null;
  components: { service: string; version: string }[];
  /** Per targeted environment, path order. */
  states: { environment: string; state: EnvironmentStatus['state'] }[];
  /** Open `release.*` findings about it. */
  openFindings: number;
}

export interface ReleaseView extends ReleaseSummary {
  description: string | null;
  /** Each component's owning team from the config of the day (`services[].owner`), null where none is set: who acts for each half. */
  teams: { service: string; owner: string | null }[];
  environments: EnvironmentStatus[];
  /** Per environment: every service that depends on a component (not the components themselves), nearest first. */
  blastRadius: { environment: string; dependents: { service: string; depth: number; via: string; unknown?: boolean }[] }[];
  /** The `release.*` findings that name this release. */
  findings: Finding[];
}

/** The findings about release `name` (their evidence names it). */
export function releaseFindings(snapshot: Pick<Snapshot, 'findings'>, name: string): Finding[] {
  return snapshot.findings.filter((f) => (f.rule === 'release.partial' || f.rule === 'release.mixed-scope') && (f.evidence['release'] === name || (Array.isArray(f.evidence['releases']) && f.evidence['releases'].includes(name))));
}

function summary(snapshot: ReleaseSnapshot, release: Release, statuses: EnvironmentStatus[]): ReleaseSummary {
  return {
    name: release.name,
    kind: release.kind,
    owner: release.owner,
    planned: release.planned,
    components: release.components.map((c) => ({ service: c.service, version: c.version })),
    states: statuses.map((s) => ({ environment: s.environment, state: s.state })),
    openFindings: releaseFindings(snapshot, release.name).filter(isOpen).length,
  };
}

const world = (snapshot: ReleaseSnapshot) => ({ ...snapshot, arrival: arrivalAt });

/** Every release the snapshot knows, declared first, then found, each by name. */
export function releasesOverview(snapshot: ReleaseSnapshot): ReleaseSummary[] {
  return releasesOf(snapshot.releases)
    .map((r) => summary(snapshot, r, releaseStatus(r, world(snapshot))))
    .sort((a, b) => cmp(a.kind, b.kind) || cmp(a.name, b.name));
}

/** Names of the releases a snapshot knows, sorted. */
export function releaseNames(snapshot: Pick<Snapshot, 'releases'>): string[] {
  return releasesOf(snapshot.releases).map((r) => r.name);
}

/**
 * Whether a release has a page (`/releases/NAME/`): its name is one the config
 * accepts in URLs. A declared name always is; a ticket key found with a custom
 * `policies.ticketPattern` (`#123`, `JIRA/12`) may not be: it is listed, and
 * `show --release` answers for it, without a page.
 */
export function hasReleasePage(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Release `name` in the snapshot, or null when the snapshot does not know it. */
export function releaseView(snapshot: ReleaseSnapshot, name: string): ReleaseView | null {
  const release = releasesOf(snapshot.releases).find((r) => r.name === name);
  if (!release) return null;
  const environments = releaseStatus(release, world(snapshot));
  const components = new Set(release.components.map((c) => c.service));
  const radius = new Map<string, Map<string, { service: string; depth: number; via: string; unknown?: boolean }>>();
  for (const c of release.components) {
    for (const entry of blastRadius(snapshot, c.service)) {
      const held = radius.get(entry.environment) ?? new Map();
      for (const d of entry.dependents) {
        if (components.has(d.service)) continue;
        const known = held.get(d.service);
        if (!known || d.depth < known.depth) held.set(d.service, { service: d.service, depth: d.depth, via: d.via, ...(d.unknown ? { unknown: true } : {}) });
      }
      radius.set(entry.environment, held);
    }
  }
  const targeted = new Set(environments.map((e) => e.environment));
  return {
    ...summary(snapshot, release, environments),
    description: release.description,
    teams: release.components.map((c) => ({ service: c.service, owner: snapshot.services.find((s) => s.name === c.service)?.owner ?? null })),
    environments,
    blastRadius: [...radius]
      .filter(([environment]) => targeted.has(environment))
      .map(([environment, held]) => ({ environment, dependents: [...held.values()].sort((a, b) => a.depth - b.depth || cmp(a.service, b.service)) })),
    findings: releaseFindings(snapshot, release.name),
  };
}

/** Releases in flight (partial, or some environment complete and a later one not yet) and partial ones, for the day page. */
export function releasesInFlight(snapshot: ReleaseSnapshot): { inFlight: ReleaseSummary[]; partial: ReleaseSummary[] } {
  const all = releasesOverview(snapshot);
  const arrived = (s: ReleaseSummary['states'][number]) => s.state === 'complete' || s.state === 'superseded';
  return {
    partial: all.filter((r) => r.states.some((s) => s.state === 'partial')),
    inFlight: all.filter((r) => !r.states.some((s) => s.state === 'partial') && r.states.some(arrived) && !r.states.every(arrived)),
  };
}

/** One day of a release's timeline: per targeted environment, its state and the components missing there. */
export interface ReleaseDay {
  date: string;
  /** The snapshot the day's state comes from (the day's last). */
  snapshot: string;
  states: {
    environment: string;
    state: EnvironmentStatus['state'];
    /** Where each component was: its position and the version running there (null: not deployed). */
    components: { service: string; position: ComponentPosition['state']; running: string | null }[];
    missing: { service: string; running: string | null }[];
  }[];
}

/**
 * Release `release` day by day, from the cross-day index: what each
 * (service, environment) ran at the end of each day is its last deployment
 * event recorded by then. A day a gap hid a deployment shows the last one
 * recorded (the index keeps no gaps); that day's own page says unknown.
 */
export function releaseTimeline(index: Pick<LedgerIndex, 'days' | 'events' | 'environments'>, release: Release): ReleaseDay[] {
  const services = new Set(release.components.map((c) => c.service));
  const events = index.events.filter((e) => services.has(e.service));
  const running = new Map<string, DeployEvent>();
  const out: ReleaseDay[] = [];
  let next = 0;
  const environments = index.environments.map((name) => ({ name }));
  for (const day of index.days) {
    for (; next < events.length && events[next]!.snapshot <= day.lastId; next++) running.set(`${events[next]!.service}\u0000${events[next]!.environment}`, events[next]!);
    const deployments = [...running.values()].map((e) => ({ service: e.service, environment: e.environment, version: e.version, commit: e.commit, deployedAt: e.deployedAt }));
    const statuses = releaseStatus(release, { environments, services: [], deployments, gaps: [] });
    out.push({
      date: day.date,
      snapshot: day.lastId,
      states: statuses.map((s) => ({
        environment: s.environment,
        state: s.state,
        components: s.components.map((p) => ({ service: p.service, position: p.state, running: p.running?.version ?? null })),
        missing: s.state === 'partial' ? s.components.filter((p) => p.state === 'other' || p.state === 'absent').map((p) => ({ service: p.service, running: p.running?.version ?? null })) : [],
      })),
    });
  }
  return out;
}

/** The release named `name` in a snapshot's record (for the timeline), or null. */
export function releaseNamed(snapshot: Pick<Snapshot, 'releases'>, name: string): Release | null {
  return releasesOf(snapshot.releases).find((r) => r.name === name) ?? null;
}
