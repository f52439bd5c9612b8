/**
 * Approvals: enough independent approvals behind a deployment
 * (`approval.missing`), and nobody approving their own change (`approval.self`).
 */
import { approversOf as approvers, requiredApprovals, sameLogin } from '../model/approvals.ts';
import type { Approval, Deployment } from '../model/snapshot.ts';
import { exceptionHint, short, type Rule, type RuleContext, type RuleResult } from './_context.ts';

export const missingDocs = {
  title: 'Fewer approvals than required',
  why: 'A deployment to a production environment (or any environment with `requiredApprovals`) has fewer independent approvals than required: nobody but the deployer signed off what customers now run.',
  resolve:
    'Have the deployment approved (for GitHub, required reviewers on the environment) and redeploy through that gate. Approvals by the deployer do not count; pull-request reviews are shown as context but only deployment approvals count. Or record an exception.',
};

export const selfDocs = {
  title: 'Self-approved change',
  why: 'The only approvals behind a deployment come from the person who made it (the deployer, or the author of the pull requests it brought): four eyes were two.',
  resolve: 'Have someone else approve; on GitHub, enable "prevent self-review" on the environment and require pull-request reviews. Or record an exception.',
};

/** What production means for approvals (model/approvals.ts). */
function required(ctx: RuleContext, environment: string): number {
  return requiredApprovals(ctx.environment(environment));
}

const approvalEvidence = (a: Approval) => ({ by: a.by, at: a.at, state: a.state, kind: a.kind, ...(a.url ? { url: a.url } : {}) });

/** Pull-request authors of the change that brought this deployment's commit, when the snapshot has it. */
function authors(ctx: RuleContext, d: Deployment): string[] {
  const change = ctx.draft.changes.find((c) => c.service === d.service && c.environment === d.environment && c.commit === d.commit);
  return [...new Set((change?.pullRequests ?? []).map((p) => p.author))].sort();
}

/**
 * Counts independent deployment approvals: the deployer approving their own
 * deployment is `approval.self`'s business, and counting it here would let a
 * two-approval gate pass with one other person. Skipped where a source said
 * approvals could not be read (that is a `source.gap`, not a missing approval).
 */
export const approvalMissing: Rule = (ctx) => {
  const out: RuleResult[] = [];
  for (const d of ctx.draft.deployments) {
    const need = required(ctx, d.environment);
    if (need === 0 || ctx.hasGap(d.service, d.environment, 'approvals')) continue;
    const all = approvers(d.approvals, 'deployment');
    const independent = all.filter((a) => !sameLogin(a, d.deployedBy));
    if (independent.length >= need) continue;
    const self = all.filter((a) => sameLogin(a, d.deployedBy));
    out.push({
      rule: 'approval.missing',
      service: d.service,
      environment: d.environment,
      message: `${d.service} ${d.version} (${short(d.commit)}) was deployed to ${d.environment} by ${d.deployedBy} with ${independent.length} independent approval${independent.length === 1 ? '' : 's'}${independent.length ? ` (${independent.join(', ')})` : ''}; ${need} required.`,
      resolution: `Get ${need - independent.length} more approval${need - independent.length === 1 ? '' : 's'} from someone other than ${d.deployedBy} and deploy through the approval gate. ${exceptionHint('approval.missing', d.service, d.environment)}`,
      evidence: {
        required: need,
        approvedBy: independent,
        selfApprovals: self,
        deployedBy: d.deployedBy,
        deployedAt: d.deployedAt,
        commit: d.commit,
        version: d.version,
        approvals: d.approvals.map(approvalEvidence),
        ...(d.url ? { url: d.url } : {}),
      },
    });
  }
  return out;
};

export const approvalSelf: Rule = (ctx) => {
  const out: RuleResult[] = [];
  for (const d of ctx.draft.deployments) {
    const reasons: string[] = [];
    const deploymentApprovers = approvers(d.approvals, 'deployment');
    if (deploymentApprovers.length > 0 && deploymentApprovers.every((a) => sameLogin(a, d.deployedBy))) {
      reasons.push(`the deployment was approved only by its deployer, ${d.deployedBy}`);
    }
    const reviewers = approvers(d.approvals, 'pull-request');
    const prAuthors = authors(ctx, d);
    if (reviewers.length > 0 && prAuthors.length > 0 && reviewers.every((r) => prAuthors.some((a) => sameLogin(a, r)))) {
      reasons.push(`the pull requests were approved only by their author${prAuthors.length === 1 ? '' : 's'}, ${prAuthors.join(', ')}`);
    }
    if (reasons.length === 0) continue;
    out.push({
      rule: 'approval.self',
      service: d.service,
      environment: d.environment,
      message: `${d.service} ${d.version} (${short(d.commit)}) in ${d.environment}: ${reasons.join('; ')}.`,
      resolution: `Have someone other than ${[d.deployedBy, ...prAuthors].filter((v, i, a) => a.indexOf(v) === i).join(' or ')} approve, and turn on self-review prevention. ${exceptionHint('approval.self', d.service, d.environment)}`,
      evidence: {
        deployedBy: d.deployedBy,
        deploymentApprovers,
        pullRequestAuthors: prAuthors,
        pullRequestApprovers: reviewers,
        commit: d.commit,
        version: d.version,
        approvals: d.approvals.map(approvalEvidence),
      },
    });
  }
  return out;
};
