/**
 * The `file` source's inventory: a YAML file (or a folder of them) that
 * declares what runs where, for systems with no API. Environment names are
 * the source's own (mapped through `sources.<name>.environments`); service
 * names are the ledger's. Times may carry an offset; they are stored in UTC
 * as `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds dropped).
 */
import { z } from 'zod';

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * A time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), or null when the
 * text is not an ISO 8601 time with `Z` or an offset, or not a real date.
 */
export function normaliseTime(value: string | Date): string | null {
  let date: Date;
  if (value instanceof Date) date = value;
  else {
    const match = TIME_PATTERN.exec(value.trim());
    if (!match) return null;
    const [, y, mo, d, h, mi] = match;
    // Reject rolled-over dates such as 2026-02-30 (Date would quietly make it March 2).
    const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (probe.getUTCMonth() !== Number(mo) - 1 || probe.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) return null;
    let zone = match[7]!;
    if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
    else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
    date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${match[6] ?? '00'}${zone.toUpperCase()}`);
  }
  if (Number.isNaN(date.getTime())) return null;
  return `${date.toISOString().slice(0, 19)}Z`;
}

const TIME_MESSAGE = 'a time such as 2026-11-20T10:00:00Z (with Z or an offset)';
const time = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    const iso = normaliseTime(value);
    if (iso === null) {
      ctx.addIssue({ code: 'custom', message: TIME_MESSAGE, input: value });
      return z.NEVER;
    }
    return iso;
  });

const text = z.string().min(1);

export const inventoryApprovalSchema = z
  .object({
    /** Who approved (login or name). */
    by: text.describe('Who approved (login or name).'),
    /** When; absent when unknown. */
    at: time.nullable().optional().describe('When it was approved.'),
    /** `approved`, `rejected` or `commented`. */
    state: z.enum(['approved', 'rejected', 'commented']).describe('approved, rejected or commented.'),
    /** What was approved: the deployment (default) or the pull request. */
    kind: z.enum(['deployment', 'pull-request']).default('deployment').describe('deployment (default) or pull-request.'),
    /** The reviewer's comment. */
    comment: z.string().optional().describe('The reviewer\'s comment.'),
    /** Link to the record. */
    url: z.string().optional().describe('Link to the approval record.'),
  })
  .strict();

export const inventoryDeploymentSchema = z
  .object({
    /** The ledger's service name. */
    service: text.describe('The ledger\'s service name.'),
    /** The environment, as this source names it. */
    environment: text.describe('The environment, as this source names it.'),
    /** The version label. */
    version: text.describe('The version label, e.g. 2.4.1.'),
    /** The commit sha (full, or as much as is known). */
    commit: text.describe('The commit sha deployed.'),
    /** The artifact digest, e.g. `sha256:…`. */
    artifact: z.string().optional().describe('Artifact digest, e.g. sha256:...'),
    /** When it was deployed. */
    deployedAt: time.describe('When it was deployed, e.g. 2026-11-20T10:00:00Z.'),
    /** Who deployed it. */
    deployedBy: text.describe('Who deployed it.'),
    /** Shared libraries built into it -> their versions. */
    components: z.record(z.string(), z.string()).optional().describe('Shared library -> version built in.'),
    /** Approvals behind it. */
    approvals: z.array(inventoryApprovalSchema).default([]).describe('Approvals behind the deployment.'),
    /** Link to the deployment record. */
    url: z.string().optional().describe('Link to the deployment record.'),
    /** The git ref deployed. */
    ref: z.string().optional().describe('The git ref deployed, e.g. refs/tags/v2.4.1.'),
    /** The deployment's status as the inventory knows it. */
    status: z.string().optional().describe('The deployment status, e.g. success.'),
  })
  .strict();

const scalarValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const inventoryConfigSchema = z
  .object({
    service: text.describe('The ledger\'s service name.'),
    environment: text.describe('The environment, as this source names it.'),
    /** Key -> value; secret values are redacted before anything is stored. */
    values: z.record(z.string(), scalarValue).describe('Key -> value (text, number, true/false or empty); secrets are stored only as a hash.'),
    /** Who last changed it. */
    changedBy: z.string().optional().describe('Who last changed these values.'),
    /** When it last changed. */
    changedAt: time.optional().describe('When these values last changed.'),
  })
  .strict();

export const inventoryObservedSchema = z
  .object({
    service: text.describe('The ledger\'s service name.'),
    environment: text.describe('The environment, as this source names it.'),
    /** The version seen running. */
    version: z.string().nullable().default(null).describe('The version seen running.'),
    /** The commit seen running (may be abbreviated). */
    commit: z.string().nullable().default(null).describe('The commit seen running (may be abbreviated).'),
    /** When it was seen; the snapshot time when absent. */
    at: time.optional().describe('When it was seen (default: the snapshot time).'),
    /** Where it was seen. */
    url: z.string().optional().describe('Where it was seen (credentials are removed).'),
  })
  .strict();

export const inventoryBranchSchema = z
  .object({
    service: text.describe('The ledger\'s service name.'),
    /** Branch name, e.g. `release/2.4`. */
    name: text.describe('Branch name, e.g. release/2.4.'),
    /** Commits on it that the default branch lacks. */
    aheadBy: z.number().int().min(0).describe('Commits on the branch that the default branch lacks.'),
    /** Commits on the default branch it lacks. */
    behindBy: z.number().int().min(0).describe('Commits on the default branch that the branch lacks.'),
    /** Time of its newest commit. */
    lastCommitAt: time.nullable().default(null).describe('Time of its newest commit.'),
  })
  .strict();

export const inventoryPullRequestSchema = z
  .object({
    number: z.number().int().positive().describe('Pull request number.'),
    title: z.string().describe('Pull request title.'),
    author: text.describe('Who opened it.'),
    mergedBy: z.string().nullable().default(null).describe('Who merged it.'),
    mergedAt: time.nullable().default(null).describe('When it was merged.'),
    reviewers: z.array(z.string()).default([]).describe('Who reviewed it.'),
    branch: z.string().optional().describe('Its head branch.'),
    url: z.string().optional().describe('Link to it.'),
  })
  .strict();

export const inventoryChangeSchema = z
  .object({
    service: text.describe('The ledger\'s service name.'),
    environment: text.describe('The environment, as this source names it.'),
    /** The commit now deployed. */
    commit: text.describe('The commit now deployed.'),
    /** The version now deployed. */
    version: text.describe('The version now deployed.'),
    /** The commit deployed before, or empty for the first deployment. */
    fromCommit: z.string().nullable().default(null).describe('The commit deployed there before (empty for the first).'),
    /** The version deployed before. */
    fromVersion: z.string().nullable().default(null).describe('The version deployed there before.'),
    /** When the new deployment happened. */
    deployedAt: time.describe('When the new deployment happened.'),
    /** Pull requests merged between the two. */
    pullRequests: z.array(inventoryPullRequestSchema).default([]).describe('Pull requests merged between the two.'),
    /** Ticket keys; found in PR titles and branches with `policies.ticketPattern` when absent. */
    tickets: z.array(z.string()).optional().describe('Ticket keys (default: found in PR titles and branches).'),
  })
  .strict();

export const inventoryHistorySchema = z
  .object({
    service: text.describe('The ledger\'s service name.'),
    environment: text.describe('The environment, as this source names it.'),
    commit: text.describe('The commit that reached the environment.'),
    artifact: z.string().optional().describe('Its artifact digest.'),
    version: z.string().optional().describe('Its version label.'),
    /** When it reached the environment. */
    at: time.describe('When it reached the environment.'),
    url: z.string().optional().describe('Link to the record.'),
  })
  .strict();

export const inventorySchema = z
  .object({
    /** Editors' schema reference; ignored. */
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    /** What is deployed now, one entry per service and environment. */
    deployments: z.array(inventoryDeploymentSchema).default([]).describe('Current deployments, one per service and environment.'),
    /** Configuration values per service and environment. */
    configs: z.array(inventoryConfigSchema).default([]).describe('Configuration values per service and environment.'),
    /** What was seen running. */
    observed: z.array(inventoryObservedSchema).default([]).describe('What was seen running.'),
    /** Release and hotfix branches and how far they are from the default branch. */
    branches: z.array(inventoryBranchSchema).default([]).describe('Release and hotfix branches.'),
    /** What each current deployment brought since the previous one. */
    changes: z.array(inventoryChangeSchema).default([]).describe('Pull requests and tickets each deployment brought.'),
    /** Past deployment events, used as promotion evidence. */
    history: z.array(inventoryHistorySchema).default([]).describe('Past deployment events (promotion evidence).'),
  })
  .strict();

export type Inventory = z.output<typeof inventorySchema>;
