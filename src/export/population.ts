/**
 * The population of changes for an audit period (docs/audit.md): one row per
 * deployment that reached a production environment (or the environments
 * named) in the period, read from the snapshots that recorded it. Pure: the
 * ledger is read by src/export/extract.ts, which feeds snapshots here one at
 * a time, oldest first, so memory holds one snapshot and the ids seen.
 *
 * Nothing is re-decided here: the separation-of-duties verdict is the
 * approvals table's (src/views/approvals.ts, which asks the snapshot's own
 * `approval.*` findings), gaps are src/model/gaps.ts, exceptions in force are
 * the findings' frozen `exception`, and approvers are src/model/approvals.ts.
 */
import { changeId } from '../model/change-id.ts';
import { findGap } from '../model/gaps.ts';
import type { Approval, Deployment, Finding, Gap, PullRequest, Snapshot } from '../model/index.ts';
import { APPROVAL_STATUS_LABEL, approvalRows, type ApprovalRow, type ApprovalStatus } from '../views/approvals.ts';
import { compareText } from '../views/format.ts';

export { changeId };

/** What an export covers: whole UTC days, inclusive, and which environments (null: those production at the time). */
export interface Period {
  /** First day, `YYYY-MM-DD`. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
  /** Environment names, sorted; null for every environment the snapshot marks `production`. */
  environments: readonly string[] | null;
}

/** The whole ledger, every environment marked production: the audit population. */
export const WHOLE_LEDGER = { from: '0000-01-01', to: '9999-12-31', environments: null } as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar day `YYYY-MM-DD`. */
export function isDay(text: string): boolean {
  return DAY.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/** The first and last instant of a period (docs/time.md: a day is a UTC day). */
export function periodBounds(period: Pick<Period, 'from' | 'to'>): { start: string; end: string } {
  return { start: `${period.from}T00:00:00Z`, end: `${period.to}T23:59:59Z` };
}

/** Whether a deployment time falls inside the period (whole UTC days, inclusive). */
function inPeriod(deployedAt: string, period: Pick<Period, 'from' | 'to'>): boolean {
  const day = deployedAt.slice(0, 10);
  return day >= period.from && day <= period.to;
}

/**
 * The snapshots that can record the period's deployments, from the ledger's
 * ids (oldest first) up to `asOf`: from the first taken on or after the
 * period's first day through the first taken after its last day, which
 * closes it. A deployment cannot be recorded before it happened, and one
 * still running at the period's end is in the closing snapshot. Without a
 * closing snapshot the period is still open and every snapshot up to `asOf`
 * is read.
 */
export function snapshotsForPeriod(ids: readonly string[], period: Pick<Period, 'from' | 'to'>, asOf: string): { ids: string[]; closed: boolean } {
  const upTo = ids.filter((id) => id <= asOf);
  const first = `${period.from}T000000Z`;
  const last = `${period.to}T235959Z`;
  const start = upTo.findIndex((id) => id >= first);
  if (start < 0) return { ids: [], closed: false };
  const closing = upTo.findIndex((id) => id > last);
  return closing < 0 ? { ids: upTo.slice(start), closed: false } : { ids: upTo.slice(start, closing + 1), closed: true };
}

/** A pull request the change brought, as the snapshot's change record holds it. */
export interface RowPullRequest {
  number: number;
  title: string;
  author: string;
  mergedBy: string | null;
  mergedAt: string | null;
  reviewers: string[];
  branch: string | null;
  url: string | null;
}

/** One approval with its time against the deployment's. */
export interface RowApproval {
  by: string;
  state: Approval['state'];
  kind: Approval['kind'];
  at: string | null;
  /** Where `at` came from when it is not the approval's own time (e.g. "deployment status"). */
  timeFrom: string | null;
  /** `before`, `at` or `after` the deployment; `undated` when the source gave no time. */
  when: 'before' | 'at' | 'after' | 'undated';
}

/**
 * When the approvals came against the deployment:
 * `before` (every approval dated, none after), `after` (approved, none before),
 * `before-and-after`, `undated` (some approval has no time), `none` (nobody approved).
 */
export type ApprovalTiming = 'before' | 'after' | 'before-and-after' | 'undated' | 'none';

/** `deployed`, or the source said the deployment failed or was rejected (still in the population, marked). */
export type Outcome = 'deployed' | 'failed' | 'rejected';

/** Why a change counts as an emergency change. */
export interface EmergencyReason {
  kind: 'promotion-bypass' | 'hotfix-branch' | 'excepted-finding';
  /** One line: the finding id, the branch, or the exception and its expiry. */
  detail: string;
}

export interface RowFinding {
  id: string;
  rule: string;
  severity: string;
  message: string;
  /** The day an exception in force silences it until, or null when it stands. */
  exceptedUntil: string | null;
}

/** One change of the population: everything an auditor asks of a sampled change. */
export interface ChangeRow {
  /** Stable across exports: service, environment, deployment time and a hash of source, commit and time. */
  id: string;
  service: string;
  environment: string;
  outcome: Outcome;
  /** The deployment's status as the source reported it, or null. */
  sourceStatus: string | null;
  version: string;
  commit: string;
  artifact: string | null;
  ref: string | null;
  deployedAt: string;
  /** Who triggered it, as the source recorded it. */
  deployedBy: string;
  /** The deployer is a bot account (`…[bot]`), not a person. */
  deployedByBot: boolean;
  /** Pull requests it brought; null when the snapshot holds no change record for it (e.g. the first deployment the ledger saw). */
  pullRequests: RowPullRequest[] | null;
  tickets: string[];
  approvals: RowApproval[];
  approvalTiming: ApprovalTiming;
  /** Approvals given after the deployment (after the fact), as `by at`. */
  approvedAfter: string[];
  /** The separation-of-duties verdict the approvals table shows for it (src/views/approvals.ts). */
  separation: { status: ApprovalStatus; label: string; verdict: string[] };
  promotion: { previousEnvironment: string | null; previous: { environment: string; at: string } | null; path: { environment: string; at: string; source: string }[] };
  emergency: EmergencyReason[];
  /** Findings on this service in this environment in the snapshot that first recorded the change. */
  findings: RowFinding[];
  source: string;
  url: string | null;
  firstRecorded: { snapshot: string; sha256: string };
}

/** A bot login: GitHub Apps act as `name[bot]` (https://docs.github.com/en/apps/creating-github-apps/about-creating-github-apps/about-creating-github-apps). */
function isBot(login: string): boolean {
  return /\[bot\]$/i.test(login.trim());
}

/** Failed or rejected, from the source's status or a rejected approval. */
function outcomeOf(d: Deployment): Outcome {
  const status = (d.status ?? '').toLowerCase();
  if (status === 'rejected' || d.approvals.some((a) => a.state === 'rejected')) return 'rejected';
  if (status === 'failure' || status === 'failed' || status === 'error') return 'failed';
  return 'deployed';
}

function when(deployedAt: string, at: string | null): RowApproval['when'] {
  if (!at) return 'undated';
  const ms = Date.parse(at) - Date.parse(deployedAt);
  if (!Number.isFinite(ms)) return 'undated';
  return ms < 0 ? 'before' : ms > 0 ? 'after' : 'at';
}

function timing(approvals: readonly RowApproval[]): ApprovalTiming {
  const approved = approvals.filter((a) => a.state === 'approved');
  if (approved.length === 0) return 'none';
  if (approved.some((a) => a.when === 'undated')) return 'undated';
  const before = approved.some((a) => a.when === 'before' || a.when === 'at');
  const after = approved.some((a) => a.when === 'after');
  return before && after ? 'before-and-after' : after ? 'after' : 'before';
}

const HOTFIX = /(^|\/)hotfix[/-]/i;

/** Emergency (docs/audit.md): promotion bypassed, shipped from a hotfix branch, or a finding on it silenced by an exception. */
function emergencyOf(d: Deployment, pullRequests: readonly PullRequest[], findings: readonly RowFinding[], approvals: ApprovalRow | undefined): EmergencyReason[] {
  const reasons: EmergencyReason[] = [];
  const bypass = approvals?.bypass ?? findings.find((f) => f.rule === 'promotion.bypass')?.id;
  if (bypass) reasons.push({ kind: 'promotion-bypass', detail: bypass });
  // The deployed ref is a hotfix branch, or everything it brought came from one; a hotfix merged back riding with a normal release is not an emergency.
  const prBranches = pullRequests.map((p) => p.branch ?? '');
  const fromHotfix = prBranches.length > 0 && prBranches.every((b) => HOTFIX.test(b)) ? prBranches : [];
  const branches = [...new Set([...(d.ref && HOTFIX.test(d.ref) ? [d.ref] : []), ...fromHotfix])].sort(compareText);
  for (const branch of branches) reasons.push({ kind: 'hotfix-branch', detail: branch });
  for (const f of findings) if (f.exceptedUntil) reasons.push({ kind: 'excepted-finding', detail: `${f.id} (exception until ${f.exceptedUntil})` });
  return reasons;
}

const findingOf = (f: Finding): RowFinding => ({ id: f.id, rule: f.rule, severity: f.severity, message: f.message, exceptedUntil: f.exception?.expires ?? null });

/** Deployment gaps in a snapshot that could hide a change in the period's environments: what the manifest lists so the population's completeness can be judged. */
export function deploymentGaps(snapshot: Snapshot, environments: readonly string[] | null): Gap[] {
  const envs = environmentsOf(snapshot, environments);
  return snapshot.gaps.filter((g) => (g.evidence === 'all' || g.evidence === 'deployment') && (g.environment === undefined || envs.has(g.environment)));
}

function environmentsOf(snapshot: Snapshot, environments: readonly string[] | null): Set<string> {
  return new Set(environments ?? snapshot.environments.filter((e) => e.production).map((e) => e.name));
}

/**
 * The rows a snapshot adds to the population: its deployments in the
 * period's environments, deployed inside the period, not seen before
 * (`seen` holds the change ids already emitted and is updated). Sorted by
 * environment, service, time and id, so the population's order is the order
 * of the snapshots that first recorded each change, then that.
 */
export function rowsOf(snapshot: Snapshot, sha256: string, period: Period, seen: Set<string>): ChangeRow[] {
  const envs = environmentsOf(snapshot, period.environments);
  const fresh = snapshot.deployments.filter((d) => envs.has(d.environment) && inPeriod(d.deployedAt, period) && !seen.has(changeId(d)));
  if (fresh.length === 0) return [];
  const key = (service: string | undefined, environment: string | undefined) => `${service}\u0000${environment}`;
  const verdicts = new Map(approvalRows(snapshot).map((r) => [`${key(r.service, r.environment)}\u0000${r.commit}`, r]));
  const changes = new Map(snapshot.changes.map((c) => [`${key(c.service, c.environment)}\u0000${c.commit}`, c]));
  const findings = new Map<string, RowFinding[]>();
  for (const f of snapshot.findings) {
    if (f.service === undefined || f.environment === undefined) continue;
    const k = key(f.service, f.environment);
    findings.set(k, [...(findings.get(k) ?? []), findingOf(f)]);
  }
  const rows = fresh.map((d): ChangeRow => {
    const id = changeId(d);
    seen.add(id);
    const cell = key(d.service, d.environment);
    const change = changes.get(`${cell}\u0000${d.commit}`);
    const verdict = verdicts.get(`${cell}\u0000${d.commit}`);
    const rowFindings = [...(findings.get(cell) ?? [])].sort((a, b) => compareText(a.id, b.id));
    const approvals = [...d.approvals]
      .sort((a, b) => compareText(a.at ?? '', b.at ?? '') || compareText(a.by, b.by) || compareText(a.kind, b.kind))
      .map((a): RowApproval => ({ by: a.by, state: a.state, kind: a.kind, at: a.at, timeFrom: a.timeFrom ?? null, when: when(d.deployedAt, a.at) }));
    const pullRequests = change ? [...change.pullRequests].sort((a, b) => a.number - b.number) : null;
    // No approvals row: the environment is neither production nor requires approvals (an --env choice); what approvalRows says then.
    const status: ApprovalStatus = verdict?.status ?? (findGap(snapshot.gaps, { service: d.service, environment: d.environment, evidence: 'approvals' }) ? 'unknown' : 'none-required');
    const verdictText = verdict ? verdict.verdict.map((p) => `${p.text}${p.finding ? ` [${p.finding}${p.exceptedUntil ? `, excepted until ${p.exceptedUntil}` : ''}]` : ''}`) : [status === 'unknown' ? 'not judged: a source could not read the approvals' : `no approval required in ${d.environment}`];
    return {
      id,
      service: d.service,
      environment: d.environment,
      outcome: outcomeOf(d),
      sourceStatus: d.status ?? null,
      version: d.version,
      commit: d.commit,
      artifact: d.artifact ?? null,
      ref: d.ref ?? null,
      deployedAt: d.deployedAt,
      deployedBy: d.deployedBy,
      deployedByBot: isBot(d.deployedBy),
      pullRequests: pullRequests?.map((p) => ({ number: p.number, title: p.title, author: p.author, mergedBy: p.mergedBy, mergedAt: p.mergedAt, reviewers: [...p.reviewers].sort(compareText), branch: p.branch ?? null, url: p.url ?? null })) ?? null,
      tickets: change ? [...change.tickets].sort(compareText) : [],
      approvals,
      approvalTiming: timing(approvals),
      approvedAfter: approvals.filter((a) => a.state === 'approved' && a.when === 'after').map((a) => `${a.by} ${a.at}`),
      separation: { status, label: APPROVAL_STATUS_LABEL[status].text, verdict: verdictText },
      promotion: {
        previousEnvironment: d.promotion?.previousEnvironment ?? null,
        previous: d.promotion?.previous ? { environment: d.promotion.previous.environment, at: d.promotion.previous.at } : null,
        path: (d.promotion?.path ?? []).map((s) => ({ environment: s.environment, at: s.at, source: s.source })),
      },
      emergency: emergencyOf(d, pullRequests ?? [], rowFindings, verdict),
      findings: rowFindings,
      source: d.source,
      url: d.url ?? null,
      firstRecorded: { snapshot: snapshot.id, sha256 },
    };
  });
  return rows.sort((a, b) => compareText(a.environment, b.environment) || compareText(a.service, b.service) || compareText(a.deployedAt, b.deployedAt) || compareText(a.id, b.id));
}
