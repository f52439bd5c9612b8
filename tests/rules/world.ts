/**
 * Builders for rule tests: a clean world (no finding fires) and a way to take
 * snapshots through the real promotion/tracking/rules pipeline, day after day.
 */
import type { HistoryEvent } from '../../src/model/evidence.ts';
import type { ConfigRecord, Deployment, PassedOver, Snapshot, SnapshotInput } from '../../src/model/snapshot.ts';

/** The services of a snapshot as written in a test. */
export type Services = NonNullable<SnapshotInput['services']>;
import { evaluateRules, type DraftSnapshot } from '../../src/rules/index.ts';
import { attachPromotion, buildSightingIndex, buildTracking } from '../../src/snapshot/promotion.ts';
import { releasesRecord } from '../../src/model/release.ts';
import { buildConfig, buildDeployment, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

export { buildChange, buildConfig, buildDeployment, commitFor } from '../helpers/snapshot-builder.ts';

export const ENVS = ['dev', 'qa', 'prod'] as const;

/** `2026-03-DDT02:00:00Z`: snapshot time of day `day` of March 2026. */
export const day = (d: number, time = '02:00:00') => `2026-03-${String(d).padStart(2, '0')}T${time}Z`;

/** A deployment with an independent approval, so production rules stay quiet unless a test says otherwise. */
export function dep(service: string, environment: string, version: string, overrides: Partial<Deployment> = {}): Deployment {
  return buildDeployment({
    service,
    environment,
    version,
    deployedAt: day(1, '10:00:00'),
    approvals: environment === 'prod' ? [{ by: 'bob', at: day(1, '09:00:00'), state: 'approved', kind: 'deployment' }] : [],
    ...overrides,
  });
}

/** Everything at 1.0.0 in dev, qa and prod, approved, configs aligned: no finding. */
export function cleanWorld(): { deployments: Deployment[]; configs: ConfigRecord[] } {
  return {
    deployments: ['api', 'web'].flatMap((s) => ENVS.map((e) => dep(s, e, '1.0.0'))),
    configs: ENVS.map((environment) => buildConfig({ service: 'api', environment, values: { LOG_LEVEL: 'info', DB_HOST: `db.${environment}.internal` } })),
  };
}

/** Replace the deployment of service/env in a list (or add it). */
export function withDeployment(list: readonly Deployment[], d: Deployment): Deployment[] {
  return [...list.filter((x) => !(x.service === d.service && x.environment === d.environment)), d];
}

const strip = (d: Deployment): Omit<Deployment, 'promotion'> => {
  const { promotion: _promotion, ...rest } = d;
  return rest;
};

/** The draft `collect` would build: promotion evidence and tracking computed from `previous` and `history`. */
export function draftOf(overrides: Partial<SnapshotInput>, previous: Snapshot | null = null, history: HistoryEvent[] = []): DraftSnapshot {
  const base = buildSnapshot({ ...overrides, previous: previous ? { id: previous.id, sha256: '0'.repeat(64) } : null });
  const index = buildSightingIndex({ previous, history, draftDeployments: base.deployments.map(strip), takenAt: base.takenAt, snapshotId: base.id });
  const deployments = attachPromotion(base.deployments.map(strip), base.environments, index);
  const tracking = buildTracking({
    index,
    deployments,
    environments: base.environments,
    services: base.services.map((s) => s.name),
    policies: base.policies,
    previous,
    takenAt: base.takenAt,
  });
  // As collect stores them: the releases given (declared) and the tickets carried from `previous` (src/collect/assemble.ts).
  const releases = releasesRecord({ declared: base.releases?.declared ?? [], changes: base.changes, previous: previous?.releases, takenAt: base.takenAt });
  const { findings: _findings, ...draft } = { ...base, deployments, tracking, releases };
  return draft;
}

/** A whole snapshot, findings included. */
export function take(overrides: Partial<SnapshotInput>, previous: Snapshot | null = null, history: HistoryEvent[] = []): Snapshot {
  const draft = draftOf(overrides, previous, history);
  return { ...draft, findings: evaluateRules({ draft, previous }) };
}

/** Take one snapshot per element, each the previous of the next; returns them all. */
export function days(list: Partial<SnapshotInput>[], history: HistoryEvent[] = []): Snapshot[] {
  const out: Snapshot[] = [];
  for (const o of list) out.push(take(o, out[out.length - 1] ?? null, history));
  return out;
}

export const rulesOf = (s: Pick<Snapshot, 'findings'>) => s.findings.map((f) => f.id);
export const only = (s: Pick<Snapshot, 'findings'>, rule: string) => s.findings.filter((f) => f.rule === rule);
export { commitFor as sha };

/**
 * A successful deployment of web to prod from `ref`, passed over as outside the
 * environment's branch policy (main, release/*), with a `javascript:` link.
 */
export function outsidePolicy(ref: string, createdBy: string, overrides: Partial<PassedOver> = {}): PassedOver {
  return {
    service: 'web',
    environment: 'prod',
    source: 'github',
    deploymentId: 9001,
    ref,
    refType: 'branch',
    commit: commitFor('web-feature'),
    createdBy,
    createdAt: day(9, '12:00:00'),
    kind: 'outside-branch-policy',
    reason: `its branch ${ref} is outside the environment's deployment branch policy (main, release/*)`,
    branchPolicy: ['main', 'release/*'],
    url: 'javascript:alert(1)',
    ...overrides,
  };
}
