/**
 * The snapshot schema: the contract between collectors (which write
 * `content/snapshots/<id>.json`) and the site (which reads them). A snapshot
 * is written once and never rewritten, so a change here that would make an
 * old snapshot invalid needs a new `schemaVersion` and a reader for the old one.
 */
import { z } from 'zod';
import { environmentConfigSchema, exceptionConfigSchema, policiesSchema, releaseConfigSchema, ruleIdSchema, serviceConfigSchema, severitySchema } from './config.ts';

/** The current snapshot format. */
export const SCHEMA_VERSION = 1;

/** Snapshot ids are the UTC time they were taken, `YYYY-MM-DDTHHMMSSZ`. */
export const SNAPSHOT_ID_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{6}Z$/;
export const snapshotIdSchema = z.string().regex(SNAPSHOT_ID_PATTERN, 'a snapshot id such as 2026-03-14T020000Z');

const isoTime = z.iso.datetime({ offset: false }).describe('An ISO 8601 UTC time, e.g. 2026-03-14T02:00:00Z.');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase sha256 hex digest');
const keyIdHex = z.string().regex(/^[0-9a-f]{16}$/, 'a key id: 16 lowercase hex digits');

/** A config value as stored: plain, or redacted to a hash, or a secret known only by its update time. */
export const storedValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  // A secret not stored (src/model/secret-fingerprint.ts): with a keyed fingerprint, or with none when no key was configured.
  z
    .object({
      /** Always true: the value was secret and is not stored. */
      redacted: z.literal(true),
      /** HMAC-SHA-256 (hex) of service, key and value under the ledger key, so a change stays visible without revealing it. */
      hmac: sha256Hex.optional(),
      /** Which ledger key made `hmac` (derived from the key, never the key). */
      keyId: keyIdHex.optional(),
    })
    .strict()
    .refine((v) => (v.hmac === undefined) === (v.keyId === undefined), 'hmac and keyId come together'),
  // Written before keyed fingerprints: the plain sha256 of the value. Read, never written again.
  z
    .object({
      redacted: z.literal(true),
      /** Plain sha256 of the value (hex), in snapshots written before keyed fingerprints. */
      sha256: sha256Hex,
    })
    .strict(),
  z
    .object({
      /** Always true: a secret whose value the source never reveals (e.g. a GitHub secret). */
      secret: z.literal(true),
      /** When the source says it last changed. */
      updatedAt: isoTime.nullable(),
    })
    .strict(),
]);
export type StoredValue = z.infer<typeof storedValueSchema>;

export const approvalSchema = z
  .object({
    /** Who approved (login or name). */
    by: z.string(),
    /** When, if the source knows; GitHub approvals have no time of their own (see `timeFrom`). */
    at: isoTime.nullable(),
    /** `approved`, `rejected` or `commented`. */
    state: z.enum(['approved', 'rejected', 'commented']),
    /** What was approved: the deployment itself, or the pull request that brought the commit. */
    kind: z.enum(['deployment', 'pull-request']).default('deployment'),
    /** Where `at` came from when it is not the approval's own time, e.g. "deployment status". */
    timeFrom: z.string().optional(),
    /** The reviewer's comment. */
    comment: z.string().optional(),
    /** Link to the record. */
    url: z.string().optional(),
  })
  .strict();
export type Approval = z.infer<typeof approvalSchema>;

/** Where a commit was first seen in an environment: one entry of promotion evidence. */
export const sightingSchema = z
  .object({
    /** The environment. */
    environment: z.string(),
    /** When the commit/artifact was first seen there. */
    at: isoTime,
    /** The record that shows it: a source name, or `ledger` for the ledger's own snapshots. */
    source: z.string(),
    /** The snapshot id the sighting comes from, when it comes from the ledger. */
    snapshot: snapshotIdSchema.optional(),
    /** A link to the source record (e.g. the GitHub deployment). */
    url: z.string().optional(),
  })
  .strict();
export type Sighting = z.infer<typeof sightingSchema>;

export const promotionSchema = z
  .object({
    /** The environment before this one on the promotion path, or null for the first. */
    previousEnvironment: z.string().nullable(),
    /** When and where the same commit/artifact was first seen in the previous environment; null if never. */
    previous: sightingSchema.nullable(),
    /** First sighting in every environment on the path up to this one (the proof, stage by stage). */
    path: z.array(sightingSchema),
  })
  .strict();
export type Promotion = z.infer<typeof promotionSchema>;

export const protectionSchema = z
  .object({
    /** Required reviewers (users or teams). */
    requiredReviewers: z.array(z.string()),
    /** Whether the person who triggered a deployment may approve it. */
    preventSelfReview: z.boolean(),
    /** Minutes a deployment waits before it proceeds. */
    waitTimerMinutes: z.number().int().min(0),
    /** Which branches may deploy: `all`, `protected`, or `custom: main, release/*, tag:v*` (the custom policy's patterns, sorted; `custom` alone when they could not be read). */
    branchPolicy: z.string(),
  })
  .strict();

export const deploymentSchema = z
  .object({
    /** The service deployed. */
    service: z.string(),
    /** The ledger environment it runs in. */
    environment: z.string(),
    /** The version label (release, tag, else ref). */
    version: z.string(),
    /** The full commit sha (or as much of it as the source gives). */
    commit: z.string(),
    /** The git ref deployed, if known. */
    ref: z.string().optional(),
    /** The artifact digest, e.g. `sha256:…`, if known. */
    artifact: z.string().optional(),
    /** When it was deployed. */
    deployedAt: isoTime,
    /** Who deployed it. */
    deployedBy: z.string(),
    /** Which configured source reported it. */
    source: z.string(),
    /** Link to the deployment record. */
    url: z.string().optional(),
    /** The deployment's latest status as reported by the source. */
    status: z.string().optional(),
    /** Approvals behind it. */
    approvals: z.array(approvalSchema).default([]),
    /** Shared libraries built into it -> their versions. */
    components: z.record(z.string(), z.string()).optional(),
    /** Evidence that the same commit/artifact passed the previous environments first. */
    promotion: promotionSchema.nullable().default(null),
    /** The environment's protection rules that day, when the source has them. */
    protection: protectionSchema.optional(),
    /** Every sync the deploying tool still remembers (Argo CD keeps its last 10), newest first: kept night after night, the ledger holds them all. */
    syncs: z
      .array(
        z
          .object({
            /** The tool's id of the sync. */
            id: z.number().int(),
            /** The revision synced (a commit, or a chart version). */
            revision: z.string(),
            /** When it finished. */
            at: isoTime,
            /** When it started, if known. */
            startedAt: isoTime.optional(),
            /** Who started it: a user, or `automated` for the tool's own auto-sync. */
            by: z.string(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * A successful deployment a source did not take as what runs (docs/sources.md,
 * "What runs: deployments that are passed over"): kept so an auditor sees it.
 * Absent in snapshots written before it existed.
 */
export const passedOverSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** Which source passed it over. */
    source: z.string(),
    /** The source's id of the deployment (GitHub's deployment id), when it has one. */
    deploymentId: z.number().int().optional(),
    /** The git ref deployed (a branch or tag name), if known. */
    ref: z.string().optional(),
    /** `branch` or `tag`, when the source says which. */
    refType: z.enum(['branch', 'tag']).optional(),
    /** The commit deployed. */
    commit: z.string(),
    /** Who created the deployment, as the source names them. */
    createdBy: z.string(),
    /** When the deployment was created. */
    createdAt: isoTime,
    /** Why it is not what runs: outside the environment's custom deployment branch policy, or made for a transient environment. */
    kind: z.enum(['outside-branch-policy', 'transient-environment']),
    /** The same, in words. */
    reason: z.string(),
    /** The custom branch policy's patterns, sorted (`tag:` before tag patterns), when the kind is `outside-branch-policy`. */
    branchPolicy: z.array(z.string()).optional(),
    /** Link to the deployment's run (or the environment's deployments), credentials removed. */
    url: z.string().optional(),
  })
  .strict();
export type PassedOver = z.infer<typeof passedOverSchema>;

export const observedSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** The version the running system reports, if it reports one. */
    version: z.string().nullable(),
    /** The commit the running system reports (may be abbreviated). */
    commit: z.string().nullable(),
    /** When it was observed. */
    at: isoTime,
    /** Which source observed it. */
    source: z.string(),
    /** Where it was asked (URL), with credentials removed. */
    url: z.string().optional(),
    /** The image digest it runs (`sha256:…`), when every pod reports the same one. */
    artifact: z.string().optional(),
    /** The image reference it was started from (tag), e.g. `ghcr.io/acme/api:2.4.1`. */
    image: z.string().optional(),
    /** The workload observed, `Kind/namespace/name`. */
    workload: z.string().optional(),
    /** Ready and desired replicas. */
    replicas: z.object({ ready: z.number().int().min(0), desired: z.number().int().min(0) }).strict().optional(),
    /** The rollout revision the workload is at. */
    revision: z.string().optional(),
    /** The revision's change cause (`kubernetes.io/change-cause`), if recorded. */
    changeCause: z.string().optional(),
    /** When the current revision started rolling out. */
    revisionAt: isoTime.optional(),
    /** Every digest its pods report, with the pods running it (more than one: a stuck or partial rollout). */
    digests: z.array(z.object({ digest: z.string(), pods: z.array(z.string()) }).strict()).optional(),
  })
  .strict();
export type Observed = z.infer<typeof observedSchema>;

export const declaredSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** The declared version or image tag. */
    version: z.string().nullable(),
    /** The declared image reference, if any. */
    image: z.string().optional(),
    /** The declared artifact digest, if any. */
    artifact: z.string().optional(),
    /** The file it was read from. */
    file: z.string(),
    /** The GitOps repository commit it was read at. */
    revision: z.string(),
    /** Who last changed that file. */
    changedBy: z.string().optional(),
    /** When that file last changed. */
    changedAt: isoTime.optional(),
    source: z.string(),
    /** Promotion evidence, when no deployment record exists here and the declaration stands for one (src/model/believed.ts); absent in older snapshots. */
    promotion: promotionSchema.nullable().optional(),
    /** The deploying tool's own comparison of the declaration with what is live (Argo CD: `Synced`, `OutOfSync`, `Unknown`). */
    syncStatus: z.string().optional(),
    /** The deploying tool's health of what is live (Argo CD: `Healthy`, `Degraded`, `Progressing`, …). */
    health: z.string().optional(),
  })
  .strict();
export type Declared = z.infer<typeof declaredSchema>;

export const configRecordSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** Which source reported it. */
    source: z.string(),
    /** Key -> value; secret values are stored as `{ redacted: true, hmac, keyId }` (see src/model/secret-fingerprint.ts). */
    values: z.record(z.string(), storedValueSchema),
    /** Where it was read (file path, or `github:variables`). */
    origin: z.string().optional(),
    /** Revision it was read at (a commit), if any. */
    revision: z.string().optional(),
    /** Who last changed it, if the source knows. */
    changedBy: z.string().optional(),
    /** When it last changed, if the source knows. */
    changedAt: isoTime.optional(),
  })
  .strict();
export type ConfigRecord = z.infer<typeof configRecordSchema>;

export const branchSchema = z
  .object({
    service: z.string(),
    /** Branch name, e.g. `release/2.4`. */
    name: z.string(),
    /** Commits on the branch that the default branch does not have. */
    aheadBy: z.number().int().min(0),
    /** Commits on the default branch that the branch does not have. */
    behindBy: z.number().int().min(0),
    /** Time of its newest commit. */
    lastCommitAt: isoTime.nullable(),
    /** Which source reported it. */
    source: z.string(),
  })
  .strict();
export type Branch = z.infer<typeof branchSchema>;

export const pullRequestSchema = z
  .object({
    number: z.number().int(),
    title: z.string(),
    author: z.string(),
    mergedBy: z.string().nullable(),
    mergedAt: isoTime.nullable(),
    reviewers: z.array(z.string()).default([]),
    branch: z.string().optional(),
    url: z.string().optional(),
  })
  .strict();
export type PullRequest = z.infer<typeof pullRequestSchema>;

export const changeSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** The commit now deployed. */
    commit: z.string(),
    /** The version now deployed. */
    version: z.string(),
    /** The commit deployed there before, or null for the first deployment. */
    fromCommit: z.string().nullable(),
    /** The version deployed there before. */
    fromVersion: z.string().nullable(),
    /** When the new deployment happened. */
    deployedAt: isoTime,
    /** Pull requests merged between the two. */
    pullRequests: z.array(pullRequestSchema).default([]),
    /** Ticket keys found in their titles and branch names, sorted. */
    tickets: z.array(z.string()).default([]),
    source: z.string(),
  })
  .strict();
export type Change = z.infer<typeof changeSchema>;

export const gapSchema = z
  .object({
    /** The source that could not give the evidence. */
    source: z.string(),
    service: z.string().optional(),
    environment: z.string().optional(),
    /** What is missing: `deployment`, `approvals`, `config`, `observed`, `branches`, `changes`, or `all`. */
    evidence: z.string().default('all'),
    /** Why, in one safe line (no tokens). */
    reason: z.string(),
  })
  .strict();
export type Gap = z.infer<typeof gapSchema>;

export const findingSchema = z
  .object({
    /** Stable across days for the same problem: `rule/service/environment[/detail]`. */
    id: z.string(),
    rule: ruleIdSchema,
    severity: severitySchema,
    service: z.string().optional(),
    environment: z.string().optional(),
    /** One sentence: what is wrong. */
    message: z.string(),
    /** What would resolve it. */
    resolution: z.string(),
    /** The records, times and links that show it. */
    evidence: z.record(z.string(), z.unknown()),
    /** When the same finding id was first seen open (walks back through the ledger). */
    since: isoTime,
    /** Set when an exception in force silences it; it then does not count for `--fail-on`. */
    exception: exceptionConfigSchema.optional(),
  })
  .strict();
export type Finding = z.infer<typeof findingSchema>;

/** A first sighting carried forward from snapshot to snapshot, so a commit that left an environment keeps its promotion proof. */
export const carriedSightingSchema = sightingSchema
  .extend({
    /** The service. */
    service: z.string(),
    /** The commit seen. */
    commit: z.string(),
    /** The artifact seen with it, if known. */
    artifact: z.string().optional(),
    /** A declared build known by neither commit nor artifact: its version label (src/model/believed.ts, `labelIdentity`). */
    version: z.string().optional(),
    /** The last time the ledger knew it was there (for pruning; see `src/snapshot/promotion.ts`). */
    lastSeenAt: isoTime,
  })
  .strict();
export type CarriedSighting = z.infer<typeof carriedSightingSchema>;

/** What the ledger carries forward between snapshots so rules never rescan history (see `src/snapshot/promotion.ts`). */
export const trackingSchema = z
  .object({
    /** Service -> when the ledger began watching it; a promotion that happened before cannot be judged. */
    watchedSince: z.record(z.string(), isoTime),
    /** First sightings of commits that have left an environment, pruned to a retention window. */
    sightings: z.array(carriedSightingSchema),
    /** `service/lower/higher` -> since when two neighbouring environments have run different commits. */
    driftSince: z.record(z.string(), isoTime),
  })
  .strict();
export type Tracking = z.infer<typeof trackingSchema>;

/** A build whose change record named tickets (src/model/release.ts): what found releases are made of. */
export const ticketBuildSchema = z
  .object({
    service: z.string(),
    version: z.string(),
    commit: z.string(),
    /** Where the change record that named them was, and when that deployment happened. */
    environment: z.string(),
    at: isoTime,
    /** The ticket keys it brought, sorted. */
    tickets: z.array(z.string()),
  })
  .strict();
export type TicketBuild = z.infer<typeof ticketBuildSchema>;

/** Releases as the ledger knew them that day: declared in the config, and the builds that brought tickets (a ticket two services' builds share is a found release). */
export const releasesRecordSchema = z
  .object({
    /** The releases configured at the time. */
    declared: z.array(releaseConfigSchema),
    /** Builds that brought tickets, carried forward and pruned (see src/model/release.ts), sorted by service, time and commit. */
    builds: z.array(ticketBuildSchema),
  })
  .strict();
export type ReleasesRecord = z.infer<typeof releasesRecordSchema>;

export const snapshotSchema = z
  .object({
    /** Format version of this file. */
    schemaVersion: z.literal(SCHEMA_VERSION),
    /** `YYYY-MM-DDTHHMMSSZ`, the UTC time it was taken; also the file name. */
    id: snapshotIdSchema,
    /** When it was taken. */
    takenAt: isoTime,
    /** What wrote it. */
    generator: z
      .object({ name: z.string(), version: z.string(), rulesVersion: z.string() })
      .strict(),
    /** The hash chain: the previous snapshot's id and the sha256 of its canonical JSON; null for the first. */
    previous: z.object({ id: snapshotIdSchema, sha256: sha256Hex }).strict().nullable(),
    /** The organisation's name from the config at the time. */
    name: z.string(),
    /** The promotion path as configured at the time, lowest first. */
    environments: z.array(environmentConfigSchema),
    /** The services as configured at the time. */
    services: z.array(serviceConfigSchema),
    /** The policies in force at the time. */
    policies: policiesSchema,
    /** The exceptions configured at the time (in force or not). */
    exceptions: z.array(exceptionConfigSchema),
    /** The sources that ran: name and type. */
    sources: z.array(z.object({ name: z.string(), type: z.string() }).strict()),
    deployments: z.array(deploymentSchema),
    /** Successful deployments passed over as not what runs, with why; absent in snapshots written before they were recorded. */
    passedOver: z.array(passedOverSchema).optional(),
    observed: z.array(observedSchema),
    declared: z.array(declaredSchema),
    configs: z.array(configRecordSchema),
    /**
     * How secret values were fingerprinted: the id of the ledger key, or null when no key was
     * configured (secret changes cannot be detected in this snapshot). Absent in snapshots
     * written before keyed fingerprints, whose secrets carry a plain sha256.
     */
    secretFingerprints: z.object({ keyId: keyIdHex.nullable() }).strict().optional(),
    branches: z.array(branchSchema),
    changes: z.array(changeSchema),
    gaps: z.array(gapSchema),
    /** Promotion sightings and drift start times carried forward; absent in snapshots written before it existed. */
    tracking: trackingSchema.optional(),
    /** Declared releases and the tickets services shared; absent in snapshots written before releases existed. */
    releases: releasesRecordSchema.optional(),
    findings: z.array(findingSchema),
  })
  .strict();
export type Snapshot = z.infer<typeof snapshotSchema>;
/** A snapshot before findings and the chain are added. */
export type SnapshotInput = z.input<typeof snapshotSchema>;
