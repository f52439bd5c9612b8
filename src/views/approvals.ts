/**
 * Separation of duties behind each deployment to a production environment:
 * who wrote the change, who reviewed and approved it (and when, against the
 * deployment), who deployed it, and the verdict in words. The verdict asks the
 * snapshot's own findings first (`approval.self`, `approval.missing`,
 * `promotion.bypass`), so a page never marks as fine what its snapshot's
 * findings say is not; who counts as an approver is model/approvals.ts.
 */
import { changeId } from '../model/change-id.ts';
import { findGap } from '../model/gaps.ts';
import { approversOf, requiredApprovals, sameLogin } from '../model/approvals.ts';
import type { Approval, Finding, Sighting, Snapshot } from '../model/index.ts';
import { compareText, formatDuration } from './format.ts';

/**
 * - `met`: enough independent approvals, nobody approved their own change, and no finding says otherwise.
 * - `short`: fewer independent approvals than required (an `approval.missing` finding, or the same count without one).
 * - `self`: someone approved their own change (an `approval.self` finding, or the recorded approvals show it).
 * - `unknown`: not judged: a source could not read the approvals, or the rule is off.
 * - `none-required`: the environment requires none.
 */
export type ApprovalStatus = 'met' | 'short' | 'self' | 'unknown' | 'none-required';

export const APPROVAL_STATUS_LABEL: Record<ApprovalStatus, { icon: string; text: string }> = {
  met: { icon: '✓', text: 'separate' },
  short: { icon: '✗', text: 'missing approvals' },
  self: { icon: '⚠', text: 'self-approved' },
  unknown: { icon: '?', text: 'not judged' },
  'none-required': { icon: '–', text: 'no approval required' },
};

/** One approval as the table shows it: when it came against the deployment, and whether its author approved their own change. */
export interface ApprovalEntry extends Approval {
  /** Its time against the deployment's (null: the source gave no time). */
  relative: { when: 'before' | 'at' | 'after'; by: string } | null;
  /** The approver is the deployer (a deployment approval) or an author of the pull requests it brought. */
  own: boolean;
}

/** A pull request the deployment brought, from the snapshot's change record for its commit. */
export interface ApprovalPullRequest {
  number: number;
  title: string;
  author: string;
  reviewers: string[];
  url: string | undefined;
}

/** One sentence of the separation verdict, with the finding that says it (if one does). */
export interface VerdictPart {
  text: string;
  finding: string | null;
  /** The finding is silenced by an exception in force until this day. */
  exceptedUntil: string | null;
}

export interface ApprovalRow {
  service: string;
  environment: string;
  version: string;
  commit: string;
  deployedAt: string;
  deployedBy: string;
  url: string | undefined;
  required: number;
  approvals: ApprovalEntry[];
  /** Distinct deployment approvers other than the deployer (as `approval.missing` counts them). */
  independent: number;
  /** Pull requests the deployment brought; null when this snapshot holds no change record for its commit (it arrived earlier). */
  pullRequests: ApprovalPullRequest[] | null;
  /** Their distinct authors, sorted. */
  authors: string[];
  status: ApprovalStatus;
  /** The separation verdict in words, one sentence per finding or fact. */
  verdict: VerdictPart[];
  /** The previous environment on the path and when the commit was first seen there (null: never, a bypass). */
  previousEnvironment: string | null;
  previous: Sighting | null;
  path: Sighting[];
  /** The `promotion.bypass` finding about this deployment: the promotion proof then carries no ✓. */
  bypass: string | null;
  /** Its change id (model/change-id.ts): `/changes/<id>/` holds its evidence (every row has one; site/audit-index.ts `changePagePeriod`). */
  change: string;
}

const names = (list: readonly string[]) => (list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`);
const has = (list: readonly string[], who: string) => list.some((x) => sameLogin(x, who));

function relativeTo(deployedAt: string, at: string | null): ApprovalEntry['relative'] {
  if (!at) return null;
  const ms = Date.parse(at) - Date.parse(deployedAt);
  if (!Number.isFinite(ms)) return null;
  return { when: ms < 0 ? 'before' : ms > 0 ? 'after' : 'at', by: formatDuration(Math.abs(ms)) };
}

/**
 * One row per deployment to an environment that is production or requires
 * approvals. The whole snapshot's rows are made once per snapshot and shared
 * (callers do not change them): a site build's index pass asked three times
 * a snapshot (revision keys, the change index, the audit rows).
 */
export function approvalRows(snapshot: Snapshot, filter: { service?: string } = {}): ApprovalRow[] {
  if (filter.service !== undefined) return computeApprovalRows(snapshot, filter);
  let rows = wholeRows.get(snapshot);
  if (!rows) wholeRows.set(snapshot, (rows = computeApprovalRows(snapshot, filter)));
  return rows;
}
const wholeRows = new WeakMap<Snapshot, ApprovalRow[]>();

function computeApprovalRows(snapshot: Snapshot, filter: { service?: string }): ApprovalRow[] {
  const envs = new Map(snapshot.environments.map((e) => [e.name, e]));
  const key = (service: string | undefined, environment: string | undefined) => `${service}\u0000${environment}`;
  const findings = new Map<string, Finding[]>();
  for (const f of snapshot.findings) {
    if (f.rule !== 'approval.self' && f.rule !== 'approval.missing' && f.rule !== 'promotion.bypass') continue;
    const k = key(f.service, f.environment);
    findings.set(k, [...(findings.get(k) ?? []), f]);
  }
  const changes = new Map(snapshot.changes.map((c) => [`${key(c.service, c.environment)}\u0000${c.commit}`, c]));
  const ruleOff = (rule: 'approval.self' | 'approval.missing') => snapshot.policies.rules[rule]?.enabled === false;
  return snapshot.deployments
    .filter((d) => {
      const env = envs.get(d.environment);
      return env !== undefined && (env.production || env.requiredApprovals > 0) && (filter.service === undefined || d.service === filter.service);
    })
    .map((d): ApprovalRow => {
      const required = requiredApprovals(envs.get(d.environment));
      const change = changes.get(`${key(d.service, d.environment)}\u0000${d.commit}`);
      const pullRequests = change
        ? [...change.pullRequests].sort((a, b) => a.number - b.number).map((p) => ({ number: p.number, title: p.title, author: p.author, reviewers: [...p.reviewers].sort(compareText), url: p.url }))
        : null;
      const authors = [...new Set((pullRequests ?? []).map((p) => p.author))].sort(compareText);
      const deploymentApprovers = approversOf(d.approvals, 'deployment');
      const independent = deploymentApprovers.filter((a) => !sameLogin(a, d.deployedBy));
      const approvals = [...d.approvals]
        .sort((a, b) => compareText(a.at ?? '', b.at ?? '') || compareText(a.by, b.by))
        .map((a): ApprovalEntry => ({ ...a, relative: relativeTo(d.deployedAt, a.at), own: a.state === 'approved' && ((a.kind === 'deployment' && sameLogin(a.by, d.deployedBy)) || has(authors, a.by)) }));

      const about = findings.get(key(d.service, d.environment)) ?? [];
      const selfFinding = about.find((f) => f.rule === 'approval.self') ?? null;
      const missingFinding = about.find((f) => f.rule === 'approval.missing') ?? null;
      const part = (text: string, f: Finding | null): VerdictPart => ({ text, finding: f?.id ?? null, exceptedUntil: f?.exception?.expires ?? null });

      // Who approved their own change, as the recorded approvals show it.
      const ownDeployment = deploymentApprovers.filter((a) => sameLogin(a, d.deployedBy));
      const ownPullRequest = approversOf(d.approvals, 'pull-request').filter((a) => has(authors, a));
      const authorApproved = independent.filter((a) => has(authors, a));
      const selfParts: VerdictPart[] = [];
      if (ownDeployment.length > 0) selfParts.push(part(`self-approved: ${names(ownDeployment)} approved their own change (deployed it and approved the deployment)`, selfFinding));
      if (ownPullRequest.length > 0) selfParts.push(part(`self-approved: ${names(ownPullRequest)} approved their own change (wrote the pull request and approved it)`, selfFinding));
      if (authorApproved.length > 0) selfParts.push(part(`self-approved: ${names(authorApproved)} approved their own change (wrote a pull request it brought and approved the deployment)`, selfFinding));
      // Approvals by others that are neither the deployer nor an author: what separation rests on.
      const separate = independent.filter((a) => !has(authors, a));

      let status: ApprovalStatus;
      const verdict: VerdictPart[] = [];
      const gap = findGap(snapshot.gaps, { service: d.service, environment: d.environment, evidence: 'approvals' });
      const shortText = `missing approvals: ${independent.length} of ${required} required by someone other than the deployer, ${d.deployedBy}`;
      if (selfFinding || missingFinding) {
        status = selfFinding ? 'self' : 'short';
        if (selfFinding) verdict.push(...(selfParts.length > 0 ? selfParts : [part('self-approved: the only approvals came from the people who made the change', selfFinding)]));
        if (missingFinding) verdict.push(part(shortText, missingFinding));
      } else if (gap) {
        status = 'unknown';
        verdict.push(part(`not judged: ${gap.source} could not read the approvals (${gap.reason})`, null));
      } else if (required === 0) {
        status = 'none-required';
        verdict.push(part(`no approval required in ${d.environment}`, null));
      } else if (ruleOff('approval.missing') || ruleOff('approval.self')) {
        status = 'unknown';
        verdict.push(part(`not judged: rule ${ruleOff('approval.missing') ? 'approval.missing' : 'approval.self'} is off`, null));
      } else if (independent.length < required) {
        // Too few approvals by anyone but the deployer, with no finding saying so (a rule off in an older snapshot): what the records show.
        status = selfParts.length > 0 ? 'self' : 'short';
        verdict.push(...selfParts, part(shortText, null));
      } else {
        // No finding: the page never calls it self-approved on its own judgement (the page must not contradict its snapshot's findings).
        // An author who approved the deployment is said as a fact, with what approval.self counts (docs/rules.md).
        const authorNote = (p: VerdictPart) =>
          p.text.includes('wrote a pull request it brought') && separate.length < required
            ? { ...p, text: `${p.text.replace(/^self-approved: /, '').replace(' approved their own change (wrote a pull request it brought and approved the deployment)', ' wrote a pull request it brought and approved the deployment')}; approval.self counts only a deployer approving their own deployment or an author their own pull request` }
            : { ...p, text: `${p.text.replace(/^self-approved: /, '')}, not counted` };
        status = 'met';
        verdict.push(
          part(
            pullRequests === null
              ? 'separate: approver ≠ deployer (pull request authors not recorded in this snapshot)'
              : authors.length === 0
                ? 'separate: approver ≠ deployer (no pull request recorded for this change)'
                : separate.length < required
                  ? 'separate: approver ≠ deployer (the approver also wrote a pull request it brought)'
                  : has(authors, d.deployedBy)
                    ? 'separate: approver ≠ author = deployer'
                    : 'separate: author ≠ approver ≠ deployer',
            null,
          ),
          ...selfParts.map(authorNote),
        );
      }
      return {
        service: d.service,
        environment: d.environment,
        version: d.version,
        commit: d.commit,
        deployedAt: d.deployedAt,
        deployedBy: d.deployedBy,
        url: d.url,
        required,
        approvals,
        independent: independent.length,
        pullRequests,
        authors,
        status,
        verdict,
        previousEnvironment: d.promotion?.previousEnvironment ?? null,
        previous: d.promotion?.previous ?? null,
        path: d.promotion?.path ?? [],
        bypass: about.find((f) => f.rule === 'promotion.bypass')?.id ?? null,
        change: changeId(d),
      };
    })
    .sort((a, b) => compareText(a.environment, b.environment) || compareText(a.service, b.service));
}

/**
 * What a day page shows of approvals: the deployments that arrived that day
 * and every one running without the approvals it needs or not judged; the rest
 * (unchanged, separate) are counted and listed on each environment's page. At 500
 * services the full list was a megabyte on every day page, repeating itself.
 */
export function dayApprovals(rows: readonly ApprovalRow[], arrived: ReadonlySet<string>): { shown: ApprovalRow[]; unchangedApproved: Record<string, number> } {
  const shown: ApprovalRow[] = [];
  const unchangedApproved: Record<string, number> = {};
  for (const r of rows) {
    if (arrived.has(`${r.service}\u0000${r.environment}`) || r.status === 'short' || r.status === 'self' || r.status === 'unknown') shown.push(r);
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
