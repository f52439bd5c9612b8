/**
 * Valid snapshots for tests, without writing one out by hand.
 *
 * ```ts
 * const s = buildSnapshot();                                   // a small org: dev → qa → prod, services api and web
 * const t = buildSnapshot({ takenAt: '2026-03-15T02:00:00Z' }); // id follows takenAt (and takenAt follows id)
 * const u = buildSnapshot({ deployments: [buildDeployment({ service: 'api', environment: 'prod', version: '2.0.0' })] });
 * const { ids, snapshots, hashes } = await buildChain(dir, 3); // three chained snapshots appended to `dir`
 * ```
 *
 * Top-level fields given in `overrides` replace the defaults whole (arrays
 * are not merged). Everything is passed through `snapshotSchema`, so a
 * builder call that would produce an invalid snapshot throws at once.
 * Fixed times and commits only: nothing depends on the clock or randomness.
 */
import { createHash } from 'node:crypto';
import { appendSnapshot, snapshotIdFor, snapshotIdToDate } from '../../src/ledger/index.ts';
import {
  changeSchema,
  configRecordSchema,
  deploymentSchema,
  findingSchema,
  snapshotSchema,
  type Change,
  type ConfigRecord,
  type Deployment,
  type Finding,
  type Snapshot,
  type SnapshotInput,
} from '../../src/model/index.ts';

export const DEFAULT_TAKEN_AT = '2026-03-14T02:00:00Z';

/** A fake but well-formed 40-hex commit sha derived from a label, e.g. `commitFor('api-1.0.0')`. */
export function commitFor(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

/** A deployment; `commit` defaults to `commitFor(service-version)`, so equal versions mean equal commits. */
export function buildDeployment(overrides: Partial<Deployment> & Pick<Deployment, 'service' | 'environment'>): Deployment {
  const version = overrides.version ?? '1.0.0';
  return deploymentSchema.parse({
    version,
    commit: commitFor(`${overrides.service}-${version}`),
    deployedAt: '2026-03-13T10:00:00Z',
    deployedBy: 'alice',
    source: 'github',
    approvals: [],
    promotion: null,
    ...overrides,
  });
}

/** A config record with plain values (use `{ redacted: true, sha256 }` values for secrets). */
export function buildConfig(overrides: Partial<ConfigRecord> & Pick<ConfigRecord, 'service' | 'environment'>): ConfigRecord {
  return configRecordSchema.parse({ source: 'github', values: {}, ...overrides });
}

/** A finding; `id` defaults to `rule/service/environment`. */
export function buildFinding(overrides: Partial<Finding> = {}): Finding {
  const rule = overrides.rule ?? 'drift.version';
  const id = overrides.id ?? [rule, overrides.service, overrides.environment].filter(Boolean).join('/');
  return findingSchema.parse({
    rule,
    id,
    severity: 'medium',
    message: `${rule} fired`,
    resolution: 'fix it',
    evidence: {},
    since: DEFAULT_TAKEN_AT,
    ...overrides,
  });
}

/** A change record (what a deployment brought). */
export function buildChange(overrides: Partial<Change> & Pick<Change, 'service' | 'environment' | 'version'>): Change {
  return changeSchema.parse({
    commit: commitFor(`${overrides.service}-${overrides.version}`),
    fromCommit: null,
    fromVersion: null,
    deployedAt: '2026-03-13T10:00:00Z',
    pullRequests: [],
    tickets: [],
    source: 'github',
    ...overrides,
  });
}

/** The default world: dev → qa → prod; services api (depends on web) and web, each at 1.0.0 everywhere. */
function defaults(): Omit<SnapshotInput, 'id' | 'takenAt'> {
  const environments = ['dev', 'qa', 'prod'];
  const services = ['api', 'web'];
  return {
    schemaVersion: 1,
    generator: { name: 'release-ledger', version: '0.1.0', rulesVersion: '1' },
    previous: null,
    name: 'Acme Payments',
    environments: [
      { name: 'dev', production: false, requiredApprovals: 0 },
      { name: 'qa', production: false, requiredApprovals: 0 },
      { name: 'prod', production: true, requiredApprovals: 1 },
    ],
    services: [
      { name: 'api', repo: 'acme/api', sources: ['github'], dependsOn: { web: '^1.0.0' }, envSpecificKeys: ['DB_HOST'] },
      { name: 'web', repo: 'acme/web', sources: ['github'] },
    ],
    policies: {},
    exceptions: [],
    sources: [{ name: 'github', type: 'github' }],
    deployments: services.flatMap((service) => environments.map((environment) => buildDeployment({ service, environment }))),
    observed: [],
    declared: [],
    configs: environments.map((environment) =>
      buildConfig({ service: 'api', environment, values: { LOG_LEVEL: 'info', DB_HOST: `db.${environment}.internal` } }),
    ),
    branches: [],
    changes: [],
    gaps: [],
    findings: [],
  };
}

/**
 * A valid snapshot. `id` and `takenAt` follow each other when only one is
 * given (the id is the UTC time it was taken); both default to 2026-03-14 02:00Z.
 */
export function buildSnapshot(overrides: Partial<SnapshotInput> = {}): Snapshot {
  const takenAt =
    overrides.takenAt ?? (overrides.id ? snapshotIdToDate(overrides.id).toISOString().replace('.000Z', 'Z') : DEFAULT_TAKEN_AT);
  const id = overrides.id ?? snapshotIdFor(new Date(takenAt));
  return snapshotSchema.parse({ ...defaults(), ...overrides, id, takenAt });
}

export interface ChainOptions {
  /** takenAt of the first snapshot (default 2026-03-10T02:00:00Z). */
  start?: string;
  /** Hours between snapshots (default 24). */
  stepHours?: number;
  /** Per-snapshot overrides; by default snapshot i runs api@1.i.0 in dev, so every snapshot differs. */
  edit?: (index: number) => Partial<SnapshotInput>;
}

/** Append `n` chained snapshots to `dir` (created if missing) through the real `appendSnapshot`. */
export async function buildChain(
  dir: string,
  n: number,
  options: ChainOptions = {},
): Promise<{ ids: string[]; snapshots: Snapshot[]; hashes: string[] }> {
  const start = Date.parse(options.start ?? '2026-03-10T02:00:00Z');
  const step = (options.stepHours ?? 24) * 3_600_000;
  const edit =
    options.edit ??
    ((i: number) => ({
      deployments: [
        ...defaults().deployments.filter((d) => !(d.service === 'api' && d.environment === 'dev')),
        buildDeployment({ service: 'api', environment: 'dev', version: `1.${i}.0` }),
      ],
    }));
  const out = { ids: [] as string[], snapshots: [] as Snapshot[], hashes: [] as string[] };
  let previous: Snapshot['previous'] = null;
  for (let i = 0; i < n; i++) {
    const takenAt = new Date(start + i * step).toISOString().replace('.000Z', 'Z');
    const snapshot = buildSnapshot({ ...edit(i), takenAt, previous });
    const { sha256 } = await appendSnapshot(dir, snapshot);
    out.ids.push(snapshot.id);
    out.snapshots.push(snapshot);
    out.hashes.push(sha256);
    previous = { id: snapshot.id, sha256 };
  }
  return out;
}
