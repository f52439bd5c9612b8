/**
 * Turns what the sources returned into a snapshot: a pure function of
 * (config, evidence, time, previous snapshot). No I/O here, so the same inputs
 * always give the same bytes.
 */
import type { z } from 'zod';
import type { Config } from '../model/config.ts';
import type { Evidence, HistoryEvent } from '../model/evidence.ts';
import {
  SCHEMA_VERSION,
  branchSchema,
  changeSchema,
  configRecordSchema,
  declaredSchema,
  deploymentSchema,
  gapSchema,
  observedSchema,
  passedOverSchema,
  type Branch,
  type Change,
  type Declared,
  type Deployment,
  type Gap,
  type Observed,
  type PassedOver,
  type Snapshot,
} from '../model/snapshot.ts';
import type { RawConfigRecord } from '../model/evidence.ts';
import { evaluateRules, RULES_VERSION, type DraftSnapshot } from '../rules/index.ts';
import { attachPromotion, buildSightingIndex, buildTracking } from '../snapshot/promotion.ts';
import { redactConfigs } from '../model/redact.ts';
import { believedRunning } from '../model/believed.ts';
import { releasesRecord } from '../model/release.ts';
import { redactSecretsInText, redactUrl } from '../model/redact-url.ts';
import type { SecretKey } from '../model/secret-fingerprint.ts';

/** One source's outcome: its name, type and evidence (gaps included). */
export interface SourceOutcome {
  name: string;
  type: string;
  evidence: Evidence;
}

export interface AssembleInput {
  config: Config;
  outcomes: SourceOutcome[];
  /** The snapshot id, `YYYY-MM-DDTHHMMSSZ`. */
  id: string;
  /** ISO time the snapshot is taken at. */
  takenAt: string;
  /** The current head of the ledger and its hash, or null for the first snapshot. */
  previous: { snapshot: Snapshot; sha256: string } | null;
  generator: { name: string; version: string };
  /** The ledger key that fingerprints secret values; null stores them with no fingerprint. */
  secretKey: SecretKey | null;
}

const byKeys =
  <T>(...keys: ((item: T) => string | undefined)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const x = key(a) ?? '';
      const y = key(b) ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
const svcEnv = <T extends { service: string; environment: string }>() =>
  byKeys<T>(
    (r) => r.service,
    (r) => r.environment,
  );

/**
 * Keeps only records that name a configured service and environment and match
 * the schema; everything else becomes a gap, so a source with bad data is
 * visible on the page instead of crashing the run or vanishing.
 */
function screen<T extends { service: string; environment?: string }>(
  records: readonly unknown[],
  schema: z.ZodType<T>,
  what: string,
  source: string,
  known: { services: Set<string>; environments: Set<string> },
  gaps: Gap[],
): T[] {
  const kept: T[] = [];
  for (const record of records) {
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const r = (record ?? {}) as { service?: unknown; environment?: unknown };
      gaps.push({
        source,
        ...(typeof r.service === 'string' && known.services.has(r.service) ? { service: r.service } : {}),
        ...(typeof r.environment === 'string' && known.environments.has(r.environment) ? { environment: r.environment } : {}),
        evidence: what,
        reason: `the source returned a malformed ${what} record (${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid'}); it was left out`,
      });
      continue;
    }
    const { service, environment } = parsed.data;
    if (!known.services.has(service)) {
      gaps.push({ source, evidence: what, reason: `the source reported ${what} for "${service}", which is not a configured service; it was left out` });
      continue;
    }
    if (environment !== undefined && !known.environments.has(environment)) {
      gaps.push({ source, service, evidence: what, reason: `the source reported ${what} for environment "${environment}", which is not on the promotion path; it was left out` });
      continue;
    }
    kept.push(parsed.data);
  }
  return kept;
}

/** Builds the draft (everything but findings), then freezes the rules' findings into it. */
export function assembleSnapshot(input: AssembleInput): Snapshot {
  const draft = assembleDraft(input);
  const findings = evaluateRules({ draft, previous: input.previous?.snapshot ?? null });
  return { ...draft, findings };
}

export function assembleDraft(input: AssembleInput): DraftSnapshot {
  return withoutCredentials(assembleRaw(input));
}

/**
 * The one place where every stored URL goes through `redactUrl` and every
 * free-text field from a source through `redactSecretsInText` (issue 17,
 * docs/guarantees.md "No credentials in stored URLs"). Config values are
 * redacted by `redactConfigs`; sightings carried from older snapshots are
 * cleaned here too.
 */
function withoutCredentials(draft: DraftSnapshot): DraftSnapshot {
  const url = <T extends { url?: string }>(record: T): T => (record.url === undefined ? record : { ...record, url: redactUrl(record.url) });
  return {
    ...draft,
    services: draft.services.map((s) => ({ ...s, versionUrl: Object.fromEntries(Object.entries(s.versionUrl).map(([env, u]) => [env, redactUrl(u)])) })),
    deployments: draft.deployments.map((d) =>
      url({
        ...d,
        approvals: d.approvals.map((a) => url(a.comment === undefined ? a : { ...a, comment: redactSecretsInText(a.comment) })),
        promotion: d.promotion && { ...d.promotion, previous: d.promotion.previous && url(d.promotion.previous), path: d.promotion.path.map(url) },
      }),
    ),
    ...(draft.passedOver && {
      // The policy's patterns are repository text, shown on the pages like the ref (a generated pattern with a token leaked 23 of 500 times).
      passedOver: draft.passedOver.map((p) =>
        url({ ...p, reason: redactSecretsInText(p.reason), createdBy: redactSecretsInText(p.createdBy), ...(p.ref !== undefined ? { ref: redactSecretsInText(p.ref) } : {}), ...(p.branchPolicy ? { branchPolicy: p.branchPolicy.map(redactSecretsInText) } : {}) }),
      ),
    }),
    observed: draft.observed.map(url),
    declared: draft.declared.map((d) => (d.promotion ? { ...d, promotion: { ...d.promotion, previous: d.promotion.previous && url(d.promotion.previous), path: d.promotion.path.map(url) } } : d)),
    changes: draft.changes.map((c) => ({ ...c, pullRequests: c.pullRequests.map((pr) => url({ ...pr, title: redactSecretsInText(pr.title) })) })),
    gaps: draft.gaps.map((g) => ({ ...g, reason: redactSecretsInText(g.reason) })),
    ...(draft.tracking && { tracking: { ...draft.tracking, sightings: draft.tracking.sightings.map(url) } }),
  };
}

/**
 * Syncs of a deploying tool whose deployments another source records (argocd
 * with `deployments: false`, docs/sources.md) go to that source's record of the
 * same service and environment, so who started each sync is kept beside the
 * approvals. Syncs with no such record, or malformed, are gaps: never dropped silently.
 */
function attachSyncs(deployments: Omit<Deployment, 'promotion'>[], outcomes: AssembleInput['outcomes'], gaps: Gap[]): Omit<Deployment, 'promotion'>[] {
  const byCell = new Map<string, NonNullable<Deployment['syncs']>>();
  for (const outcome of outcomes) {
    for (const record of outcome.evidence.syncs ?? []) { // absent from evidence written before syncs existed
      const parsed = deploymentSchema.shape.syncs.safeParse(record.syncs);
      const key = `${record.service}\u0000${record.environment}`;
      const target = deployments.find((d) => d.service === record.service && d.environment === record.environment);
      if (!parsed.success || !parsed.data || !target || byCell.has(key) || target.syncs !== undefined) {
        const why = !parsed.success || !parsed.data ? 'were malformed' : !target ? 'have no deployment record from another source to go with' : 'arrived twice for one deployment';
        gaps.push({ source: outcome.name, service: record.service, environment: record.environment, evidence: 'deployment', reason: `its syncs ${why}; they were left out` });
        continue;
      }
      byCell.set(key, parsed.data);
    }
  }
  if (byCell.size === 0) return deployments;
  return deployments.map((d) => {
    const syncs = byCell.get(`${d.service}\u0000${d.environment}`);
    return syncs ? { ...d, syncs } : d;
  });
}

function assembleRaw(input: AssembleInput): DraftSnapshot {
  const { config, outcomes } = input;
  const known = {
    services: new Set(config.services.map((s) => s.name)),
    environments: new Set(config.environments.map((e) => e.name)),
  };
  const gaps: Gap[] = [];
  const all = <K extends keyof Evidence>(key: K) => outcomes.flatMap((o) => (o.evidence[key] as unknown[]).map((record) => ({ source: o.name, record })));
  const screenAll = <T extends { service: string; environment?: string }>(key: keyof Evidence, schema: z.ZodType<T>, what: string) =>
    outcomes.flatMap((o) => screen<T>((o.evidence[key] ?? []) as unknown[], schema, what, o.name, known, gaps));

  for (const { source, record } of all('gaps')) {
    const parsed = gapSchema.safeParse(record);
    gaps.push(parsed.success ? parsed.data : { source, evidence: 'all', reason: 'the source reported a gap it could not describe' });
  }

  const deploymentDrafts: Omit<Deployment, 'promotion'>[] = screenAll('deployments', deploymentSchema.omit({ promotion: true }), 'deployment');
  // Two sources claiming the same service/environment: keep the first source's (config order) and say so.
  const seen = new Map<string, string>();
  const uniqueDeployments = deploymentDrafts.filter((d) => {
    const key = `${d.service}\u0000${d.environment}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, d.source);
      return true;
    }
    if (first !== d.source) {
      gaps.push({ source: d.source, service: d.service, environment: d.environment, evidence: 'deployment', reason: `"${first}" already reported this deployment; "${d.source}"'s record was not used` });
    }
    return false;
  });
  const withSyncs = attachSyncs(uniqueDeployments, outcomes, gaps);
  const history = all('history').map(({ record }) => record as HistoryEvent);
  const environments = config.environments;
  const declaredRecords = screenAll<Declared>('declared', declaredSchema, 'declared').sort(byKeys((o) => o.service, (o) => o.environment, (o) => o.source));
  // Where no source recorded a deployment, the declaration stands for one (src/model/believed.ts) and gets promotion evidence too.
  const believed = believedRunning({ deployments: withSyncs.map((d) => ({ ...d, promotion: null })), declared: declaredRecords, takenAt: input.takenAt });
  const index = buildSightingIndex({
    previous: input.previous?.snapshot ?? null,
    history,
    draftDeployments: believed,
    takenAt: input.takenAt,
    snapshotId: input.id,
  });
  const withPromotion = attachPromotion(believed, environments, index);
  const deployments: Deployment[] = withPromotion.flatMap(({ basis, ...d }) => (basis === 'deployment' ? [d as Deployment] : [])).sort(svcEnv());
  const promotionOf = new Map(withPromotion.flatMap((b) => (b.basis === 'declared' ? [[b.declared, b.promotion] as const] : [])));
  const declared = declaredRecords.map((d) => (promotionOf.has(d) ? { ...d, promotion: promotionOf.get(d)! } : d));

  // Screened with the stored-record schema: a raw value is any stored value, redaction only narrows it.
  const rawConfigs: RawConfigRecord[] = screenAll('configs', configRecordSchema, 'config');
  const changes = screenAll<Change>('changes', changeSchema, 'changes').sort(
    byKeys((c) => c.service, (c) => c.environment, (c) => c.deployedAt, (c) => c.commit),
  );
  const configs = redactConfigs(rawConfigs, config, input.secretKey).sort(byKeys((c) => c.service, (c) => c.environment, (c) => c.source, (c) => c.origin));

  return {
    schemaVersion: SCHEMA_VERSION,
    id: input.id,
    takenAt: input.takenAt,
    generator: { ...input.generator, rulesVersion: RULES_VERSION },
    previous: input.previous ? { id: input.previous.snapshot.id, sha256: input.previous.sha256 } : null,
    name: config.name,
    environments: config.environments,
    services: [...config.services].sort(byKeys((s) => s.name)),
    policies: config.policies,
    exceptions: config.exceptions,
    sources: outcomes.map((o) => ({ name: o.name, type: o.type })).sort(byKeys((s) => s.name)),
    deployments,
    // Successful deployments a source did not take as what runs, with why (docs/sources.md); the deployment rule judges them.
    passedOver: screenAll<PassedOver>('passedOver', passedOverSchema, 'deployment').sort(
      byKeys((p) => p.service, (p) => p.environment, (p) => p.createdAt, (p) => p.source, (p) => p.commit, (p) => String(p.deploymentId ?? '')),
    ),
    observed: screenAll<Observed>('observed', observedSchema, 'observed').sort(
      byKeys((o) => o.service, (o) => o.environment, (o) => o.source),
    ),
    declared,
    configs,
    secretFingerprints: { keyId: input.secretKey?.id ?? null },
    branches: screenAll<Branch>('branches', branchSchema, 'branches').sort(
      byKeys((b) => b.service, (b) => b.name, (b) => b.source),
    ),
    changes,
    gaps: gaps.sort(byKeys((g) => g.source, (g) => g.service, (g) => g.environment, (g) => g.evidence, (g) => g.reason)),
    // Carried forward so rules never rescan history: first sightings and drift start times.
    tracking: buildTracking({
      index,
      deployments: withPromotion,
      environments,
      services: config.services.map((s) => s.name),
      policies: config.policies,
      previous: input.previous?.snapshot ?? null,
      takenAt: input.takenAt,
    }),
    // Declared releases as configured that day, and the tickets services shared, carried forward (src/model/release.ts).
    releases: releasesRecord({ declared: config.releases, changes, previous: input.previous?.snapshot.releases, takenAt: input.takenAt }),
  };
}
