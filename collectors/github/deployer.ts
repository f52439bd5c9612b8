/**
 * Who deployed, for separation-of-duties checks. A deployment a workflow
 * creates with its `GITHUB_TOKEN` has `github-actions[bot]` as its creator,
 * which names no person; the person is whoever triggered the workflow run
 * (docs/sources.md, "Who deployed"). No I/O.
 */

/** Whether GitHub's creator login is the Actions bot, i.e. the deployment was made with a workflow's GITHUB_TOKEN. */
export function createdByWorkflowToken(login: string | null | undefined): boolean {
  return login === 'github-actions[bot]' || login === 'github-actions';
}

/**
 * The person behind a workflow run: `triggering_actor` (who started this
 * attempt; a re-run by someone else changes it), else `actor` (who started
 * the first attempt). https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
 * Null when the run names neither.
 */
export function runDeployer(run: unknown): string | null {
  if (!isRecord(run)) return null;
  for (const key of ['triggering_actor', 'actor']) {
    const user = run[key];
    if (isRecord(user) && typeof user.login === 'string' && user.login.length > 0) return user.login;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
