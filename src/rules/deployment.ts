/**
 * A successful deployment outside an environment's custom deployment branch
 * policy (`deployment.outside-branch-policy`). The source did not take it as
 * what runs (docs/sources.md, "What runs: deployments that are passed over")
 * and recorded it in the snapshot's `passedOver`; this rule says so, because
 * it is either a preview tool reusing the environment's name or a real
 * deployment around the policy, and only a person can tell which.
 *
 * A deployment for a transient environment is recorded but raises nothing:
 * GitHub marks it as meant to be torn down (`transient_environment`,
 * https://docs.github.com/en/rest/deployments/deployments#create-a-deployment).
 */
import { printable } from '../model/printable.ts';
import { passedOverIdentity } from '../model/passed-over.ts';
import { exceptionHint, short, type Rule, type RuleResult } from './_context.ts';

export const outsideBranchPolicyDocs = {
  title: 'Deployment outside the branch policy',
  why: "A deployment to an environment succeeded from a branch or tag its custom deployment branch policy does not allow (production from `feature/x` where only `main` and `release/*` may deploy). The ledger does not take it as what runs, but it is either a preview tool reusing the environment's name or a real deployment around the policy, and in the second case what runs is not what the ledger shows. It fires the night the deployment is first recorded, and after that for as long as no deployment inside the policy has followed it there. Deployments made for a transient environment are recorded but raise nothing.",
  resolve:
    "Find out which it was. A preview, or a job that only borrowed the environment's secrets: give it its own environment or have it mark its deployments `transient_environment: true`. A real deployment: redeploy from a branch the policy allows, so what runs is certain again, and find out how the policy was passed. Or record an exception (for a preview tool that keeps reusing the name).",
};

export const deploymentOutsideBranchPolicy: Rule = (ctx) => {
  const out: RuleResult[] = [];
  // A snapshot written before `passedOver` existed recorded none: each one is new to the ledger then.
  const recordedBefore = new Set((ctx.previous?.passedOver ?? []).map(passedOverIdentity));
  for (const p of ctx.draft.passedOver ?? []) {
    if (p.kind !== 'outside-branch-policy') continue;
    const runs = ctx.deployment(p.service, p.environment);
    const newest = !runs || Date.parse(p.createdAt) > Date.parse(runs.deployedAt);
    const firstSeen = !recordedBefore.has(passedOverIdentity(p));
    if (!newest && !firstSeen) continue;
    const what = `${p.refType ?? 'ref'} ${printable(p.ref ?? 'unknown')}`;
    const policy = p.branchPolicy?.length ? p.branchPolicy.map(printable).join(', ') : 'no patterns';
    out.push({
      rule: 'deployment.outside-branch-policy',
      service: p.service,
      environment: p.environment,
      detail: [p.deploymentId !== undefined ? String(p.deploymentId) : `${short(p.commit)}-${p.createdAt}`],
      message: `${p.service}: deployment ${p.deploymentId ?? short(p.commit)} of ${what} (${short(p.commit)}), created by ${printable(p.createdBy)} at ${p.createdAt}, succeeded in ${p.environment} outside its deployment branch policy (${policy}). It is not taken as what runs there: ${runs ? `${runs.version} (${short(runs.commit)}, deployed ${runs.deployedAt}) is${newest ? ', though it is older' : ''}` : 'nothing is'}.`,
      resolution: `If it was a preview or a job that only borrowed ${p.environment}'s secrets, give it its own environment or mark its deployments transient_environment: true; if it was a real deployment, redeploy ${p.service} from a branch the policy allows and find out how the policy was passed. ${exceptionHint('deployment.outside-branch-policy', p.service, p.environment)}`,
      evidence: {
        ...(p.deploymentId !== undefined ? { deploymentId: p.deploymentId } : {}),
        ref: p.ref ?? null,
        ...(p.refType ? { refType: p.refType } : {}),
        commit: p.commit,
        createdBy: p.createdBy,
        createdAt: p.createdAt,
        branchPolicy: p.branchPolicy ?? [],
        reason: p.reason,
        source: p.source,
        // Why it fires tonight: still newer than what runs, or recorded for the first time.
        newerThanWhatRuns: newest,
        firstRecorded: firstSeen,
        whatRuns: runs ? { version: runs.version, commit: runs.commit, ...(runs.ref ? { ref: runs.ref } : {}), deployedAt: runs.deployedAt, deployedBy: runs.deployedBy } : null,
        ...(p.url ? { url: p.url } : {}),
      },
    });
  }
  return out;
};
