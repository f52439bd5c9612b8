/**
 * Releases, decided once (docs/releases.md): which versions of several services
 * belong together, and, per environment, whether they have all arrived. Rules
 * (`release.partial`, `release.mixed-scope`), the CLI's `show --release` and
 * the release pages all ask these functions.
 *
 * A release is *declared* in the config (service -> version, an owner) or
 * *found*: a ticket key that change records name for two or more services.
 * A component "runs" in an environment when the build running there is the
 * component's build by the domain core's definition (`differentBuilds` in
 * build.ts); a later semver version is taken to contain it ("superseded"),
 * never to be it.
 */
import semver from 'semver';
import type { Policies, ReleaseConfig } from './config.ts';
import { differentBuilds, normaliseVersion, type BuildIdentity } from './build.ts';
import { deploymentHidden } from './gaps.ts';
import type { Change, Deployment, Gap, PullRequest, ReleasesRecord, TicketBuild } from './snapshot.ts';
import { DAY_MS } from './time.ts';

/** Days a build that brought a ticket two or more services share is carried; past that it is no longer followed (docs/releases.md). */
export const TICKET_RETENTION_DAYS = 90;
/**
 * Days a build whose tickets no other service has brought is carried, waiting
 * for a second service: most tickets stay in one service, and carrying each
 * for 90 days would make a 500-service snapshot megabytes larger.
 */
export const SINGLE_TICKET_RETENTION_DAYS = 14;

/** A ticket and the builds that brought it. */
interface TicketGroup {
  key: string;
  builds: TicketBuild[];
}

/** Ticket key -> the builds that brought it, in record order. */
function byTicket(builds: readonly TicketBuild[]): Map<string, TicketBuild[]> {
  const out = new Map<string, TicketBuild[]>();
  for (const b of builds) {
    for (const key of b.tickets) {
      const list = out.get(key);
      if (list) list.push(b);
      else out.set(key, [b]);
    }
  }
  return out;
}

/** The release policies with their defaults applied (absent in configs and snapshots written before releases). */
export function releasePolicies(policies: Pick<Policies, 'releaseGraceDays' | 'maxScopePerDeployment'>): { graceDays: number; maxScope: number } {
  return { graceDays: policies.releaseGraceDays ?? 2, maxScope: policies.maxScopePerDeployment ?? 5 };
}

export interface ReleaseComponent {
  service: string;
  /** The version the release ships (a found release: the first build that brought the ticket). */
  version: string;
  /** The builds that count as this component: the declared version, or every build a change record named the ticket for. */
  builds: BuildIdentity[];
}

export interface Release {
  name: string;
  kind: 'declared' | 'found';
  /** Who answers for a rollback; null for a found release (nobody declared one). */
  owner: string | null;
  /** The environments it targets, or null for all. */
  environments: string[] | null;
  planned: string | null;
  description: string | null;
  components: ReleaseComponent[];
}

/** Where one component stands in one environment. */
export type ComponentState = 'running' | 'superseded' | 'other' | 'absent' | 'unknown';

export interface ComponentPosition {
  service: string;
  /** The version the release wants there. */
  wanted: string;
  state: ComponentState;
  /** What runs there: version, commit and since when (its arrival), when something is deployed. */
  running: { version: string; commit: string; since: string } | null;
  /** Why it is unknown: the gap that hides the deployment. */
  why?: string;
}

/**
 * A release in one environment: `complete` (every component's build runs),
 * `superseded` (every component runs or a later version does), `partial`
 * (some have arrived, some have not), `not-started` (none has), `unknown`
 * (a gap hides a component and the rest does not decide it).
 */
export type ReleaseState = 'complete' | 'superseded' | 'partial' | 'not-started' | 'unknown';

export interface EnvironmentStatus {
  environment: string;
  state: ReleaseState;
  components: ComponentPosition[];
  /** When it became partial as far as the deployments show: the earliest arrival of an arrived component; null unless partial. */
  partialSince: string | null;
}

/** What runs in one place, as much of a deployment record as a release asks. */
export type RunningRecord = Pick<Deployment, 'service' | 'environment' | 'version' | 'commit' | 'deployedAt'> & Partial<Pick<Deployment, 'artifact' | 'promotion'>>;

/** What a status needs of a snapshot; `arrival` says when a deployment reached its environment (snapshot/promotion.ts `arrivalAt`). */
export interface ReleaseWorld {
  environments: readonly { name: string }[];
  services: readonly { name: string; sources?: readonly string[] }[];
  deployments: readonly RunningRecord[];
  gaps: readonly Gap[];
  arrival?: (d: RunningRecord) => string;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The releases of a snapshot: declared ones, and tickets two or more services share (a declared name wins over a ticket of the same name). */
export function releasesOf(record: ReleasesRecord | undefined): Release[] {
  if (!record) return [];
  const declared = record.declared.map(declaredRelease);
  const names = new Set(declared.map((r) => r.name));
  const found = [...byTicket(record.builds)]
    .map(([key, builds]): TicketGroup => ({ key, builds }))
    .filter((t) => !names.has(t.key) && new Set(t.builds.map((b) => b.service)).size >= 2)
    .map(foundRelease);
  return [...declared, ...found].sort((a, b) => cmp(a.name, b.name));
}

function declaredRelease(r: ReleaseConfig): Release {
  return {
    name: r.name,
    kind: 'declared',
    owner: r.owner,
    environments: r.environments ?? null,
    planned: r.planned ?? null,
    description: r.description ?? null,
    components: Object.entries(r.components)
      .map(([service, version]) => ({ service, version, builds: [{ version }] }))
      .sort((a, b) => cmp(a.service, b.service)),
  };
}

function foundRelease(t: TicketGroup): Release {
  const services = [...new Set(t.builds.map((b) => b.service))].sort(cmp);
  return {
    name: t.key,
    kind: 'found',
    owner: null,
    environments: null,
    planned: null,
    description: null,
    components: services.map((service) => {
      const builds = t.builds.filter((b) => b.service === service).sort((a, b) => cmp(a.at, b.at));
      return { service, version: builds[0]!.version, builds: builds.map((b) => ({ version: b.version, commit: b.commit })) };
    }),
  };
}

/**
 * A label as a strict semver version (a leading `v` allowed), or null. Stricter
 * than version.ts's `parseVersion` on purpose: its coercion reads `sha-9f86d08`
 * as 9.0.0, and "a later version runs there" must never be guessed, since it
 * hides a missing component.
 */
const semverOf = (label: string) => semver.valid(normaliseVersion(label));

/** Where `component` stands given what runs there (`deployment`), or that a gap hides it. */
export function componentPosition(component: ReleaseComponent, deployment: RunningRecord | undefined, hidden: Gap | undefined, arrival: (d: RunningRecord) => string): ComponentPosition {
  const base = { service: component.service, wanted: component.version };
  if (!deployment) return hidden ? { ...base, state: 'unknown', running: null, why: hidden.reason } : { ...base, state: 'absent', running: null };
  const running = { version: deployment.version, commit: deployment.commit, since: arrival(deployment) };
  const identity: BuildIdentity = { version: deployment.version, commit: deployment.commit || null, artifact: deployment.artifact ?? null };
  if (component.builds.some((b) => !differentBuilds(b, identity))) return { ...base, state: 'running', running };
  const have = semverOf(deployment.version);
  const wanted = component.builds.map((b) => (b.version ? semverOf(b.version) : null)).filter((v): v is string => v !== null);
  if (have && wanted.length > 0 && wanted.every((w) => semver.gt(have, w))) return { ...base, state: 'superseded', running };
  return { ...base, state: 'other', running };
}

/** The state of a release in one environment from its components' positions. */
export function stateOf(positions: readonly ComponentPosition[]): ReleaseState {
  const arrived = positions.filter((p) => p.state === 'running' || p.state === 'superseded').length;
  const missing = positions.filter((p) => p.state === 'other' || p.state === 'absent').length;
  const unknown = positions.length - arrived - missing;
  if (arrived > 0 && missing > 0) return 'partial';
  if (unknown > 0) return 'unknown';
  if (missing > 0 || positions.length === 0) return 'not-started';
  return positions.every((p) => p.state === 'running') ? 'complete' : 'superseded';
}

/** The release in every environment it targets, in promotion order. */
export function releaseStatus(release: Release, world: ReleaseWorld): EnvironmentStatus[] {
  const arrival = world.arrival ?? ((d: RunningRecord) => d.deployedAt);
  const running = new Map(world.deployments.map((d) => [`${d.service}\u0000${d.environment}`, d]));
  const targets = world.environments.map((e) => e.name).filter((e) => release.environments === null || release.environments.includes(e));
  return targets.map((environment) => {
    const components = release.components.map((c) => {
      const d = running.get(`${c.service}\u0000${environment}`);
      return componentPosition(c, d, d ? undefined : deploymentHidden(world, c.service, environment), arrival);
    });
    const state = stateOf(components);
    const arrivals = components.filter((p) => p.state === 'running' || p.state === 'superseded').map((p) => p.running!.since).sort(cmp);
    return { environment, state, components, partialSince: state === 'partial' ? (arrivals[0] ?? null) : null };
  });
}

/**
 * Today's ticket builds: yesterday's, plus every build today's change records
 * name tickets for (once per service and build, its tickets merged), minus
 * those older than `TICKET_RETENTION_DAYS` (a build with a ticket another
 * service's build shares) or `SINGLE_TICKET_RETENTION_DAYS` (the others).
 * Sorted, so the same inputs give the same bytes.
 */
export function trackTicketBuilds(input: { changes: readonly Change[]; previous: readonly TicketBuild[] | undefined; takenAt: string }): TicketBuild[] {
  const builds: TicketBuild[] = (input.previous ?? []).map((b) => ({ ...b, tickets: [...b.tickets] }));
  // Per service, so a night of a 500-service organisation compares each change with its own service's builds only.
  const ofService = new Map<string, TicketBuild[]>();
  for (const b of builds) ofService.set(b.service, [...(ofService.get(b.service) ?? []), b]);
  for (const c of input.changes) {
    if (c.tickets.length === 0) continue;
    const identity = { version: c.version, commit: c.commit };
    const own = ofService.get(c.service) ?? [];
    const held = own.find((b) => !differentBuilds(b, identity));
    if (held) {
      held.tickets = [...new Set([...held.tickets, ...c.tickets])].sort(cmp);
      continue;
    }
    const build = { service: c.service, version: c.version, commit: c.commit, environment: c.environment, at: c.deployedAt, tickets: [...new Set(c.tickets)].sort(cmp) };
    builds.push(build);
    ofService.set(c.service, [...own, build]);
  }
  const shared = new Set([...byTicket(builds)].filter(([, list]) => new Set(list.map((b) => b.service)).size >= 2).map(([key]) => key));
  const now = Date.parse(input.takenAt);
  const kept = (b: TicketBuild) => Date.parse(b.at) >= now - (b.tickets.some((t) => shared.has(t)) ? TICKET_RETENTION_DAYS : SINGLE_TICKET_RETENTION_DAYS) * DAY_MS;
  return builds.filter(kept).sort((a, b) => cmp(a.service, b.service) || cmp(a.at, b.at) || cmp(a.commit, b.commit));
}

/** The releases record a snapshot stores: the config's releases and today's ticket builds. */
export function releasesRecord(input: { declared: readonly ReleaseConfig[]; changes: readonly Change[]; previous: ReleasesRecord | undefined; takenAt: string }): ReleasesRecord {
  return { declared: [...input.declared], builds: trackTicketBuilds({ changes: input.changes, previous: input.previous?.builds, takenAt: input.takenAt }) };
}

/** What one deployment brought, in units of unrelated work: each ticket once, each pull request without a ticket on its own. */
export interface DeploymentScope {
  tickets: string[];
  untracked: Pick<PullRequest, 'number' | 'title'>[];
  units: number;
}

/**
 * The scope of a change record (`release.mixed-scope` counts `units`). A pull
 * request belongs to a ticket when its title or branch names one of the
 * record's tickets (as the service pages attribute them, views/history.ts); a
 * record with a single pull request and tickets is that pull request's.
 */
export function deploymentScope(change: Pick<Change, 'tickets' | 'pullRequests'>): DeploymentScope {
  const tickets = [...new Set(change.tickets)].sort(cmp);
  const lone = change.pullRequests.length === 1 && tickets.length > 0;
  const untracked = change.pullRequests
    .filter((pr) => !lone && !tickets.some((t) => `${pr.title} ${pr.branch ?? ''}`.includes(t)))
    .map((pr) => ({ number: pr.number, title: pr.title }))
    .sort((a, b) => a.number - b.number);
  return { tickets, untracked, units: tickets.length + untracked.length };
}
