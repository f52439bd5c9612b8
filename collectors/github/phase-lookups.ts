/** Phase 4: batched GraphQL lookups for what is new (pull requests with reviews, run reviews, files at deployed commits, release-branch comparisons) and who triggered a GITHUB_TOKEN deployment's run. */
import { capFor, capText } from '../shared/caps.ts';
import { mapLimit } from '../shared/pool.ts';
import { batchedQuery } from './batched-query.ts';
import { BadRecord, type LookupInput, branchPrefixes, checkPulls, configFileFor, createdByWorkflowToken, lookupWeight, lookupsQuery, mapBranches, runDeployer, runIdOf, splitRepo } from './index.ts';
import { readRunApprovals } from './phase-rest.ts';
import { isObject } from './shape.ts';
import type { EnvState, RepoState } from './state.ts';
import type { GitHubRun } from './source.ts';

export function librariesOf(run: GitHubRun): Map<string, string> {
  const map = new Map<string, string>();
  for (const s of run.ctx.config.services) {
    if (s.kind !== 'library') continue;
    map.set(s.name, s.name);
    const parts = s.repo ? splitRepo(s.repo) : null;
    if (parts) {
      map.set(parts.name, s.name);
      map.set(`@${parts.owner}/${parts.name}`, s.name);
    }
  }
  return map;
}

export async function phaseLookups(run: GitHubRun, repos: RepoState[]): Promise<void> {
  const withLibraries = librariesOf(run).size > 0;
  const lookups: { repo: RepoState; input: LookupInput }[] = [];
  for (const repo of repos) {
    const commits = new Set<string>();
    const files = new Set<string>();
    const compares: { base: string; head: string }[] = [];
    for (const env of repo.envs) {
      if (!env.active) continue;
      commits.add(env.active.commitOid);
      for (const sha of env.compare?.commits ?? []) commits.add(sha);
      for (const service of repo.services) {
        const path = configFileFor(service.configFiles, env.ledger);
        if (path) files.add(`${env.active.commitOid}:${path.replace(/^\.?\//, '')}`);
      }
      if (withLibraries) files.add(`${env.active.commitOid}:package.json`);
    }
    const uncachedCommits = [...commits].filter((sha) => {
      const cached = run.cache.fact(`pulls:${repo.key}#${sha}`);
      // Checked like a fresh answer: the cache file is outside input too.
      if (Array.isArray(cached)) keepPulls(run, repo, sha, cached);
      return !Array.isArray(cached);
    });
    const defaultRef = repo.repo!.defaultBranchRef;
    if (defaultRef?.target) {
      for (const ref of releaseRefs(run, repo)) {
        const key = `branch:${repo.key}#${defaultRef.target.oid}...${ref.target!.oid}`;
        const cached = run.cache.fact<{ aheadBy: number; behindBy: number }>(key);
        if (cached) {
          repo.branchCompares.set(ref.name, cached);
          run.cache.keepFact(key, cached);
        } else compares.push({ base: defaultRef.name, head: ref.name });
      }
    }
    const reviews = new Set<string>();
    for (const env of repo.envs) {
      const runId = env.active ? runIdOf(env.active) : null;
      if (runId !== null && !run.cache.fact(`approvals:${repo.key}#${runId}`)) reviews.add(env.active!.commitOid);
    }
    // Files are not cached on purpose: config files may hold secrets, and the cache file sits beside the ledger.
    const input: LookupInput = { owner: repo.owner, name: repo.name, commits: uncachedCommits.sort(), files: [...files].sort(), compares, reviews: [...reviews].sort() };
    if (lookupWeight(input) > 0) lookups.push({ repo, input });
  }
  const limit = run.options.lookupBatchWeight ?? 1000;
  const batches: { repo: RepoState; input: LookupInput }[][] = [];
  let current: { repo: RepoState; input: LookupInput }[] = [];
  let weight = 0;
  for (const item of lookups) {
    const w = lookupWeight(item.input);
    if (current.length > 0 && weight + w > limit) {
      batches.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += w;
  }
  if (current.length > 0) batches.push(current);
  await mapLimit(batches, Math.min(4, run.settings.concurrency), (batch) => queryLookups(run, batch));
  // Who deployed decides separation of duties only against the deployment's own approvals (src/rules/approval.ts): the run is read where there are some.
  const needDeployer = (env: EnvState) => createdByWorkflowToken(env.active?.creator?.login) && (env.runApprovals ?? []).length > 0;
  await Promise.all(
    repos.map(async (repo) => {
      const active = repo.envs.filter((env) => env.active);
      await Promise.all(active.map((env) => readRunApprovals(run, repo, env)));
      const needing = active.filter(needDeployer);
      const known = await listRunDeployers(run, repo, needing);
      await Promise.all(needing.map((env) => readDeployer(run, repo, env, known)));
    }),
  );
}

const actorKey = (repo: RepoState, runId: number) => `run-actor:${repo.key}#${runId}`;

/** What a repository's runs said this night: who triggered each listed run, and each run asked alone (one request, however many environments it deployed). */
export interface RunActors {
  listed: Map<number, string>;
  asked: Map<number, Promise<unknown>>;
}

/**
 * Who triggered each of a repository's new runs that made a GITHUB_TOKEN
 * deployment, from one page of its workflow runs (items are the same
 * `workflow-run` as the single-run request, with `triggering_actor` and
 * `actor`): one request for all of them instead of one each. Asked only for
 * two runs or more, so it never costs more than the single requests it saves
 * bar one when none is listed. The page is the newest 100 runs created up to
 * the newest of those deployments (a run exists before the deployment it
 * makes), so a run is missing only behind 100 newer ones; a missing run, an
 * item without an actor, or a failed list falls back to the single request
 * in `readDeployer`, which decides what is a gap.
 * https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-repository
 */
export async function listRunDeployers(run: GitHubRun, repo: RepoState, envs: readonly EnvState[]): Promise<RunActors> {
  const wanted = new Map<number, number>();
  for (const env of envs) {
    const runId = runIdOf(env.active!);
    const at = Date.parse(env.active!.createdAt);
    if (runId === null || Number.isNaN(at) || typeof run.cache.fact(actorKey(repo, runId)) === 'string') continue;
    wanted.set(runId, Math.max(at, wanted.get(runId) ?? -Infinity));
  }
  const found: RunActors = { listed: new Map(), asked: new Map() };
  if (wanted.size < 2) return found;
  // Search syntax for dates (`*..` is "on or before"); a minute's slack for the clocks behind the two records.
  // https://docs.github.com/en/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax#query-for-dates
  const newest = new Date(Math.max(...wanted.values()) + 60_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  try {
    const response = await run.octokit.request('GET /repos/{owner}/{repo}/actions/runs', { owner: repo.owner, repo: repo.name, created: `*..${newest}`, exclude_pull_requests: true, per_page: 100 });
    const items = isObject(response.data) ? (response.data as { workflow_runs?: unknown }).workflow_runs : undefined;
    for (const item of Array.isArray(items) ? items : []) {
      const login = isObject(item) && typeof item.id === 'number' && wanted.has(item.id) ? runDeployer(item) : null;
      if (login) found.listed.set(item.id as number, login);
    }
  } catch (error) {
    run.ctx.progress(`github: ${repo.owner}/${repo.name}: could not list workflow runs, so each run is asked alone: ${run.reason(error)}`);
  }
  return found;
}

/**
 * The person behind a deployment made with a workflow's GITHUB_TOKEN: who
 * triggered its run (deployer.ts), only for deployments with deployment
 * approvals: from the cache (by run id), else from the repository's run
 * list, else one REST request for the run (shared by the environments one
 * run deployed). Without it, who deployed is unknown and those approvals
 * cannot be checked for separation of duties, which is a gap.
 */
export async function readDeployer(run: GitHubRun, repo: RepoState, env: EnvState, known: RunActors = { listed: new Map(), asked: new Map() }): Promise<void> {
  const deployment = env.active!;
  const runId = runIdOf(deployment);
  const label = `${repo.owner}/${repo.name} ${env.github}: deployment ${deployment.databaseId ?? deployment.commitOid.slice(0, 7)} was made with a workflow's GITHUB_TOKEN (creator ${deployment.creator?.login})`;
  if (runId === null) {
    run.gap(repo.services, env.ledger, 'approvals', `${label} and names no workflow run, so who triggered it is unknown`);
    return;
  }
  const key = actorKey(repo, runId);
  try {
    const cached = run.cache.fact<unknown>(key);
    let login = typeof cached === 'string' ? cached : (known.listed.get(runId) ?? null);
    if (!login) {
      let asked = known.asked.get(runId);
      if (!asked) {
        // https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
        asked = run.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner: repo.owner, repo: repo.name, run_id: runId }).then((response) => response.data as unknown);
        known.asked.set(runId, asked);
      }
      login = runDeployer(await asked);
      if (!login) throw new BadRecord(`${label}; its run ${runId} names no actor`);
    }
    run.cache.keepFact(key, login);
    env.deployer = capText(run.credentials.scrub(login), capFor('login'));
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      run.gap(repo.services, env.ledger, 'approvals', `${label}; its run ${runId} is gone (404), so who triggered it is unknown`);
      return;
    }
    run.gapFor(repo, env.ledger, 'approvals', error);
  }
}

export function releaseRefs(run: GitHubRun, repo: RepoState): { name: string; target: { oid: string; committedDate?: string } | null }[] {
  const prefixes = branchPrefixes(run.settings.releaseBranches);
  const refs = prefixes.flatMap((_, j) => {
    const nodes = (repo.repo![`b${j}`] as { nodes?: unknown } | null | undefined)?.nodes;
    return Array.isArray(nodes) ? (nodes.filter((n) => isObject(n) && typeof n.name === 'string' && isObject(n.target)) as { name: string; target: { oid: string; committedDate?: string } }[]) : [];
  });
  return mapBranches('', '', refs, run.settings.releaseBranches, () => ({ aheadBy: 0, behindBy: 0 })).map((b) => refs.find((r) => r.name === b.name)!);
}

export async function queryLookups(run: GitHubRun, batch: { repo: RepoState; input: LookupInput }[]): Promise<void> {
  const result = await batchedQuery(
    run.octokit,
    batch,
    lookupsQuery(batch.map((b) => b.input)),
    (part) => queryLookups(run, part),
    ({ repo, input }, error) => lookupFailed(run, repo, input, error),
  );
  if (!result) return;
  const { data, errors } = result;
  batch.forEach(({ repo, input }, i) => {
    const block = data?.[`r${i}`];
    if (!isObject(block)) {
      const error = errors.find((e) => e.path?.[0] === `r${i}`);
      lookupFailed(run, repo, input, `GraphQL lookups for ${repo.owner}/${repo.name} returned no data${error?.message ? `: ${error.message.slice(0, 160)}` : ''}`);
      return;
    }
    input.commits.forEach((sha, j) => {
      const commit = block[`c${j}`];
      const nodes = isObject(commit) && isObject(commit.associatedPullRequests) ? commit.associatedPullRequests.nodes : undefined;
      if (!Array.isArray(nodes)) {
        // A deployed or compared commit GitHub answers null for: its pull requests and approvals are unknown, not absent.
        repo.pullProblems.set(sha, `GraphQL lookups for ${repo.owner}/${repo.name} returned no pull requests for commit ${sha.slice(0, 7)} (null where a commit belongs)`);
        return;
      }
      keepPulls(run, repo, sha, nodes);
    });
    input.files.forEach((expr, j) => {
      const blob = block[`f${j}`];
      repo.blobs.set(expr, isObject(blob) && typeof blob.text === 'string' && blob.isTruncated !== true ? blob.text : null);
    });
    (input.reviews ?? []).forEach((_, j) => {
      const commit = block[`w${j}`];
      const suites = isObject(commit) && isObject(commit.checkSuites) && Array.isArray(commit.checkSuites.nodes) ? commit.checkSuites.nodes : [];
      for (const suite of suites) {
        const run = isObject(suite) && isObject(suite.workflowRun) ? suite.workflowRun : null;
        const nodes = run && isObject(run.deploymentReviews) && Array.isArray(run.deploymentReviews.nodes) ? run.deploymentReviews.nodes : null;
        if (!run || typeof run.databaseId !== 'number' || !nodes) continue;
        // A null among the reviews drops none silently: the run is asked through REST instead, which is checked whole.
        if (nodes.some((r) => !isObject(r))) continue;
        repo.runReviews.set(
          run.databaseId,
          nodes.filter(isObject).map((r) => ({
            state: String(r.state).toLowerCase(),
            comment: typeof r.comment === 'string' ? r.comment : '',
            user: { login: isObject(r.user) && typeof r.user.login === 'string' ? r.user.login : 'ghost' },
            environments: isObject(r.environments) && Array.isArray(r.environments.nodes) ? r.environments.nodes.filter(isObject).map((e) => ({ name: String(e.name) })) : [],
          })),
        );
      }
    });
    input.compares.forEach((c, j) => {
      const ref = block[`k${j}`];
      const cmp = isObject(ref) && isObject(ref.compare) ? ref.compare : null;
      if (!cmp || typeof cmp.aheadBy !== 'number' || typeof cmp.behindBy !== 'number') {
        run.gap(repo.services, undefined, 'branches', `could not compare ${c.head} with ${c.base} in ${repo.owner}/${repo.name}`);
        return;
      }
      const counts = { aheadBy: cmp.aheadBy, behindBy: cmp.behindBy };
      repo.branchCompares.set(c.head, counts);
      const target = releaseRefs(run, repo).find((r) => r.name === c.head)?.target?.oid;
      run.cache.keepFact(`branch:${repo.key}#${repo.repo!.defaultBranchRef!.target!.oid}...${target}`, counts);
    });
  });
}

/** A commit's pull requests, checked (times, shapes) and capped; what had to be dropped is a problem for the cells that use the commit. */
export function keepPulls(run: GitHubRun, repo: RepoState, sha: string, nodes: readonly unknown[]): void {
  const { pulls, problem } = checkPulls(nodes, repo.bounds ?? run.bounds, (text, key) => capText(run.credentials.scrub(text), capFor(key)));
  repo.pulls.set(sha, pulls);
  if (problem) repo.pullProblems.set(sha, `${repo.owner}/${repo.name}@${sha.slice(0, 7)}: ${problem}`);
  else run.cache.keepFact(`pulls:${repo.key}#${sha}`, pulls);
}

export function lookupFailed(run: GitHubRun, repo: RepoState, input: LookupInput, error: unknown): void {
  const reason = run.reason(error);
  for (const env of repo.envs) {
    if (!env.active) continue;
    if (input.commits.length > 0) {
      run.gap(repo.services, env.ledger, 'changes', reason);
      run.gap(repo.services, env.ledger, 'approvals', reason);
    }
    if (input.files.some((f) => f.startsWith(`${env.active!.commitOid}:`))) run.gap(repo.services, env.ledger, 'config', reason);
  }
  if (input.compares.length > 0) run.gap(repo.services, undefined, 'branches', reason);
  repo.failed = true;
}
