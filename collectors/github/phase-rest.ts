/** Phases 2, 3 and 5: REST per repository (environments and their protection, variables, branch policies), what runs among the newest deployments, the comparison with the previous deployment, and run reviews the lookups did not find. */
import { createHash } from 'node:crypto';
import { BadRecord, BudgetExhausted, type CompareResult, type GqlDeployment, PaginationLoop, type RestEnvironment, type RestRunApproval, type RestSecret, type RestVariable, approvalTime, checkTime, environmentKey, environmentsByName, hasRequiredReviewers, mapRunApprovals, mayBeTransient, passedOver, pickActive, runIdOf, successAt } from './index.ts';
import { askRespelled } from './phase-repositories.ts';
import { isObject, malformed } from './shape.ts';
import type { EnvState, RepoState } from './state.ts';
import type { GitHubRun } from './source.ts';

export async function phaseRest(run: GitHubRun, repo: RepoState): Promise<void> {
  const { owner, name } = repo;
  try {
    const list = await listAll(run, 'GET /repos/{owner}/{repo}/environments', { owner, repo: name, per_page: 100 });
    if (list.some((e) => !isObject(e) || typeof (e as { name?: unknown }).name !== 'string')) throw malformed('GET', `/repos/${owner}/${name}/environments`);
    repo.environments = environmentsByName(list as RestEnvironment[]);
    // Later requests use GitHub's own spelling of each environment (names are not case sensitive, see environment-name.ts).
    for (const env of repo.envs) env.github = repo.environments.get(environmentKey(env.github))?.name ?? env.github;
  } catch (error) {
    for (const env of repo.envs) run.gapFor(repo, env.ledger, 'protection', error);
  }
  await askRespelled(run, repo);
  await Promise.all(
    repo.envs.map(async (env) => {
      const exists = repo.environments ? repo.environments.has(environmentKey(env.github)) : true;
      const work: Promise<void>[] = [];
      if (run.settings.variables && exists && (env.active || repo.environments)) work.push(readVariables(run, repo, env));
      const custom = repo.environments?.get(environmentKey(env.github))?.deployment_branch_policy?.custom_branch_policies;
      work.push(
        (async () => {
          // What runs is settled (branch policy, transient environments) before the comparison with the one before it.
          if (env.active && custom) await readBranchPolicies(run, repo, env);
          if (env.active) await settleWhatRuns(run, repo, env);
          if (env.active) await readCompare(run, repo, env);
        })(),
      );
      await Promise.all(work);
    }),
  );
}

/** `octokit.paginate` over a list endpoint; a body that is not GitHub's list shape becomes a one-line malformed-response error naming the path. */
export async function listAll(run: GitHubRun, route: string, params: Record<string, string | number>): Promise<unknown[]> {
  const path = route.replace(/^GET /, '').replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));
  try {
    const items: unknown[] = [];
    // A page URL or a page body seen before means the `next` links loop: stop, rather than spend the budget on it.
    const seenUrls = new Set<string>();
    const seenBodies = new Set<string>();
    for await (const response of run.octokit.paginate.iterator(route as never, params as never) as AsyncIterable<{ url: string; data: unknown }>) {
      if (!Array.isArray(response.data)) throw new TypeError('not a list');
      const body = createHash('sha256').update(JSON.stringify(response.data)).digest('hex');
      if (seenUrls.has(response.url) || (response.data.length > 0 && seenBodies.has(body))) throw new PaginationLoop(path, seenUrls.size + 1);
      seenUrls.add(response.url);
      seenBodies.add(body);
      items.push(...(response.data as unknown[]));
    }
    return items;
  } catch (error) {
    if (typeof (error as { status?: unknown }).status === 'number' || error instanceof BudgetExhausted || error instanceof PaginationLoop) throw error;
    throw malformed('GET', path);
  }
}

/**
 * Passes over the successful deployments that are not what runs
 * (what-runs.ts), newest first, until the active one and the one before it
 * are settled; older history is held to the branch policy only, which costs
 * nothing. A deployment whose transient flag cannot be read is kept, with a gap.
 * Each one passed over is kept in `env.passedOver` for the snapshot.
 */
export async function settleWhatRuns(run: GitHubRun, repo: RepoState, env: EnvState): Promise<void> {
  const defaultBranch = repo.repo?.defaultBranchRef?.name;
  const newestFirst = [...env.deployments].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const kept: GqlDeployment[] = [];
  env.passedOver = [];
  let settled = 0;
  for (const d of newestFirst) {
    const succeeded = successAt(d) !== null;
    // The branch policy costs nothing; the transient flag is asked only of what the policy lets through.
    let why = succeeded ? passedOver(d, env.branchPolicies, undefined) : null;
    if (succeeded && !why && settled < 2 && mayBeTransient(d, defaultBranch)) why = passedOver(d, env.branchPolicies, await readTransient(run, repo, env, d));
    if (why) {
      run.ctx.progress(`github: ${repo.owner}/${repo.name} ${env.github}: deployment ${d.databaseId ?? d.commitOid.slice(0, 7)} is not what runs: ${why.reason}`);
      // Recorded in the snapshot (assemble.ts), not only said: the deployment rule judges it (src/rules/deployment.ts).
      env.passedOver.push({ deployment: d, why });
      continue;
    }
    if (succeeded) settled++;
    kept.push(d);
  }
  if (kept.length === env.deployments.length) return;
  env.deployments = kept;
  ({ active: env.active, previous: env.previous } = pickActive(kept));
}

/** A deployment's `transient_environment`, cached by deployment (it never changes). https://docs.github.com/en/rest/deployments/deployments#get-a-deployment */
export async function readTransient(run: GitHubRun, repo: RepoState, env: EnvState, deployment: GqlDeployment): Promise<boolean | undefined> {
  if (deployment.databaseId === null) return undefined;
  const key = `transient:${repo.key}#${deployment.databaseId}`;
  const cached = run.cache.fact<unknown>(key);
  if (typeof cached === 'boolean') {
    run.cache.keepFact(key, cached);
    return cached;
  }
  try {
    const response = await run.octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { owner: repo.owner, repo: repo.name, deployment_id: deployment.databaseId });
    const data = response.data as unknown;
    if (!isObject(data) || data.id !== deployment.databaseId) throw malformed('GET', `/repos/${repo.owner}/${repo.name}/deployments/${deployment.databaseId}`);
    const transient = data.transient_environment === true;
    run.cache.keepFact(key, transient);
    return transient;
  } catch (error) {
    run.gap(repo.services, env.ledger, 'deployment', `${repo.owner}/${repo.name} ${env.github}: could not read whether deployment ${deployment.databaseId} (branch ${deployment.ref?.name}) was for a transient environment, so it is taken as what runs: ${run.reason(error)}`);
    return undefined;
  }
}

/**
 * Which branches and tags may deploy to an environment with a custom policy: one request, only for such
 * environments. https://docs.github.com/en/rest/deployments/branch-policies#list-deployment-branch-policies
 */
export async function readBranchPolicies(run: GitHubRun, repo: RepoState, env: EnvState): Promise<void> {
  const { owner, name } = repo;
  const environment_name = env.github;
  try {
    const list = await listAll(run, 'GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', { owner, repo: name, environment_name, per_page: 100 });
    if (!list.every((p) => isObject(p) && typeof p.name === 'string')) throw malformed('GET', `/repos/${owner}/${name}/environments/${environment_name}/deployment-branch-policies`);
    env.branchPolicies = (list as { name: string; type?: unknown }[]).map((p) => (p.type === 'tag' ? `tag:${p.name}` : p.name));
  } catch (error) {
    run.gapFor(repo, env.ledger, 'protection', error);
  }
}

export async function readVariables(run: GitHubRun, repo: RepoState, env: EnvState): Promise<void> {
  const { owner, name } = repo;
  const environment_name = env.github;
  try {
    // https://docs.github.com/en/rest/actions/variables#list-environment-variables (per_page at most 30)
    const [variables, secrets] = await Promise.all([
      listAll(run, 'GET /repos/{owner}/{repo}/environments/{environment_name}/variables', { owner, repo: name, environment_name, per_page: 30 }),
      // https://docs.github.com/en/rest/actions/secrets#list-environment-secrets — names and dates, never values.
      listAll(run, 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { owner, repo: name, environment_name, per_page: 100 }),
    ]);
    const okVars = Array.isArray(variables) && variables.every((v) => isObject(v) && typeof v.name === 'string' && typeof v.value === 'string' && typeof v.updated_at === 'string');
    const okSecrets = Array.isArray(secrets) && secrets.every((s) => isObject(s) && typeof s.name === 'string');
    if (!okVars || !okSecrets) throw malformed('GET', `/repos/${owner}/${name}/environments/${environment_name}/${okVars ? 'secrets' : 'variables'}`);
    for (const item of [...variables, ...secrets] as { name: string; updated_at?: unknown }[]) {
      if (item.updated_at == null) continue;
      const time = checkTime(item.updated_at, repo.bounds ?? run.bounds, `${environment_name} variable or secret ${item.name.slice(0, 100)} updated_at`);
      if (!time.ok) throw new BadRecord(`${owner}/${name}: ${time.reason}`);
    }
    env.variables = { variables: variables as RestVariable[], secrets: (secrets as RestSecret[]).map(({ name: n, created_at, updated_at }) => ({ name: n, created_at, updated_at })) };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return; // no such environment on GitHub: nothing configured there
    run.gapFor(repo, env.ledger, 'config', error);
  }
}

/**
 * The run's deployment reviews: from the cache, else from the GraphQL
 * lookups (the run is a check suite on the deployed commit), else from
 * REST, which is also what GitHub documents for it.
 */
export async function readRunApprovals(run: GitHubRun, repo: RepoState, env: EnvState): Promise<void> {
  const deployment = env.active!;
  const runId = runIdOf(deployment);
  if (runId === null) return;
  const key = `approvals:${repo.key}#${runId}`;
  try {
    let reviews = run.cache.fact<RestRunApproval[]>(key) ?? repo.runReviews.get(runId);
    // Only environments with required reviewers produce deployment reviews; skip the request elsewhere.
    if (!reviews && repo.environments && !hasRequiredReviewers(repo.environments.get(environmentKey(env.github)))) reviews = [];
    if (!reviews) {
      // https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run
      const response = await run.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', { owner: repo.owner, repo: repo.name, run_id: runId });
      const data = response.data as unknown;
      if (!Array.isArray(data) || !data.every((r) => isObject(r) && typeof r.state === 'string' && isObject(r.user) && Array.isArray(r.environments)))
        throw malformed('GET', `/repos/${repo.owner}/${repo.name}/actions/runs/${runId}/approvals`);
      reviews = (data as RestRunApproval[]).map((r) => ({
        state: r.state,
        comment: r.comment ?? '',
        user: { login: r.user.login },
        environments: r.environments.map((e) => ({ name: e.name })),
      }));
    }
    run.cache.keepFact(key, reviews);
    const runUrl = `${repo.repo!.url}/actions/runs/${runId}`;
    env.runApprovals = mapRunApprovals(reviews, env.github, approvalTime(deployment), runUrl);
  } catch (error) {
    run.gapFor(repo, env.ledger, 'approvals', error);
  }
}

export async function readCompare(run: GitHubRun, repo: RepoState, env: EnvState): Promise<void> {
  const base = env.previous?.commitOid;
  const head = env.active!.commitOid;
  if (!base || base === head) return;
  const key = `compare:${repo.key}#${base}...${head}`;
  try {
    let result = run.cache.fact<CompareResult>(key);
    if (!result) {
      // https://docs.github.com/en/rest/commits/commits#compare-two-commits — commits oldest first, paginated, 250 at most.
      const commits: string[] = [];
      let aheadBy = 0;
      let behindBy = 0;
      let total = 0;
      for (let page = 1; page <= 3; page++) {
        const response = await run.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner: repo.owner, repo: repo.name, basehead: `${base}...${head}`, per_page: 100, page });
        const data = response.data as unknown as Record<string, unknown>;
        if (!isObject(data) || !Array.isArray(data.commits) || typeof data.total_commits !== 'number') throw malformed('GET', `/repos/${repo.owner}/${repo.name}/compare/${base.slice(0, 7)}...${head.slice(0, 7)}`);
        aheadBy = Number(data.ahead_by) || 0;
        behindBy = Number(data.behind_by) || 0;
        total = data.total_commits;
        commits.push(...(data.commits as { sha: string }[]).map((c) => c.sha));
        if (commits.length >= total || (data.commits as unknown[]).length < 100) break;
      }
      result = { aheadBy, behindBy, commits, totalCommits: total };
    }
    run.cache.keepFact(key, result);
    env.compare = result;
    if (result.totalCommits > result.commits.length)
      run.gap(repo.services, env.ledger, 'changes', `only ${result.commits.length} of ${result.totalCommits} commits since the previous deployment were searched for pull requests`);
  } catch (error) {
    run.gapFor(repo, env.ledger, 'changes', error);
  }
}
