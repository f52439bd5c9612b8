/**
 * A snapshot's passed-over deployments (`passedOver`, docs/sources.md "What
 * runs: deployments that are passed over") as the environment and service
 * pages show them: successful deployments the source did not take as what
 * runs, each with the finding that stands for it when the snapshot has one.
 * Whether one is a finding is the rule's decision
 * (rules/deployment.ts); this only finds the snapshot's own finding whose
 * evidence names the same deployment.
 */
import { passedOverIdentity, type Finding, type PassedOver, type Snapshot } from '../model/index.ts';
import { safeUrl } from './format.ts';

export interface PassedOverRow {
  service: string;
  environment: string;
  deploymentId: number | null;
  /** The run's link when it is a safe http(s) URL (format.ts `safeUrl`), else null. */
  url: string | null;
  ref: string | null;
  refType: 'branch' | 'tag' | null;
  commit: string;
  createdBy: string;
  createdAt: string;
  /** Why, said in words from this and the policy: the source's `reason` says the same with the ref in it. */
  kind: PassedOver['kind'];
  branchPolicy: string[];
  /** The id of the snapshot's finding for this deployment, when there is one. */
  finding: string | null;
}

const RULE = 'deployment.outside-branch-policy';

/** Whether finding `f` is the rule's finding for deployment `p`: its evidence names the same deployment (model/passed-over.ts). */
function standsFor(f: Finding, p: PassedOver): boolean {
  const e = f.evidence;
  if (f.rule !== RULE || f.service === undefined || f.environment === undefined || typeof e.source !== 'string' || typeof e.commit !== 'string' || typeof e.createdAt !== 'string') return false;
  const deploymentId = typeof e.deploymentId === 'number' ? e.deploymentId : undefined;
  return passedOverIdentity({ source: e.source, service: f.service, environment: f.environment, ...(deploymentId !== undefined ? { deploymentId } : {}), commit: e.commit, createdAt: e.createdAt }) === passedOverIdentity(p);
}

/** The passed-over deployments of one service or one environment, in the snapshot's order (empty for a snapshot written before `passedOver`). */
export function passedOverRows(snapshot: Pick<Snapshot, 'passedOver' | 'findings'>, where: { service?: string; environment?: string }): PassedOverRow[] {
  const records = (snapshot.passedOver ?? []).filter((p) => (where.service === undefined || p.service === where.service) && (where.environment === undefined || p.environment === where.environment));
  if (records.length === 0) return [];
  const findings = snapshot.findings.filter((f) => f.rule === RULE);
  return records.map((p) => ({
    service: p.service,
    environment: p.environment,
    deploymentId: p.deploymentId ?? null,
    url: safeUrl(p.url),
    ref: p.ref ?? null,
    refType: p.refType ?? null,
    commit: p.commit,
    createdBy: p.createdBy,
    createdAt: p.createdAt,
    kind: p.kind,
    branchPolicy: p.branchPolicy ?? [],
    finding: findings.find((f) => standsFor(f, p))?.id ?? null,
  }));
}
