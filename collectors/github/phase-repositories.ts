/** Phase 1: one GraphQL query per batch of repositories (default branch, releases, tags, release branches, each environment's last deployments), and the respelled environments asked again. */
import { mapLimit } from '../shared/pool.ts';
import { batchedQuery } from './batched-query.ts';
import { type GqlRepository, type RepoQueryInput, type TimeBounds, branchPrefixes, deploymentTimeProblem, pickActive, repositoriesQuery, repositoryBounds } from './index.ts';
import { isDeployment, isObject } from './shape.ts';
import type { EnvState, RepoState } from './state.ts';
import type { GitHubRun } from './source.ts';

export async function phaseRepositories(run: GitHubRun, repos: RepoState[]): Promise<void> {
  const prefixes = branchPrefixes(run.settings.releaseBranches);
  const size = run.options.batchSize ?? 50;
  const batches: RepoState[][] = [];
  for (let i = 0; i < repos.length; i += size) batches.push(repos.slice(i, i + size));
  let done = 0;
  await mapLimit(batches, Math.min(4, run.settings.concurrency), async (batch) => {
    await queryRepositories(run, batch, prefixes);
    done += batch.length;
    run.ctx.progress(`github: repositories ${done}/${repos.length}`);
  });
}

/** One batched query; a batch that fails as a whole is split so the failure lands on exactly the repository that caused it. */
export async function queryRepositories(run: GitHubRun, batch: RepoState[], prefixes: string[]): Promise<void> {
  const inputs: RepoQueryInput[] = batch.map((r) => ({ owner: r.owner, name: r.name, environments: r.envs.map((e) => e.github), branchPrefixes: prefixes }));
  const result = await batchedQuery(
    run.octokit,
    batch,
    repositoriesQuery(inputs),
    (part) => queryRepositories(run, part, prefixes),
    (repo, error) => run.repoFailed(repo, 'all', error),
  );
  if (!result) return;
  const { data, errors } = result;
  batch.forEach((repo, i) => {
    const block = data?.[`r${i}`] as GqlRepository | null | undefined;
    const error = errors.find((e) => e.path?.[0] === `r${i}`);
    if (!isObject(block) || typeof block.nameWithOwner !== 'string') {
      const reason = error?.type === 'NOT_FOUND' ? `repository ${repo.owner}/${repo.name} not found or not readable with these credentials` : `GraphQL repository query for ${repo.owner}/${repo.name} returned no data${error?.message ? `: ${error.message.slice(0, 160)}` : ''}`;
      run.repoFailed(repo, 'all', reason);
      return;
    }
    repo.repo = block;
    const bounds = (repo.bounds = repositoryBounds(run.bounds, block.createdAt));
    repo.envs.forEach((env, j) => takeDeployments(run, repo, env, (block[`d${j}`] as { nodes?: unknown } | null | undefined)?.nodes, bounds));
  });
}

/** An environment's deployments from a GraphQL answer, added to those already held (by id); the active one picked again. */
export function takeDeployments(run: GitHubRun, repo: RepoState, env: EnvState, nodes: unknown, bounds: TimeBounds): void {
  const listed = Array.isArray(nodes) ? nodes.filter(isDeployment) : [];
  // One bad record costs its cell: without a usable time, which deployment is active is unknown, so the cell is a gap.
  const dropped = Array.isArray(nodes) ? nodes.length - listed.length : 0;
  const problem =
    dropped > 0
      ? `${dropped} of the deployments GitHub listed for ${env.github} in ${repo.owner}/${repo.name} are not deployments (null or malformed)`
      : listed.map((d) => deploymentTimeProblem(d, bounds)).find((p) => p !== null);
  if (problem) {
    run.gap(repo.services, env.ledger, 'deployment', `${repo.owner}/${repo.name} ${env.github}: ${problem}`);
    env.deployments = [];
    env.failed = true;
  } else if (!env.failed) {
    const held = new Set(env.deployments.map((d) => d.databaseId ?? `${d.commitOid}@${d.createdAt}`));
    env.deployments = [...env.deployments, ...listed.filter((d) => !held.has(d.databaseId ?? `${d.commitOid}@${d.createdAt}`))];
  }
  const { active, previous } = pickActive(env.deployments);
  env.active = active;
  env.previous = previous;
}

/**
 * Deployments of environments whose name GitHub spells differently from the
 * config (`Production` for `production`): asked again under GitHub's
 * spelling, one query for the repository and only when a spelling differs,
 * so a case-sensitive filter loses none (environment-name.ts).
 */
export async function askRespelled(run: GitHubRun, repo: RepoState): Promise<void> {
  const respelled = repo.envs.filter((env) => env.github !== env.asked);
  if (respelled.length === 0 || !repo.repo) return;
  const fail = (error: unknown) => {
    for (const env of respelled) run.gapFor(repo, env.ledger, 'deployment', error);
  };
  const query = repositoriesQuery([{ owner: repo.owner, name: repo.name, environments: respelled.map((e) => e.github), branchPrefixes: [] }]);
  const result = await batchedQuery(run.octokit, [repo], query, async () => {}, (_, error) => fail(error));
  if (!result) return;
  const block = result.data?.r0;
  if (!isObject(block)) return fail(`GraphQL deployments of ${repo.owner}/${repo.name} under GitHub's spelling returned no data`);
  respelled.forEach((env, j) => takeDeployments(run, repo, env, (block[`d${j}`] as { nodes?: unknown } | null | undefined)?.nodes, repo.bounds ?? run.bounds));
}
