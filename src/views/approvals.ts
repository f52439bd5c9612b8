/** The approvals behind each deployment to a production environment, and the promotion proof beside them. */
import type { Approval, Sighting, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';

/**
 * - `met`: at least the required number of approvals by someone other than the deployer.
 * - `short`: fewer approvals than required.
 * - `self`: the only approvals are by the person who deployed.
 * - `none-required`: the environment requires none (and none may be present).
 */
export type ApprovalStatus = 'met' | 'short' | 'self' | 'none-required';

export const APPROVAL_STATUS_LABEL: Record<ApprovalStatus, { icon: string; text: string }> = {
  met: { icon: '✓', text: 'approved' },
  short: { icon: '✗', text: 'missing approvals' },
  self: { icon: '⚠', text: 'self-approved only' },
  'none-required': { icon: '–', text: 'no approval required' },
};

export interface ApprovalRow {
  service: string;
  environment: string;
  version: string;
  commit: string;
  deployedAt: string;
  deployedBy: string;
  url: string | undefined;
  required: number;
  approvals: Approval[];
  /** Approvals in state `approved` by someone other than the deployer. */
  independent: number;
  status: ApprovalStatus;
  /** The previous environment on the path and when the commit was first seen there (null: never, a bypass). */
  previousEnvironment: string | null;
  previous: Sighting | null;
  path: Sighting[];
}

/** One row per deployment to an environment that is production or requires approvals. */
export function approvalRows(snapshot: Snapshot, filter: { service?: string } = {}): ApprovalRow[] {
  const envs = new Map(snapshot.environments.map((e) => [e.name, e]));
  return snapshot.deployments
    .filter((d) => {
      const env = envs.get(d.environment);
      return env !== undefined && (env.production || env.requiredApprovals > 0) && (filter.service === undefined || d.service === filter.service);
    })
    .map((d): ApprovalRow => {
      const required = envs.get(d.environment)?.requiredApprovals ?? 0;
      const approved = d.approvals.filter((a) => a.state === 'approved');
      const independent = approved.filter((a) => a.by !== d.deployedBy).length;
      let status: ApprovalStatus;
      if (required === 0) status = 'none-required';
      else if (independent >= required) status = 'met';
      else if (approved.length > 0 && independent === 0) status = 'self';
      else status = 'short';
      return {
        service: d.service,
        environment: d.environment,
        version: d.version,
        commit: d.commit,
        deployedAt: d.deployedAt,
        deployedBy: d.deployedBy,
        url: d.url,
        required,
        approvals: [...d.approvals].sort((a, b) => compareText(a.at ?? '', b.at ?? '') || compareText(a.by, b.by)),
        independent,
        status,
        previousEnvironment: d.promotion?.previousEnvironment ?? null,
        previous: d.promotion?.previous ?? null,
        path: d.promotion?.path ?? [],
      };
    })
    .sort((a, b) => compareText(a.environment, b.environment) || compareText(a.service, b.service));
}

/**
 * What a day page shows of approvals: the deployments that arrived that day
 * and every one running without the approvals it needs; the rest (unchanged,
 * approved) are counted and listed on each environment's page. At 500
 * services the full list was a megabyte on every day page, repeating itself.
 */
export function dayApprovals(rows: readonly ApprovalRow[], arrived: ReadonlySet<string>): { shown: ApprovalRow[]; unchangedApproved: Record<string, number> } {
  const shown: ApprovalRow[] = [];
  const unchangedApproved: Record<string, number> = {};
  for (const r of rows) {
    if (arrived.has(`${r.service}\u0000${r.environment}`) || r.status === 'short' || r.status === 'self') shown.push(r);
    else unchangedApproved[r.environment] = (unchangedApproved[r.environment] ?? 0) + 1;
  }
  return { shown, unchangedApproved };
}

/** A service's deployment protection in one environment, as its deployment source recorded it (GitHub environment rules). */
export interface ProtectionRow {
  environment: string;
  requiredReviewers: string[];
  preventSelfReview: boolean;
  waitTimerMinutes: number;
  /** `all`, `protected`, or `custom: <patterns>` (see the snapshot schema). */
  branchPolicy: string;
}

/**
 * The rules that stood between a merge and each environment for one service:
 * who had to approve, whether the deployer could, how long it waited, and
 * which branches could deploy at all. An auditor reads the approvals
 * (`approvalRows`) against these. `deployments` are the service's own (the
 * pages group them once per day); rows follow the snapshot's environments.
 */
export function protectionRows(environments: Snapshot['environments'], deployments: readonly Snapshot['deployments'][number][]): ProtectionRow[] {
  const rows: ProtectionRow[] = [];
  for (const environment of environments) {
    const protection = deployments.find((d) => d.environment === environment.name && d.protection)?.protection;
    if (protection) rows.push({ environment: environment.name, ...protection, requiredReviewers: [...protection.requiredReviewers].sort(compareText) });
  }
  return rows;
}

/** What one environment runs of a service, with the identity of the build: the evidence the service page prints. */
export interface DeployedBuildRow {
  environment: string;
  production: boolean;
  version: string;
  /** The full commit sha, as the source gave it. */
  commit: string;
  /** The artifact digest (`sha256:…`), when a source recorded one. */
  artifact: string | null;
  ref: string | null;
  deployedAt: string;
  deployedBy: string;
  source: string;
  url: string | null;
}

/**
 * A service's deployed builds, one row per environment it runs in (the
 * snapshot's environment order): the full commit and the artifact digest,
 * which the matrix abbreviates or leaves out, so a printed page identifies
 * the exact build an auditor can match against a registry or a rebuild.
 * `deployments` are the service's own (the pages group them once per day).
 */
export function deployedBuildRows(environments: Snapshot['environments'], deployments: readonly Snapshot['deployments'][number][]): DeployedBuildRow[] {
  const rows: DeployedBuildRow[] = [];
  for (const environment of environments) {
    const d = deployments.find((x) => x.environment === environment.name);
    if (!d) continue;
    rows.push({
      environment: environment.name,
      production: environment.production,
      version: d.version,
      commit: d.commit,
      artifact: d.artifact ?? null,
      ref: d.ref ?? null,
      deployedAt: d.deployedAt,
      deployedBy: d.deployedBy,
      source: d.source,
      url: d.url ?? null,
    });
  }
  return rows;
}
