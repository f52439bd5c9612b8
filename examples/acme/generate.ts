/**
 * A pure, deterministic simulation of how releases flow through Acme Payments
 * over 76 days, and what each source sees of it each night: the GitHub
 * organisation (github-world.ts), the version endpoints, the GitOps
 * repository's commits, and the `file` inventory of the legacy services.
 *
 * The simulation plans every release of every service up front (seeded PRNG,
 * no clock, no Math.random), then renders, for each snapshot day, the state at
 * 22:30 UTC that day: what runs where, its config, what the version endpoints
 * report, release branches, and what was deployed since the night before.
 * Scripted incidents make every rule of the design fire at least once and be
 * resolved later; `INCIDENTS` lists them with their days so tests can check.
 *
 * `scripts/demo.mjs` moves every source to each night (the local GitHub
 * server's scenario, the version endpoints, the GitOps repository, the
 * inventory files) and runs the real CLI (`collect --at <day>T22:30:00Z`).
 */
import { createHash } from 'node:crypto';
import semver from 'semver';
import { dump } from 'js-yaml';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { readYaml, type YamlNode } from '../../src/model/yaml.ts';
import type { RuleId } from '../../src/model/index.ts';
import type { RuntimeReport } from '../servers/runtime-server.ts';
import type { ScenarioDeployment, ScenarioStatus } from '../servers/github-server.ts';
import { scenarioAt, type RepoTimeline, type TimelineBranch } from './github-world.ts';
import { clusterIncidents, clusterNight, type ClusterNight } from './kubernetes.ts';
import {
  CI_BOT,
  DEPLOYED,
  ENVIRONMENTS,
  LEGACY,
  LIBRARY_RELEASES,
  ON_GITHUB,
  VERSION_SHAPES,
  PR_PHRASES,
  RELEASE_MANAGERS,
  SERVICES,
  TEAMS,
  type Env,
  type ServiceSpec,
} from './organisation.ts';
import { approveAfterTheFact } from './audit-cases.ts';
import { addPreview, PREVIEW, previewIncident } from './outside-policy.ts';
import { planReleases } from './releases.ts';

export { ENVIRONMENTS, SERVICES, LIBRARIES, DEPLOYED, TEAMS, LEGACY, ON_GITHUB } from './organisation.ts';
export type { RuntimeReport } from '../servers/runtime-server.ts';
export type { Env, ServiceSpec } from './organisation.ts';

/** The first and last snapshot days of the demo. */
export const FIRST_DAY = '2026-09-01';
export const LAST_DAY = '2026-11-15';
/** Every snapshot is taken at this time of its day (the nightly CI run). */
export const SNAPSHOT_TIME = 'T22:30:00Z';
/** The config's `policies.maxDriftDays`. */
export const MAX_DRIFT_DAYS = 14;
export const DEFAULT_SEED = 20260901;

const DAY_MS = 86_400_000;
const parseDay = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number): string => formatDay(parseDay(day) + n * DAY_MS);
const isoAt = (day: string, hour: number, minute: number): string =>
  `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
const shiftMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
const isWeekend = (day: string): boolean => [0, 6].includes(new Date(parseDay(day)).getUTCDay());
const workday = (day: string): string => (isWeekend(day) ? workday(addDays(day, 1)) : day);
/** The snapshot time of a day. */
export const snapshotAt = (day: string): string => `${day}${SNAPSHOT_TIME}`;
/** The first snapshot day that sees something that happened at `iso`. */
const seenOn = (iso: string): string => {
  const day = iso.slice(0, 10);
  return iso < snapshotAt(day) ? day : addDays(day, 1);
};

function dayRange(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The snapshot days, 2026-09-01 … 2026-11-15. */
export const DAYS: readonly string[] = dayRange(FIRST_DAY, LAST_DAY);

/** mulberry32: a tiny seeded PRNG (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c). */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  return { next, int, pick };
}

const hex = (...parts: (string | number)[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');
const seedOf = (...parts: (string | number)[]): number => Number.parseInt(hex(...parts).slice(0, 8), 16);

// ---------------------------------------------------------------------------
// Inventory format (the `file` source), as written to inventory/*.yaml

export interface InventoryApproval { by: string; at: string; state: 'approved' }
export interface InventoryDeployment {
  service: string;
  environment: string;
  version: string;
  commit: string;
  artifact: string;
  deployedAt: string;
  deployedBy: string;
  components?: Record<string, string>;
  approvals: InventoryApproval[];
  url?: string;
}
export interface InventoryConfig { service: string; environment: string; values: Record<string, string | number | boolean> }
export interface InventoryObserved { service: string; environment: string; version: string; commit: string; at: string }
export interface InventoryBranch { service: string; name: string; aheadBy: number; behindBy: number; lastCommitAt: string }
export interface InventoryPullRequest {
  number: number;
  title: string;
  author: string;
  mergedBy: string;
  mergedAt: string;
  reviewers: string[];
  branch: string;
}
export interface InventoryChange {
  service: string;
  environment: string;
  commit: string;
  version: string;
  fromCommit: string | null;
  fromVersion: string | null;
  deployedAt: string;
  pullRequests: InventoryPullRequest[];
  tickets: string[];
}
export interface InventoryHistory { service: string; environment: string; commit: string; artifact: string; version: string; at: string }
export interface Inventory {
  deployments: InventoryDeployment[];
  configs: InventoryConfig[];
  observed: InventoryObserved[];
  branches: InventoryBranch[];
  changes: InventoryChange[];
  history: InventoryHistory[];
}

export interface DemoDay {
  /** The snapshot day, YYYY-MM-DD. */
  date: string;
  /** The snapshot time, `<date>T22:30:00Z` (pass to `collect --at`). */
  at: string;
  /** What the inventory (the `file` source) declares at that time: the legacy services only. */
  inventory: Inventory;
  /** Text of an extra, broken inventory file written that day (a hand edit gone wrong), or null. */
  malformed: string | null;
  /** What each version endpoint answers that night (the services on GitHub). */
  runtime: RuntimeReport[];
  /** GitOps commits made since the previous night (on the first night, all of them before it), oldest first. */
  gitops: GitOpsCommit[];
  /** Requests the local GitHub server fails that night. */
  githubFaults: GitHubFault[];
  /** The truth the sources should add up to: what was last deployed to each service and environment (all services). */
  deployed: { service: string; environment: Env; version: string; commit: string; artifact: string; deployedAt: string; deployedBy: string; components: Record<string, string> }[];
  /** What the clusters run and Argo CD shows that night (kubernetes.ts). */
  kubernetes: ClusterNight;
}

/** One commit of the GitOps repository. */
export interface GitOpsCommit {
  at: string;
  /** Author (and committer) login. */
  author: string;
  message: string;
  /** Path -> full new content. */
  files: Record<string, string>;
}

export interface Incident {
  /** The rule the incident should raise. */
  rule: RuleId;
  service?: string;
  environment?: string;
  /** First snapshot day on which the finding should be open. */
  firesOn: string;
  /** First snapshot day on which it should be gone, or null if it stays open to the end. */
  resolvedOn: string | null;
  /** What happens, in one sentence. */
  story: string;
}

// ---------------------------------------------------------------------------
// The plan: releases and the deployments that carry them

export type PullRequest = InventoryPullRequest;

export interface DeployEvent {
  service: string;
  env: Env;
  /** When the deployment succeeded. */
  at: string;
  by: string;
  approvals: InventoryApproval[];
  release: Release;
  /** Config keys set by this deployment (rotated secrets, scaling, values edited with it). */
  config: Record<string, string | number>;
  /** Order of the event among the service's deployments (for change ranges). */
  serial: number;
  /** Deployed by hand through the deployments API, outside the workflow and its approval gate. */
  manual?: boolean;
}

export interface Release {
  service: string;
  seq: number;
  /** When the release was cut (its commit and tag). */
  createdAt: string;
  version: string;
  commit: string;
  artifact: string;
  components: Record<string, string>;
  pullRequests: PullRequest[];
  kind: 'normal' | 'hotfix' | 'rebuild';
}

/** A change made by hand with no deployment: `by` edited the GitOps repository, or a GitHub environment secret. */
export interface ConfigEdit { service: string; env: Env; at: string; by: string; set: Record<string, string | number> }
export interface BranchPlan { service: string; name: string; createdAt: string; commits: string[]; mergedBackAt: string | null; deletedAt: string | null }

/** A night on which the local GitHub server answers one request path with an error status. */
export interface GitHubFault { service: string; pattern: string; status: number }

export interface Plan {
  releases: Release[];
  deploys: DeployEvent[];
  edits: ConfigEdit[];
  branches: BranchPlan[];
  /** service/env -> [from, to) times during which the version endpoint reports the previous deployment. */
  staleObserved: { service: string; env: Env; from: string; to: string }[];
  malformed: Map<string, string>;
  /** Snapshot day -> the GitHub fault of that night. */
  faults: Map<string, GitHubFault>;
  /** Hotfixes: the hotfix release, its branch, and the pull request that merged it back into main. */
  hotfixes: { release: Release; branch: string; mergeBack: number }[];
  missing: Map<string, string>;
  incidents: Incident[];
  /** Exceptions the team deletes from the config, and from which snapshot day. */
  cleanups: ExceptionCleanup[];
  /** Deployments per `service/env`, filled lazily once the plan is final. */
  index: Map<string, DeployEvent[]>;
}

const SIMULATION_START = '2026-08-03';
/** The last day on which something happens that a snapshot still sees. */
const LAST_EVENT_DAY = addDays(LAST_DAY, -1);

/** Scripted dates (event days, when people act; the ledger sees them the next night). */
const SCRIPT = {
  hotfix: { service: 'payments-api', day: '2026-09-15', mergedBackDay: '2026-09-17' },
  pin: { service: 'risk-rules-engine', qaDay: '2026-09-08', stagingDay: '2026-10-19' },
  rebuild: { service: 'fraud-scoring', day: '2026-10-05' },
  badLibrary: { service: 'card-gateway', day: '2026-10-13', fixDay: '2026-10-16' },
  approvalMissing: { service: 'notification-service', after: '2026-09-21' },
  approvalSelf: { service: 'merchant-portal', after: '2026-10-05' },
  staleRuntime: { service: 'notification-service', after: '2026-10-26', days: 3 },
  configDrift: { service: 'payments-api', after: '2026-10-01', key: 'HTTP_TIMEOUT_MS', value: 8000 },
  manualConfig: { service: 'merchant-portal', after: '2026-09-16', key: 'LOG_LEVEL', value: 'debug' },
  manualSecret: { service: 'ledger-service', after: '2026-10-27', key: 'DB_PASSWORD' },
  unmergedBranch: { service: 'settlement-batch', name: 'release/1.9-emea', day: '2026-10-28' },
  malformedDays: ['2026-09-03', '2026-11-09'],
  missingService: { service: 'webhook-dispatcher', after: '2026-10-30' },
  githubFault: { service: 'identity-service', day: '2026-10-22' },
} as const;

const BASE_TIMEOUT_MS = 5000;
/** The `expires` of the config's exception for the pinned staging (kept in step with release-ledger.config.yaml). */
export const PIN_EXCEPTION_EXPIRES = '2026-10-10';

/** An exception deleted from the config on `removedOn` (the first snapshot day collected without it). */
export interface ExceptionCleanup { rule: RuleId; service: string; removedOn: string }

function secretValue(service: string, key: string, env: string, generation: number): string {
  return `${key.toLowerCase().replace(/_/g, '-')}-${hex('secret', service, key, env, generation).slice(0, 24)}`;
}

function baseConfig(spec: ServiceSpec, env: Env): Record<string, string | number> {
  const values: Record<string, string | number> = {
    LOG_LEVEL: env === 'dev' || env === 'qa' ? 'debug' : 'info',
    REPLICAS: env === 'prod' ? spec.prodReplicas : env === 'staging' ? 2 : 1,
    FEATURE_FLAGS: spec.flags,
    HTTP_TIMEOUT_MS: BASE_TIMEOUT_MS,
  };
  if (spec.database) {
    values.DATABASE_URL = `postgres://${spec.name}@${env}-db.acme.internal:5432/${spec.name.replace(/-/g, '_')}`;
    values.DB_PASSWORD = secretValue(spec.name, 'DB_PASSWORD', env, 0);
  }
  for (const key of spec.secrets) values[key] = secretValue(spec.name, key, env, 0);
  return values;
}

/** Keys meant to differ between environments (the config's `envSpecificKeys`). */
export function envSpecificKeys(spec: ServiceSpec): string[] {
  return ['LOG_LEVEL', 'REPLICAS', ...(spec.database ? ['DATABASE_URL', 'DB_PASSWORD'] : []), ...spec.secrets];
}

const bumpMinor = (v: string): string => semver.inc(v, 'minor') as string;
const bumpPatch = (v: string): string => semver.inc(v, 'patch') as string;

function libraryVersionAt(library: string, range: string, at: string): string {
  const released = LIBRARY_RELEASES.filter((r) => r.library === library && r.at <= at).map((r) => r.version);
  return semver.maxSatisfying(released, range) ?? (released[0] as string);
}

function planService(spec: ServiceSpec, seed: number, plan: Plan): void {
  const rnd = prng(seedOf(seed, spec.name));
  const team = TEAMS[spec.team] as readonly string[];
  let prNumber = rnd.int(120, 900);
  let ticketNumber = rnd.int(100, 480);
  let serial = 0;
  let seq = 0;
  let lastVersion = spec.startVersion;
  let lastMergeAt = isoAt(addDays(SIMULATION_START, -10), 12, 0);
  const releases: Release[] = [];
  const deploys: DeployEvent[] = [];
  const secretGeneration: Record<string, number> = {};
  /** Pull requests merged since the last release that ride with the next one (the hotfix merge back). */
  let pendingPullRequests: PullRequest[] = [];

  const makePullRequests = (until: string, count: number, extra: Partial<PullRequest>[] = []): PullRequest[] => {
    const prs: PullRequest[] = [];
    const span = Math.max(1, (Date.parse(until) - Date.parse(lastMergeAt)) / 60_000);
    const specs: Partial<PullRequest>[] = [...extra, ...Array.from({ length: count }, () => ({}))];
    specs.forEach((given, i) => {
      const author = given.author ?? rnd.pick(team);
      const others = team.filter((m) => m !== author);
      const reviewers = given.reviewers ?? (rnd.next() < 0.4 ? others.slice(0, 2) : [rnd.pick(others)]);
      const ticket = `${spec.ticket}-${ticketNumber++}`;
      const phrase = rnd.pick(PR_PHRASES);
      const slug = phrase.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '').slice(0, 32);
      // Some teams put the ticket in the title, others only in the branch name.
      const inTitle = rnd.next() < 0.7;
      const mergedAt = given.mergedAt ?? shiftMinutes(lastMergeAt, Math.floor(((i + 1) * span) / (specs.length + 1)));
      prs.push({
        number: prNumber++,
        title: given.title ?? (inTitle ? `${ticket}: ${phrase}` : phrase),
        author,
        mergedBy: rnd.next() < 0.5 ? author : (reviewers[0] as string),
        mergedAt,
        reviewers: [...reviewers].sort(),
        branch: given.branch ?? `${rnd.next() < 0.3 ? 'fix' : 'feature'}/${ticket}-${slug}`,
      });
    });
    lastMergeAt = until;
    return prs;
  };

  const newRelease = (kind: Release['kind'], version: string, devAt: string, prs: PullRequest[], components?: Record<string, string>): Release => {
    const release: Release = {
      service: spec.name,
      seq: seq++,
      createdAt: devAt,
      version,
      commit: hex('commit', spec.name, version, kind, seq).slice(0, 40),
      artifact: `sha256:${hex('artifact', spec.name, version, kind, seq)}`,
      components:
        components ??
        Object.fromEntries(
          Object.entries(spec.dependsOn)
            .filter(([dep]) => SERVICES.find((s) => s.name === dep)?.kind === 'library')
            .map(([dep, range]) => [dep, libraryVersionAt(dep, range, devAt)]),
        ),
      pullRequests: prs,
      kind,
    };
    releases.push(release);
    return release;
  };

  const deploy = (release: Release, env: Env, day: string, options: { approvals?: 'normal' | 'none' | 'self'; by?: string; minHour?: number } = {}): DeployEvent => {
    const at = isoAt(day, Math.max(rnd.int(9, 16), options.minHour ?? 0), rnd.int(0, 59));
    const captain = options.by ?? (env === 'dev' || env === 'qa' ? CI_BOT : rnd.pick(team));
    let approvals: InventoryApproval[] = [];
    const mode = options.approvals ?? 'normal';
    if (mode === 'self') approvals = [{ by: captain, at: shiftMinutes(at, -4), state: 'approved' }];
    else if (mode === 'normal' && (env === 'staging' || env === 'prod')) {
      const approver = env === 'prod' ? rnd.pick(RELEASE_MANAGERS) : rnd.pick(team.filter((m) => m !== captain));
      approvals = [{ by: approver, at: shiftMinutes(at, -rnd.int(5, 55)), state: 'approved' }];
    }
    const config: Record<string, string | number> = {};
    // Secrets are rotated with a deployment now and then (the rotation ships with it).
    for (const key of [...(spec.database ? ['DB_PASSWORD'] : []), ...spec.secrets]) {
      if (rnd.next() < 0.12) {
        const id = `${key}/${env}`;
        secretGeneration[id] = (secretGeneration[id] ?? 0) + 1;
        config[key] = secretValue(spec.name, key, env, secretGeneration[id]);
      }
    }
    if (env === 'prod' && rnd.next() < 0.1) config.REPLICAS = spec.prodReplicas + rnd.int(1, 3);
    const event: DeployEvent = { service: spec.name, env, at, by: captain, approvals, release, config, serial: serial++ };
    deploys.push(event);
    return event;
  };

  /** A normal release cycle from `day`: dev, then qa, staging and prod on later working days. */
  const cycleDays = (day: string) => {
    const dev = workday(day);
    const qa = workday(addDays(dev, 1 + rnd.int(0, 1)));
    const staging = workday(addDays(qa, 1 + rnd.int(0, 1)));
    const prod = workday(addDays(staging, 1 + rnd.int(0, 2)));
    return { dev, qa, staging, prod };
  };

  // The start version was rolled out in August; its history is in the inventory's deploy log.
  const initial = newRelease('normal', spec.startVersion, isoAt(SIMULATION_START, 9, 0), makePullRequests(isoAt(SIMULATION_START, 8, 0), 2));
  let days = cycleDays(addDays(SIMULATION_START, rnd.int(0, 6)));
  for (const env of ENVIRONMENTS) deploy(initial, env, days[env]);
  let next = addDays(days.prod, 1 + rnd.int(0, 2));

  // Scripted anchors that interrupt the normal cadence of this service.
  const anchor: string | null =
    spec.name === SCRIPT.hotfix.service ? SCRIPT.hotfix.day
    : spec.name === SCRIPT.pin.service ? addDays(SCRIPT.pin.qaDay, -1)
    : spec.name === SCRIPT.rebuild.service ? SCRIPT.rebuild.day
    : spec.name === SCRIPT.badLibrary.service ? SCRIPT.badLibrary.day
    : null;
  let anchorDone = anchor === null;
  let patchNext = false;

  while (next <= LAST_EVENT_DAY) {
    days = cycleDays(next);
    if (!anchorDone && anchor !== null && days.prod >= anchor) {
      anchorDone = true;
      const day = workday(anchor);
      if (spec.name === SCRIPT.hotfix.service) {
        // A hotfix built from the prod release, deployed straight to prod.
        const version = bumpPatch(lastVersion);
        const prodRelease = releases[releases.length - 1] as Release;
        const branch = `hotfix/${version}`;
        const prs = makePullRequests(isoAt(day, 10, 30), 0, [
          { title: `${spec.ticket}-${ticketNumber + 40}: Stop double capture when the 3DS callback is retried`, branch, author: 'carol', reviewers: ['alice'], mergedAt: isoAt(day, 10, 30) },
        ]);
        // Cut at 10:45 on the hotfix branch, deployed after noon.
        const hotfix = newRelease('hotfix', version, isoAt(day, 10, 45), prs, prodRelease.components);
        const event = deploy(hotfix, 'prod', day, { by: 'carol', minHour: 12 });
        plan.branches.push({
          service: spec.name,
          name: branch,
          createdAt: isoAt(day, 9, 40),
          commits: [isoAt(day, 10, 5), isoAt(day, 10, 20)],
          mergedBackAt: isoAt(SCRIPT.hotfix.mergedBackDay, 7, 30),
          deletedAt: isoAt(addDays(SCRIPT.hotfix.mergedBackDay, 4), 9, 0),
        });
        lastVersion = version;
        // The team merges the hotfix back first; the merge rides with the next release.
        const mergedBackAt = isoAt(SCRIPT.hotfix.mergedBackDay, 7, 30);
        pendingPullRequests = makePullRequests(mergedBackAt, 0, [
          { title: `Merge ${branch} back into main`, branch, author: 'carol', reviewers: ['bob'], mergedAt: mergedBackAt },
        ]);
        plan.hotfixes.push({ release: hotfix, branch, mergeBack: (pendingPullRequests[0] as PullRequest).number });
        next = SCRIPT.hotfix.mergedBackDay;
        plan.incidents.push({
          rule: 'promotion.bypass', service: spec.name, environment: 'prod', firesOn: seenOn(event.at), resolvedOn: null,
          story: `hotfix ${version} deployed straight to prod, never in staging`,
        });
        plan.incidents.push({
          rule: 'branch.not-merged-back', service: spec.name, firesOn: seenOn(isoAt(day, 10, 5)), resolvedOn: seenOn(isoAt(SCRIPT.hotfix.mergedBackDay, 7, 30)),
          story: `${branch} has commits main does not have until it is merged back`,
        });
        continue;
      }
      if (spec.name === SCRIPT.pin.service) {
        // Promotion held: qa gets a release, staging and prod keep the old one for six weeks.
        const version = bumpMinor(lastVersion);
        const release = newRelease('normal', version, isoAt(day, 9, 0), makePullRequests(isoAt(day, 8, 0), 3));
        deploy(release, 'dev', day);
        const qa = deploy(release, 'qa', SCRIPT.pin.qaDay);
        const staging = deploy(release, 'staging', SCRIPT.pin.stagingDay);
        deploy(release, 'prod', workday(addDays(SCRIPT.pin.stagingDay, 1)));
        lastVersion = version;
        next = addDays(SCRIPT.pin.stagingDay, 3);
        const firesOn = DAYS.find((d) => Date.parse(snapshotAt(d)) - Date.parse(qa.at) > MAX_DRIFT_DAYS * DAY_MS) as string;
        plan.incidents.push({
          rule: 'drift.version', service: spec.name, environment: 'staging', firesOn, resolvedOn: seenOn(staging.at),
          story: `staging pinned at the previous release while qa runs ${version}; drift ages past ${MAX_DRIFT_DAYS} days (excepted until 2026-10-10)`,
        });
        // Once staging is unpinned the team deletes the expired exception from the config.
        plan.cleanups.push({ rule: 'drift.version', service: spec.name, removedOn: seenOn(staging.at) });
        plan.incidents.push({
          rule: 'exception.expired', service: spec.name, firesOn: addDays(PIN_EXCEPTION_EXPIRES, 1), resolvedOn: seenOn(staging.at),
          story: `the exception for the pinned staging expires on ${PIN_EXCEPTION_EXPIRES} while the drift is still open; it is deleted once staging is unpinned`,
        });
        continue;
      }
      if (spec.name === SCRIPT.rebuild.service) {
        // The same version label rebuilt from another commit and deployed to dev and qa.
        const prodRelease = releases[releases.length - 1] as Release;
        const prs = makePullRequests(isoAt(day, 8, 30), 0, [{ title: `${spec.ticket}-${ticketNumber + 30}: Rebuild on patched base image`, branch: `chore/${spec.ticket}-${ticketNumber + 30}-rebuild` }]);
        const rebuild = newRelease('rebuild', prodRelease.version, isoAt(day, 9, 0), prs, prodRelease.components);
        const dev = deploy(rebuild, 'dev', day);
        deploy(rebuild, 'qa', workday(addDays(day, 1)));
        next = workday(addDays(day, 3));
        // The finding names the highest environment that runs the label (prod).
        plan.incidents.push({
          rule: 'promotion.artifact-mismatch', service: spec.name, environment: 'prod', firesOn: seenOn(dev.at), resolvedOn: null,
          story: `${prodRelease.version} rebuilt from another commit: dev and qa run a different build than prod under one label`,
        });
        continue;
      }
      if (spec.name === SCRIPT.badLibrary.service) {
        // A dependency bot bumps ledger-core to 3.0.0, outside the declared range; caught in qa.
        const version = bumpMinor(lastVersion);
        const release = newRelease('normal', version, isoAt(day, 9, 0), makePullRequests(isoAt(day, 8, 0), 1, [
          { title: 'Bump ledger-core from 2.9.0 to 3.0.0', author: 'renovate[bot]', reviewers: ['dmitri'], branch: 'renovate/ledger-core-3.x' },
        ]), { 'ledger-core': '3.0.0', 'auth-client': libraryVersionAt('auth-client', '^1.4.0', isoAt(day, 9, 0)) });
        const dev = deploy(release, 'dev', day);
        const qa = deploy(release, 'qa', workday(addDays(day, 1)));
        lastVersion = version;
        patchNext = true;
        next = SCRIPT.badLibrary.fixDay;
        plan.incidents.push({
          rule: 'dependency.incompatible', service: spec.name, environment: 'dev', firesOn: seenOn(dev.at), resolvedOn: null,
          story: `${version} embeds ledger-core 3.0.0 though it declares ^2.5.0`,
        });
        plan.incidents.push({
          rule: 'component.skew', service: 'ledger-core', environment: 'qa', firesOn: seenOn(qa.at), resolvedOn: null,
          story: 'card-gateway runs ledger-core 3.0.0 in qa while every other service runs 2.9.x',
        });
        continue;
      }
    }
    const version = patchNext ? bumpPatch(lastVersion) : bumpMinor(lastVersion);
    const devAt = isoAt(days.dev, 8, 0);
    const prs = [...pendingPullRequests, ...makePullRequests(devAt, rnd.int(1, 3))];
    pendingPullRequests = [];
    const release = newRelease('normal', version, devAt, prs);
    if (patchNext) {
      // The fix pins ledger-core back to 2.9.x.
      (release.pullRequests[release.pullRequests.length - 1] as PullRequest).title = `${spec.ticket}-${ticketNumber++}: Pin ledger-core to ^2.9.0`;
      patchNext = false;
    }
    for (const env of ENVIRONMENTS) deploy(release, env, days[env]);
    lastVersion = version;
    next = addDays(days.prod, 1 + rnd.int(0, 2));
  }
  plan.releases.push(...releases);
  plan.deploys.push(...deploys);
}
function planOrganisation(seed: number): Plan {
  const plan: Plan = { releases: [], deploys: [], edits: [], branches: [], staleObserved: [], malformed: new Map(), faults: new Map(), hotfixes: [], missing: new Map(), incidents: [], cleanups: [], index: new Map() };
  for (const spec of DEPLOYED) {
    planService(spec, seed, plan);
  }
  plan.deploys.sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service));
  planReleases(plan); // examples/acme/releases.ts: a declared release, a ticket shared by two services, an oversized prod deployment
  const deploysOf = (service: string, env: Env) => eventsOf(plan, service, env);
  const firstAfter = (service: string, env: Env, day: string) => deploysOf(service, env).find((d) => d.at >= isoAt(day, 0, 0));
  const nextAfter = (event: DeployEvent) => deploysOf(event.service, event.env).find((d) => d.at > event.at);
  const resolvedBy = (event: DeployEvent) => {
    const after = nextAfter(event);
    return after ? seenOn(after.at) : null;
  };
  const fix = (list: Incident[], rule: RuleId, service: string | undefined, resolvedOn: string | null) => {
    const incident = list.find((i) => i.rule === rule && (service === undefined || i.service === service));
    if (incident) incident.resolvedOn = resolvedOn;
  };

  // The hotfix is resolved when a release that passed staging reaches prod.
  const hotfix = plan.incidents.find((i) => i.rule === 'promotion.bypass') as Incident;
  const hotfixEvent = deploysOf(SCRIPT.hotfix.service, 'prod').find((d) => d.release.kind === 'hotfix') as DeployEvent;
  hotfix.resolvedOn = resolvedBy(hotfixEvent);
  // The rebuild is resolved when dev and qa both run the next release.
  const rebuildQa = deploysOf(SCRIPT.rebuild.service, 'qa').find((d) => d.release.kind === 'rebuild') as DeployEvent;
  fix(plan.incidents, 'promotion.artifact-mismatch', SCRIPT.rebuild.service, resolvedBy(rebuildQa));
  // The bad library build is replaced in dev, then in qa.
  const badDev = deploysOf(SCRIPT.badLibrary.service, 'dev').find((d) => d.release.components['ledger-core'] === '3.0.0') as DeployEvent;
  const badQa = deploysOf(SCRIPT.badLibrary.service, 'qa').find((d) => d.release.components['ledger-core'] === '3.0.0') as DeployEvent;
  const fixedDev = resolvedBy(badDev);
  const fixedQa = resolvedBy(badQa);
  fix(plan.incidents, 'dependency.incompatible', SCRIPT.badLibrary.service, fixedDev && fixedQa ? [fixedDev, fixedQa].sort()[1] ?? null : null);
  fix(plan.incidents, 'component.skew', undefined, resolvedBy(badQa));

  // A prod deployment with no approval at all.
  const missing = firstAfter(SCRIPT.approvalMissing.service, 'prod', SCRIPT.approvalMissing.after) as DeployEvent;
  missing.approvals = [];
  // Deployed by hand through the deployments API: no workflow run, so no approval gate.
  missing.manual = true;
  plan.incidents.push({ rule: 'approval.missing', service: missing.service, environment: 'prod', firesOn: seenOn(missing.at), resolvedOn: resolvedBy(missing), story: `${missing.release.version} deployed to prod with no approval` });

  // A prod deployment approved only by its deployer, who also wrote the change.
  const self = firstAfter(SCRIPT.approvalSelf.service, 'prod', SCRIPT.approvalSelf.after) as DeployEvent;
  self.by = 'rosa';
  self.approvals = [{ by: 'rosa', at: shiftMinutes(self.at, -3), state: 'approved' }];
  for (const pr of self.release.pullRequests) pr.author = 'rosa';
  plan.incidents.push({ rule: 'approval.self', service: self.service, environment: 'prod', firesOn: seenOn(self.at), resolvedOn: resolvedBy(self), story: `rosa deployed ${self.release.version} to prod and was its only approver` });
  // Audit export cases (examples/acme/audit-cases.ts).
  approveAfterTheFact(plan.deploys);
  plan.incidents.push(previewIncident(eventsOf(plan, PREVIEW.service, 'prod'), seenOn)); // examples/acme/outside-policy.ts

  // A prod rollout that never completes: the version endpoint keeps reporting the old version.
  const stale = firstAfter(SCRIPT.staleRuntime.service, 'prod', SCRIPT.staleRuntime.after) as DeployEvent;
  const staleTo = snapshotAt(addDays(seenOn(stale.at), SCRIPT.staleRuntime.days));
  plan.staleObserved.push({ service: stale.service, env: 'prod', from: stale.at, to: staleTo });
  plan.incidents.push({ rule: 'drift.runtime', service: stale.service, environment: 'prod', firesOn: seenOn(stale.at), resolvedOn: staleTo.slice(0, 10), story: `prod reports the previous version for ${SCRIPT.staleRuntime.days} days after ${stale.release.version} was deployed; in the cluster one pod runs the new digest, the others the old` });

  // A key edited in prod's values with a deployment, so prod differs from staging; reverted with the next one.
  const drifted = firstAfter(SCRIPT.configDrift.service, 'prod', SCRIPT.configDrift.after) as DeployEvent;
  drifted.config[SCRIPT.configDrift.key] = SCRIPT.configDrift.value;
  const reverted = nextAfter(drifted) as DeployEvent;
  reverted.config[SCRIPT.configDrift.key] = BASE_TIMEOUT_MS;
  plan.incidents.push({ rule: 'config.drift', service: drifted.service, environment: 'prod', firesOn: seenOn(drifted.at), resolvedOn: seenOn(reverted.at), story: `${SCRIPT.configDrift.key} raised to ${SCRIPT.configDrift.value} in prod only` });

  // Hand edits with no deployment between two snapshots.
  const quietDay = (service: string, env: Env, after: string): string => {
    for (let day = workday(after); ; day = workday(addDays(day, 1))) {
      const seen = seenOn(isoAt(day, 15, 0));
      if (!plan.deploys.some((d) => d.service === service && d.env === env && seenOn(d.at) === seen)) return day;
    }
  };
  const logDay = quietDay(SCRIPT.manualConfig.service, 'prod', SCRIPT.manualConfig.after);
  plan.edits.push({ service: SCRIPT.manualConfig.service, env: 'prod', at: isoAt(logDay, 15, 12), by: 'sami', set: { [SCRIPT.manualConfig.key]: SCRIPT.manualConfig.value } });
  plan.incidents.push({ rule: 'config.unrecorded-change', service: SCRIPT.manualConfig.service, environment: 'prod', firesOn: seenOn(isoAt(logDay, 15, 12)), resolvedOn: addDays(seenOn(isoAt(logDay, 15, 12)), 1), story: 'LOG_LEVEL switched to debug by hand in prod' });
  const secretDay = quietDay(SCRIPT.manualSecret.service, 'prod', SCRIPT.manualSecret.after);
  plan.edits.push({ service: SCRIPT.manualSecret.service, env: 'prod', at: isoAt(secretDay, 17, 40), by: 'hiro', set: { [SCRIPT.manualSecret.key]: secretValue(SCRIPT.manualSecret.service, SCRIPT.manualSecret.key, 'prod', 99) } });
  plan.incidents.push({ rule: 'config.unrecorded-change', service: SCRIPT.manualSecret.service, environment: 'prod', firesOn: seenOn(isoAt(secretDay, 17, 40)), resolvedOn: addDays(seenOn(isoAt(secretDay, 17, 40)), 1), story: 'DB_PASSWORD rotated by hand in prod, no deployment' });

  // A regional release branch that is never merged back (excepted until 2026-12-31).
  const branchDay = SCRIPT.unmergedBranch.day;
  plan.branches.push({
    service: SCRIPT.unmergedBranch.service,
    name: SCRIPT.unmergedBranch.name,
    createdAt: isoAt(branchDay, 9, 0),
    commits: [isoAt(branchDay, 11, 0), isoAt(addDays(branchDay, 1), 14, 30), isoAt(addDays(branchDay, 6), 10, 15)],
    mergedBackAt: null,
    deletedAt: null,
  });
  plan.incidents.push({ rule: 'branch.not-merged-back', service: SCRIPT.unmergedBranch.service, firesOn: seenOn(isoAt(branchDay, 11, 0)), resolvedOn: null, story: `${SCRIPT.unmergedBranch.name} is never merged back (an exception covers it)` });

  // Source gaps: a broken hand-edited file on two nights, a service left out on another.
  plan.malformed.set(SCRIPT.malformedDays[0], 'deployments:\n  - service: reporting-service\n    environment: prod\n   version: [2.7.0\n    commit: 9f86d08\n');
  plan.malformed.set(SCRIPT.malformedDays[1], 'configs:\n  - service: webhook-dispatcher\n    environment: staging\n    values: { LOG_LEVEL: info, REPLICAS: 2\n  - service: webhook-dispatcher\n');
  for (const day of SCRIPT.malformedDays) plan.incidents.push({ rule: 'source.gap', firesOn: day, resolvedOn: addDays(day, 1), story: 'a malformed inventory file in the folder' });
  for (let day: string = SCRIPT.missingService.after; ; day = addDays(day, 1)) {
    if (!plan.deploys.some((d) => d.service === SCRIPT.missingService.service && seenOn(d.at) === day)) {
      plan.missing.set(day, SCRIPT.missingService.service);
      plan.incidents.push({ rule: 'source.gap', service: SCRIPT.missingService.service, firesOn: day, resolvedOn: addDays(day, 1), story: `${SCRIPT.missingService.service} is missing from the inventory that night` });
      break;
    }
  }
  // GitHub has a bad night: the environments of one repository answer 502 (after Octokit's retries), so
  // its protection rules are missing from that snapshot only.
  const fault = SCRIPT.githubFault;
  plan.faults.set(fault.day, { service: fault.service, pattern: `^GET /repos/acme/${fault.service}/environments\\?`, status: 502 });
  plan.incidents.push({ rule: 'source.gap', service: fault.service, firesOn: fault.day, resolvedOn: addDays(fault.day, 1), story: `GitHub answers 502 when asked for ${fault.service}'s environments (protection rules unknown that night)` });

  // A library release reaches each dependent with its next release: skew until the last one is in prod.
  for (const [library, version] of [['ledger-core', '2.9.0'], ['auth-client', '1.7.0']] as const) {
    const from = seenOn(firstAdoption(plan, library, version));
    plan.incidents.push({
      rule: 'component.skew', service: library, firesOn: from, resolvedOn: DAYS.find((d) => d > from && skewedEnvironments(plan, snapshotAt(d)).length === 0) ?? null,
      story: `${library} ${version} is picked up by each dependent with its next release`,
    });
  }
  // What only the clusters show (kubernetes.ts): the manual `kubectl set image` in prod.
  plan.incidents.push(...clusterIncidents((s, e) => eventsOf(plan, s, e as Env)));
  plan.incidents.sort((a, b) => a.firesOn.localeCompare(b.firesOn) || a.rule.localeCompare(b.rule));
  return plan;
}

/** Environments where services embed different versions of one library at `at` (what component.skew looks for). */
function skewedEnvironments(plan: Plan, at: string): string[] {
  const skewed: string[] = [];
  for (const env of ENVIRONMENTS) {
    const versions = new Map<string, Set<string>>();
    for (const spec of DEPLOYED) {
      const event = current(plan, spec.name, env, at);
      for (const [lib, version] of Object.entries(event?.release.components ?? {})) versions.set(lib, (versions.get(lib) ?? new Set()).add(version));
    }
    if ([...versions.values()].some((v) => v.size > 1)) skewed.push(env);
  }
  return skewed;
}

function firstAdoption(plan: Plan, library: string, version: string): string {
  return (plan.deploys.find((d) => d.release.components[library] === version) as DeployEvent).at;
}

// ---------------------------------------------------------------------------
// Rendering one night's inventory from the plan

/** The deployments of one service to one environment, oldest first. */
function eventsOf(plan: Plan, service: string, env: Env): DeployEvent[] {
  const key = `${service}/${env}`;
  let list = plan.index.get(key);
  if (!list) {
    list = plan.deploys.filter((d) => d.service === service && d.env === env);
    plan.index.set(key, list);
  }
  return list;
}

/** What runs in `env` at `at`: the last deployment before it. */
function current(plan: Plan, service: string, env: Env, at: string): DeployEvent | undefined {
  return eventsOf(plan, service, env).findLast((d) => d.at < at);
}

function previousOf(plan: Plan, event: DeployEvent): DeployEvent | undefined {
  return eventsOf(plan, event.service, event.env).findLast((d) => d.at < event.at);
}

/** A service's config values in `env` at `at`: the base, then every deployment's and hand edit's changes before it, in time order. */
function configAt(plan: Plan, spec: ServiceSpec, env: Env, at: string): Record<string, string | number> {
  const values: Record<string, string | number> = baseConfig(spec, env);
  const steps = [
    ...eventsOf(plan, spec.name, env).filter((d) => d.at < at).map((d) => ({ at: d.at, set: d.config, deployment: true })),
    ...plan.edits.filter((e) => e.service === spec.name && e.env === env && e.at < at).map((e) => ({ at: e.at, set: e.set, deployment: false })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  for (const step of steps) {
    // A deployment re-renders the values file from the repo, which undoes a hand edit of LOG_LEVEL.
    if (step.deployment) values.LOG_LEVEL = baseConfig(spec, env).LOG_LEVEL as string;
    Object.assign(values, step.set);
  }
  return values;
}

/** What the deployment in `env` at `at` reports on its version endpoint: the previous build while a rollout is stuck. */
function runningAt(plan: Plan, service: string, env: Env, at: string): DeployEvent | undefined {
  const event = current(plan, service, env, at);
  if (!event) return undefined;
  const stale = plan.staleObserved.find((s) => s.service === service && s.env === env && s.from < at && at < s.to);
  return stale ? (previousOf(plan, event) ?? event) : event;
}

function renderDay(plan: Plan, day: string, gitops: GitOpsCommit[]): DemoDay {
  const at = snapshotAt(day);
  const since = snapshotAt(addDays(day, -1));
  const observedAt = shiftMinutes(at, -10);
  const missing = plan.missing.get(day);
  const inventory: Inventory = { deployments: [], configs: [], observed: [], branches: [], changes: [], history: [] };
  const runtime: RuntimeReport[] = [];
  const deployed: DemoDay['deployed'] = [];
  for (const spec of DEPLOYED) {
    for (const env of ENVIRONMENTS) {
      const event = current(plan, spec.name, env, at);
      if (event) deployed.push({ service: spec.name, environment: env, version: event.release.version, commit: event.release.commit, artifact: event.release.artifact, deployedAt: event.at, deployedBy: event.by, components: event.release.components });
    }
  }
  for (const spec of ON_GITHUB) {
    for (const env of ENVIRONMENTS) {
      const shown = runningAt(plan, spec.name, env, at);
      if (!shown) continue;
      const shape = VERSION_SHAPES[spec.name] ?? 'flat';
      runtime.push({ service: spec.name, environment: env, version: shown.release.version, commit: shape === 'plain-text' ? null : shown.release.commit.slice(0, 7), shape });
    }
  }
  for (const spec of DEPLOYED) {
    // Only the legacy services are in the inventory; the others are read from GitHub, GitOps and their endpoints.
    if (spec.name === missing || !LEGACY.includes(spec.name)) continue;
    for (const env of ENVIRONMENTS) {
      const event = current(plan, spec.name, env, at);
      if (!event) continue;
      const r = event.release;
      const deployment: InventoryDeployment = {
        service: spec.name,
        environment: env,
        version: r.version,
        commit: r.commit,
        artifact: r.artifact,
        deployedAt: event.at,
        deployedBy: event.by,
        approvals: event.approvals,
        url: `https://deploy.acme.example/${spec.name}/${env}/${event.serial + 1000}`,
      };
      if (Object.keys(r.components).length > 0) deployment.components = r.components;
      inventory.deployments.push(deployment);

      inventory.configs.push({ service: spec.name, environment: env, values: configAt(plan, spec, env, at) });

      const shown = runningAt(plan, spec.name, env, at) ?? event;
      inventory.observed.push({ service: spec.name, environment: env, version: shown.release.version, commit: shown.release.commit.slice(0, 7), at: observedAt });
    }
    for (const event of plan.deploys) {
      if (event.service !== spec.name || event.at >= at) continue;
      if (event.at >= since) {
        const before = previousOf(plan, event);
        const fromSeq = before ? before.release.seq : -1;
        const prs = plan.releases
          .filter((r) => r.service === spec.name && r.seq > fromSeq && r.seq <= event.release.seq)
          .flatMap((r) => r.pullRequests)
          .sort((a, b) => a.number - b.number);
        const pattern = /[A-Z][A-Z0-9]+-[0-9]+/g;
        const tickets = [...new Set(prs.flatMap((pr) => [...`${pr.title} ${pr.branch}`.matchAll(pattern)].map((m) => m[0])))].sort();
        inventory.changes.push({
          service: spec.name,
          environment: event.env,
          commit: event.release.commit,
          version: event.release.version,
          fromCommit: before?.release.commit ?? null,
          fromVersion: before?.release.version ?? null,
          deployedAt: event.at,
          pullRequests: prs.map((pr) => ({ ...pr, reviewers: [...pr.reviewers] })),
          tickets,
        });
      }
      // The deploy log: the last three days each night (so a night with a gap loses nothing), 30 days on the first night.
      if (Date.parse(at) - Date.parse(event.at) <= (day === FIRST_DAY ? 30 : 3) * DAY_MS) {
        inventory.history.push({ service: spec.name, environment: event.env, commit: event.release.commit, artifact: event.release.artifact, version: event.release.version, at: event.at });
      }
    }
    for (const b of plan.branches) {
      if (b.service !== spec.name || b.createdAt >= at || (b.deletedAt !== null && b.deletedAt < at)) continue;
      const commits = b.commits.filter((c) => c < at);
      const merged = b.mergedBackAt !== null && b.mergedBackAt < at;
      const mainCommits = plan.releases.filter((r) => r.service === spec.name).flatMap((r) => r.pullRequests).filter((pr) => pr.mergedAt > b.createdAt && pr.mergedAt < at).length;
      inventory.branches.push({
        service: spec.name,
        name: b.name,
        aheadBy: merged ? 0 : commits.length,
        behindBy: mainCommits,
        lastCommitAt: commits.at(-1) ?? b.createdAt,
      });
    }
  }
  const malformed = plan.malformed.get(day) ?? null;
  const first = day === FIRST_DAY;
  return {
    date: day,
    at,
    inventory,
    malformed,
    runtime,
    gitops: gitops.filter((c) => c.at < at && (first || c.at >= since)),
    githubFaults: plan.faults.has(day) ? [plan.faults.get(day)!] : [],
    deployed,
    kubernetes: clusterNight({ at, services: ON_GITHUB, environments: ENVIRONMENTS, events: (s, e) => eventsOf(plan, s, e).filter((d) => d.at < at), stuck: (s, e) => runningAt(plan, s, e, at) !== current(plan, s, e, at), robot: CI_BOT }),
  };
}

export interface Demo {
  days: DemoDay[];
  incidents: Incident[];
  /** Exceptions the team deletes from the config during the timeline (see `configForDay`). */
  cleanups: ExceptionCleanup[];
  /** The GitHub side of the organisation, over the whole timeline: cut it at a time with `scenarioAt`. */
  github: RepoTimeline[];
}

/** The whole demo: one night's state per snapshot day, the GitHub timelines and the scripted incidents. Pure and deterministic. */
export function generateDemo(options: { seed?: number; days?: number } = {}): Demo {
  const plan = planOrganisation(options.seed ?? DEFAULT_SEED);
  const gitops = gitopsCommits(plan);
  const days = DAYS.slice(0, options.days ?? DAYS.length).map((day) => renderDay(plan, day, gitops));
  return { days, incidents: plan.incidents, cleanups: plan.cleanups, github: githubTimelines(plan) };
}

/** The organisation on the local GitHub server at `at` (see github-world.ts); only `token` is accepted. */
export function githubScenario(demo: Pick<Demo, 'github'>, at: string, token: string) {
  return scenarioAt(demo.github, at, [token]);
}

// ---------------------------------------------------------------------------
// The GitOps repository: what each environment declares (examples/acme/.work/gitops)

const GITOPS_BOOTSTRAP = '2026-08-01T09:00:00Z';
/** Keys kept in GitHub environment secrets rather than in the GitOps repository. */
const secretKeysOf = (spec: ServiceSpec): string[] => [...(spec.database ? ['DB_PASSWORD'] : []), ...spec.secrets];
/** The one key set as a GitHub environment variable; the rest of the non-secret config is a ConfigMap in the GitOps repository. */
const GITHUB_VARIABLES = ['FEATURE_FLAGS'];
const IMAGE_REGISTRY = 'registry.acme.example';

/** The GitOps files of one service in one environment (paths as in the config's gitops `files` and `configFiles`). */
function gitopsFiles(plan: Plan, spec: ServiceSpec, env: Env, event: DeployEvent, at: string): Record<string, string> {
  const dir = `environments/${env}/${spec.name}`;
  const r = event.release;
  const values = [
    `# ${spec.name} in ${env}: Helm values. The deploy pipeline sets image.tag and image.digest.`,
    'image:',
    `  repository: ${IMAGE_REGISTRY}/${spec.team.replace(/^team-/, '')}/${spec.name}`,
    `  tag: "${r.version}"`,
    `  digest: "${r.artifact}"`,
    'service:',
    '  port: 8080',
    '',
  ].join('\n');
  const secret = new Set([...secretKeysOf(spec), ...GITHUB_VARIABLES]);
  const data = Object.entries(configAt(plan, spec, env, at))
    .filter(([key]) => !secret.has(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `  ${key}: ${JSON.stringify(String(value))}`);
  const config = [
    `# ${spec.name} in ${env}: settings mounted as environment variables (secrets come from GitHub environment secrets).`,
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${spec.name}`,
    `  namespace: ${env}`,
    'data:',
    ...data,
    '',
  ].join('\n');
  return { [`${dir}/values.yaml`]: values, [`${dir}/config.yaml`]: config };
}

/** Every GitOps commit over the timeline: a bootstrap, one per deployment of a service on GitHub, and the hand edits. */
function gitopsCommits(plan: Plan): GitOpsCommit[] {
  const commits: GitOpsCommit[] = [
    {
      at: GITOPS_BOOTSTRAP,
      author: 'nadia',
      message: 'Bootstrap the environments repository',
      files: { 'README.md': '# acme/environments\n\nWhat runs where: Helm values (`image.tag`) and ConfigMaps per environment and service, synced by Argo CD.\n' },
    },
  ];
  const after = (iso: string) => new Date(Date.parse(iso) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const spec of ON_GITHUB) {
    for (const env of ENVIRONMENTS) {
      for (const event of eventsOf(plan, spec.name, env)) {
        // The pipeline commits the new tag a few minutes before the rollout reports success.
        const at = shiftMinutes(event.at, -3);
        commits.push({
          at,
          author: event.manual ? event.by : CI_BOT,
          message: `${spec.name}: deploy ${event.release.version} to ${env}${event.manual ? ' (by hand)' : ''}`,
          files: gitopsFiles(plan, spec, env, event, after(event.at)),
        });
      }
    }
  }
  for (const edit of plan.edits) {
    const spec = SERVICES.find((s) => s.name === edit.service) as ServiceSpec;
    if (!ON_GITHUB.includes(spec)) continue;
    const keys = Object.keys(edit.set);
    if (keys.every((k) => secretKeysOf(spec).includes(k))) continue; // a secret is edited in GitHub, not here
    const event = current(plan, edit.service, edit.env, edit.at) as DeployEvent;
    commits.push({
      at: edit.at,
      author: edit.by,
      message: `${edit.service} ${edit.env}: set ${keys.map((k) => `${k}=${edit.set[k]}`).join(', ')}`,
      files: gitopsFiles(plan, spec, edit.env, event, after(edit.at)),
    });
  }
  return commits.sort((a, b) => a.at.localeCompare(b.at) || a.message.localeCompare(b.message));
}

// ---------------------------------------------------------------------------
// GitHub: repositories, pull requests, releases, deployments, approvals, environments

const OWNER = 'acme';
const WEB = 'https://github.example.test';
const sha40 = (...parts: (string | number)[]) => hex(...parts).slice(0, 40);
const ghEnvironment = (env: Env): string => (env === 'prod' ? 'production' : env);
const SECRETS_SINCE = '2026-07-01T08:00:00Z';
const VARIABLES_SINCE = '2026-06-02T09:00:00Z';

function githubTimelines(plan: Plan): RepoTimeline[] {
  return ON_GITHUB.map((spec, i) => repoTimeline(plan, spec, i + 1));
}

function repoTimeline(plan: Plan, spec: ServiceSpec, id: number): RepoTimeline {
  const name = spec.name;
  const releases = plan.releases.filter((r) => r.service === name).sort((a, b) => a.seq - b.seq);
  const events = plan.deploys.filter((d) => d.service === name);
  const hotfix = plan.hotfixes.find((h) => h.release.service === name);
  const mergeCommit = (pr: PullRequest) => sha40('merge', name, pr.number);
  /** A release's commit is dated when it was cut, or just before its first deployment was created. */
  const cutAt = (r: Release) => {
    const first = events.filter((e) => e.release === r).map((e) => deploymentCreatedAt(e)).sort()[0];
    return first && shiftMinutes(first, -15) < r.createdAt ? shiftMinutes(first, -15) : r.createdAt;
  };

  // The default branch: merged pull requests and release commits in time order (the hotfix lives on its branch).
  type Item = { sha: string; date: string; message: string; files?: Record<string, string>; extraParent?: string };
  const items: Item[] = [];
  for (const r of releases) {
    if (r.kind === 'hotfix') continue;
    for (const pr of r.pullRequests) {
      const back = hotfix && hotfix.mergeBack === pr.number;
      items.push({ sha: mergeCommit(pr), date: pr.mergedAt, message: `${pr.title} (#${pr.number})`, ...(back ? { extraParent: hotfix.release.commit } : {}) });
    }
    items.push({ sha: r.commit, date: cutAt(r), message: `chore(release): v${r.version}`, files: { 'package.json': packageJson(spec, r) } });
  }
  items.sort((a, b) => a.date.localeCompare(b.date));
  const commits: RepoTimeline['commits'] = [];
  let parent: string | undefined;
  for (const item of items) {
    commits.push({ sha: item.sha, parents: [...(parent ? [parent] : []), ...(item.extraParent ? [item.extraParent] : [])], date: item.date, message: item.message, ...(item.files ? { files: item.files } : {}) });
    parent = item.sha;
  }
  const main = items.map((i) => i.sha);
  const mainAt = (at: string) => items.filter((i) => i.date < at).at(-1)?.sha ?? (items[0] as Item).sha;

  // Release and hotfix branches, with their own commits.
  const branches: TimelineBranch[] = [];
  for (const b of plan.branches.filter((x) => x.service === name)) {
    const isHotfix = hotfix !== undefined && b.name === hotfix.branch;
    const base = isHotfix ? (current(plan, name, 'prod', b.createdAt) as DeployEvent).release.commit : mainAt(b.createdAt);
    const shas: string[] = [];
    let tip = base;
    b.commits.forEach((date, n) => {
      const sha = sha40('branch', name, b.name, n);
      commits.push({ sha, parents: [tip], date, message: isHotfix ? `Stop double capture on retried 3DS callbacks (${n + 1}/${b.commits.length})` : `${spec.ticket}-${412 + n}: EMEA scheme change, part ${n + 1}` });
      shas.push(sha);
      tip = sha;
    });
    if (isHotfix) {
      const r = hotfix.release;
      commits.push({ sha: r.commit, parents: [tip], date: cutAt(r), message: `chore(release): v${r.version}`, files: { 'package.json': packageJson(spec, r) } });
      shas.push(r.commit);
    }
    branches.push({ name: b.name, createdAt: b.createdAt, deletedAt: b.deletedAt, base, commits: shas });
  }
  commits.sort((a, b) => a.date.localeCompare(b.date) || a.sha.localeCompare(b.sha));

  // Tags (v-prefixed, one per release; a rebuild moves its label's tag to the rebuilt commit).
  const tags = releases.map((r) => ({ name: `v${r.version}`, sha: r.commit, at: cutAt(r) })).sort((a, b) => a.at.localeCompare(b.at));

  // Pull requests, each squash-merged into one commit (the hotfix's brought its branch commits).
  const pulls = releases.flatMap((r) =>
    r.pullRequests.map((pr) => ({
      number: pr.number,
      title: pr.title,
      headRef: pr.branch,
      author: pr.author,
      mergedBy: pr.mergedBy,
      mergedAt: pr.mergedAt,
      commits: r.kind === 'hotfix' ? branches.find((b) => b.name === hotfix?.branch)!.commits.slice(0, -1) : [mergeCommit(pr)],
      reviews: pr.reviewers.map((user, n) => ({ user, state: 'APPROVED' as const, submittedAt: shiftMinutes(pr.mergedAt, -(12 + 9 * n)) })),
    })),
  );

  // Deployments: one per deployment event, with the statuses GitHub Actions would post, and the workflow runs.
  const deployments: ScenarioDeployment[] = [];
  const runs: RepoTimeline['runs'] = [];
  for (const env of ENVIRONMENTS) {
    const list = eventsOf(plan, name, env);
    list.forEach((e, n) => {
      const deploymentId = id * 100_000 + e.serial;
      const runId = 7_000_000_000 + deploymentId;
      const logUrl = e.manual ? undefined : `${WEB}/${OWNER}/${name}/actions/runs/${runId}/job/${runId * 10 + 1}`;
      const createdAt = deploymentCreatedAt(e);
      const reviewed = e.approvals.length > 0;
      const statuses: ScenarioStatus[] = [
        { state: 'queued', createdAt, ...(logUrl ? { logUrl } : {}) },
        ...(reviewed ? [{ state: 'waiting' as const, createdAt: shiftMinutes(createdAt, 1), ...(logUrl ? { logUrl } : {}) }] : []),
        { state: 'in_progress', createdAt: reviewed ? (e.approvals[0] as InventoryApproval).at : shiftMinutes(createdAt, 2), ...(logUrl ? { logUrl } : {}) },
        { state: 'success', createdAt: e.at, ...(logUrl ? { logUrl } : {}) },
      ];
      // auto_inactive: the next successful deployment marks this one inactive.
      const next = list[n + 1];
      if (next) statuses.push({ state: 'inactive', createdAt: next.at, ...(logUrl ? { logUrl } : {}) });
      deployments.push({
        id: deploymentId,
        sha: e.release.commit,
        ref: `v${e.release.version}`,
        environment: ghEnvironment(env),
        creator: e.by,
        createdAt,
        // The image by digest, as container CD tools record it: the ledger reads the artifact from it (collectors/github/payload.ts, artifactOf).
        payload: { ...(e.manual ? { tool: 'acme-deploy-cli', reason: 'manual' } : {}), image: `ghcr.io/acme/${name}:${e.release.version}@${e.release.artifact}` },
        statuses,
      });
      if (!e.manual) {
        runs.push({
          id: runId,
          at: createdAt,
          approvals: e.approvals.map((a) => ({ state: 'approved' as const, user: a.by, comment: env === 'prod' ? 'Release window OK' : '', environments: [ghEnvironment(env)] })),
        });
      }
    });
  }

  if (name === PREVIEW.service) addPreview(eventsOf(plan, name, 'prod'), id, mainAt, branches, deployments); // examples/acme/outside-policy.ts

  // Environments: reviewers on staging (the team) and production (release managers); secrets dated by their rotations.
  const environments: RepoTimeline['environments'] = ENVIRONMENTS.map((env) => {
    const reviewers =
      env === 'staging' ? [{ type: 'Team' as const, login: spec.team }] : env === 'prod' ? [{ type: 'Team' as const, login: 'release-managers' }] : [];
    const secrets = secretKeysOf(spec).map((key) => {
      const updates = [
        SECRETS_SINCE,
        ...eventsOf(plan, name, env).filter((e) => key in e.config).map((e) => shiftMinutes(e.at, -20)),
        ...plan.edits.filter((x) => x.service === name && x.env === env && key in x.set).map((x) => x.at),
      ].sort();
      return { name: key, updates };
    });
    return {
      name: ghEnvironment(env),
      ...(reviewers.length > 0
        ? {
            reviewers,
            // merchant-portal's production lets the deployer approve their own run (what approval.self finds).
            preventSelfReview: !(env === 'prod' && name === SCRIPT.approvalSelf.service),
            waitTimer: env === 'prod' ? 5 : 0,
            branchPolicy: 'custom' as const,
            // Releases are deployed from their tags (ref v1.2.3), so every protected environment lets `v*` tags deploy, as GitHub requires.
            branchPolicies: [{ name: 'main' }, { name: 'hotfix/*' }, { name: 'v*', type: 'tag' as const }],
          }
        : {}),
      variables: GITHUB_VARIABLES.map((key) => ({ name: key, value: String(baseConfig(spec, env)[key] ?? ''), updatedAt: VARIABLES_SINCE })),
      secrets,
    };
  });

  return { owner: OWNER, name, id, commits, main, branches, tags, deployments, runs, pulls, environments };
}

/** When a deployment was created: a few minutes before its approval (or its start, without one). */
function deploymentCreatedAt(e: DeployEvent): string {
  const approval = e.approvals[0];
  return approval ? shiftMinutes(approval.at, -3) : shiftMinutes(e.at, -6);
}

/** package.json at a release commit: the shared libraries it was built with, pinned (what `components` reads). */
function packageJson(spec: ServiceSpec, r: Release): string {
  const dependencies = Object.fromEntries(Object.entries(r.components).sort(([a], [b]) => a.localeCompare(b)).map(([lib, version]) => [`@acme/${lib}`, version]));
  return `${JSON.stringify({ name: `@acme/${spec.name}`, version: r.version, private: true, dependencies }, null, 2)}\n`;
}

/** The scripted incidents of the default demo, with the days they should fire and be resolved. */
export const INCIDENTS: readonly Incident[] = generateDemo({ days: 0 }).incidents;

/**
 * The config text as it stood on `day`: `text` (release-ledger.config.yaml)
 * without the exceptions the team had deleted by then. The ledger keeps the
 * config of each day in its snapshot, so a deleted exception stays visible on
 * the pages of the days it was configured.
 */
export function configForDay(text: string, day: string, cleanups: readonly ExceptionCleanup[] = generateDemo({ days: 0 }).cleanups): string {
  const gone = cleanups.filter((c) => day >= c.removedOn);
  if (gone.length === 0) return text;
  const read = readYaml(text, { schema: 'core', maxBytes: INPUT_LIMITS.configBytes });
  const root = read.ok ? read.yaml.documents[0]?.contents : null;
  const exceptions = root?.kind === 'map' ? root.items.find((p) => p.key.kind === 'scalar' && p.key.text === 'exceptions')?.value : undefined;
  if (exceptions?.kind !== 'seq') return text;
  // Cut each deleted entry's lines out of the text, so the rest (comments included) stays as written.
  const field = (item: YamlNode, key: string) => (item.kind === 'map' ? item.items.find((p) => p.key.kind === 'scalar' && p.key.text === key)?.value : undefined);
  const textOf = (node: YamlNode | undefined) => (node?.kind === 'scalar' ? node.text : undefined);
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const cuts: [number, number][] = [];
  exceptions.items.forEach((item, i) => {
    if (!gone.some((c) => textOf(field(item, 'rule')) === c.rule && textOf(field(item, 'service')) === c.service)) return;
    const next = exceptions.items[i + 1];
    const end = next ? lineStart(next.start) : text.indexOf('\n', lastOffset(item)) + 1 || text.length;
    cuts.push([lineStart(item.start), end]);
  });
  return cuts.reduceRight((out, [from, to]) => out.slice(0, from) + out.slice(to), text);
}

/** The offset of the last character a node's text reaches. */
function lastOffset(node: YamlNode): number {
  if (node.kind === 'scalar') return node.end;
  if (node.kind === 'alias') return node.start;
  const last = node.kind === 'map' ? node.items.at(-1)?.value : node.items.at(-1);
  return last ? lastOffset(last) : node.start;
}

/**
 * The ports release-ledger.config.yaml names for the demo's local servers: GitHub, the version endpoints,
 * Argo CD, and one Kubernetes-compatible API server per environment (`kube-<env>`).
 */
export const DEMO_PORTS = { github: 47010, runtime: 47011, argocd: 47012, 'kube-dev': 47013, 'kube-qa': 47014, 'kube-staging': 47015, 'kube-prod': 47016 } as const;

/** The config text with the servers' actual ports, when some of the fixed ports were taken (the others stay). */
export function withPorts(text: string, ports: Partial<Record<keyof typeof DEMO_PORTS, number>>): string {
  let out = text;
  for (const [name, fixed] of Object.entries(DEMO_PORTS)) {
    const actual = ports[name as keyof typeof DEMO_PORTS];
    // The fixed port, not a longer one that starts with it; with a path (/api/v3) or without (https://127.0.0.1:47016).
    if (actual !== undefined && actual !== fixed) out = out.replace(new RegExp(`127\\.0\\.0\\.1:${fixed}(?![0-9])`, 'g'), `127.0.0.1:${actual}`);
  }
  return out;
}

/**
 * The files the demo writes into `inventory/` for one day: one YAML file per
 * team (the folder form of the `file` source), plus the broken hand edit on
 * the nights that have one.
 */
export function inventoryFiles(day: DemoDay): Record<string, string> {
  const teamOf = new Map(SERVICES.map((s) => [s.name, s.team]));
  const files: Record<string, string> = {};
  const teams = new Set(SERVICES.filter((s) => LEGACY.includes(s.name)).map((s) => s.team));
  for (const team of Object.keys(TEAMS).sort()) {
    if (!teams.has(team)) continue; // only teams with legacy services keep an inventory
    const mine = <T extends { service: string }>(items: T[]) => items.filter((i) => teamOf.get(i.service) === team);
    const part: Inventory = {
      deployments: mine(day.inventory.deployments),
      configs: mine(day.inventory.configs),
      observed: mine(day.inventory.observed),
      branches: mine(day.inventory.branches),
      changes: mine(day.inventory.changes),
      history: mine(day.inventory.history),
    };
    files[`${team}.yaml`] = `# Acme Payments deployment inventory, ${team}, as of ${day.at} (generated by examples/acme/generate.ts)\n${dump(part, { lineWidth: -1 })}`;
  }
  if (day.malformed !== null) files['zz-manual-edit.yaml'] = day.malformed;
  return files;
}
