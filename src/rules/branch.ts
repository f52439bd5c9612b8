/**
 * Release and hotfix branches whose commits never reached the default branch
 * (`branch.not-merged-back`): the fix is in production and will vanish with
 * the next release cut from the default branch.
 */
import { daysBetween, exceptionHint, type Rule, type RuleResult } from './_context.ts';

export const docs = {
  title: 'Release or hotfix branch not merged back',
  why: 'A release or hotfix branch has commits the default branch does not have. Whatever was fixed there will be lost by the next release cut from the default branch, and the fix may come back as a regression.',
  resolve: 'Merge (or cherry-pick) the branch back into the default branch, or delete it if its commits are truly obsolete. Or record an exception.',
};

/** Every branch the sources report is already a release/hotfix branch (the GitHub source filters by `releaseBranches`). */
export const branchNotMergedBack: Rule = (ctx) => {
  const out: RuleResult[] = [];
  for (const b of ctx.draft.branches) {
    if (b.aheadBy <= 0) continue;
    const ageDays = b.lastCommitAt ? daysBetween(Date.parse(b.lastCommitAt), ctx.now) : null;
    out.push({
      rule: 'branch.not-merged-back',
      service: b.service,
      detail: [b.name],
      message: `${b.service} branch ${b.name} has ${b.aheadBy} commit${b.aheadBy === 1 ? '' : 's'} not in the default branch${ageDays !== null ? ` (last commit ${b.lastCommitAt}, ${ageDays} days ago)` : ''}.`,
      resolution: `Merge ${b.name} back into the default branch, or delete it if its commits are obsolete. ${exceptionHint('branch.not-merged-back', b.service, undefined)}`,
      evidence: { branch: b.name, aheadBy: b.aheadBy, behindBy: b.behindBy, lastCommitAt: b.lastCommitAt, ageDays, source: b.source },
    });
  }
  return out;
};
