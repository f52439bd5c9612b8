/**
 * The GitHub source: deployments, approvals, protection rules, environment
 * variables, release branches, changes and config files from GitHub or GitHub
 * Enterprise Server. This file does the I/O; every decision about payloads is
 * a plain function in `collectors/github/`.
 *
 * Request plan (so 500 services × 6 environments stays within a few requests
 * per service, see `scripts/bench-github.ts`):
 *  1. GraphQL, many aliased `repository` blocks per query: default branch,
 *     releases, tags, release branches, and per environment the last
 *     deployments with their statuses.
 *  2. REST, one per repository: `GET /repos/{o}/{r}/environments` (protection
 *     rules of every environment at once); per environment, variables and
 *     secret names when `variables` is on, and the branch patterns of a
 *     custom deployment branch policy where it has one. All conditional (ETag), so an
 *     unchanged night answers 304, which GitHub does not count.
 *     https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 *  3. REST, only for a deployment not seen before: the comparison with the
 *     previous deployment (immutable, cached by commit pair).
 *  4. GraphQL lookups: pull requests (with reviews) of the new commits, the
 *     deployment reviews of the new deployments' workflow runs, config files
 *     and package.json at deployed commits, release-branch comparisons.
 *  5. REST fallback for a run the lookups did not find:
 *     `GET /repos/{o}/{r}/actions/runs/{id}/approvals`. Reviews are cached by
 *     run id and never asked again.
 *
 * Every request draws on one budget (`maxRequests`) and one deadline
 * (`deadlineSeconds`) per token and run, shared with the gitops source's
 * `repo` mode (`collectors/github/budget.ts`). Answers are not trusted:
 * each is read to 16 MiB at most (`capped-fetch.ts`), times are checked, a bad record is a gap for its cell, strings are scrubbed
 * of every credential and capped before anything is stored (docs/guarantees.md,
 * "When the API lies").
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Approval, Change, Collector, Deployment, Evidence, GitHubSourceConfig, ServiceConfig, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { mapLimit } from '../shared/pool.ts';
import { batchedQuery } from './batched-query.ts';
import { createGitHubClient, ResponseCache, type GitHubClient, type GitHubClientOptions } from './client/index.ts';
import { capFor, capStrings, capText } from '../shared/caps.ts';
import { Credentials } from '../shared/credentials.ts';
import { isSecretKey, looksLikeSecretValue } from '../../src/model/redact.ts';
import { ticketsIn } from '../../src/model/tickets.ts';
import {
  BadRecord,
  BudgetExhausted,
  PaginationLoop,
  checkPulls,
  checkTime,
  deploymentTimeProblem,
  eventBounds,
  repositoryBounds,
  approvalTime,
  branchPrefixes,
  componentsFrom,
  configFileFor,
  describeError,
  scrub,
  environmentValues,
  hasRequiredReviewers,
  isoUtc,
  lookupWeight,
  lookupsQuery,
  mapBranches,
  mapProtection,
  mapPullRequests,
  mapRunApprovals,
  parseConfigFile,
  pickActive,
  pullRequestApprovals,
  repositoriesQuery,
  runIdOf,
  splitRepo,
  successAt,
  versionOf,
  payloadVersion,
  artifactOf,
  environmentKey,
  environmentsByName,
  createdByWorkflowToken,
  runDeployer,
  mayBeTransient,
  passedOver,
} from './index.ts';
import type {
  CompareResult,
  GqlDeployment,
  GqlPullRequest,
  GqlRepository,
  LookupInput,
  RepoQueryInput,
  RestEnvironment,
  RestRunApproval,
  RestSecret,
  RestVariable,
  TimeBounds,
} from './index.ts';

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface GitHubCollectorOptions extends GitHubClientOptions {
  /** Repositories per GraphQL query (default 50). */
  batchSize?: number;
  /** Aliased lookups per GraphQL query in phase 4 (default 1000). */
  lookupBatchWeight?: number;
}

/** The GitHub collector with production settings. */
export const collectGitHub: Collector<GitHubSourceConfig> = (context) => createGitHubCollector()(context);

/** A GitHub collector with injected timing knobs. */
export function createGitHubCollector(options: GitHubCollectorOptions = {}): Collector<GitHubSourceConfig> {
  return (context) => new GitHubRun(context, options).collect();
}

type Kind = 'deployment' | 'approvals' | 'config' | 'branches' | 'changes' | 'protection' | 'all';

interface EnvState {
  ledger: string;
  /** GitHub's name of the environment: the config's, then GitHub's own spelling once the environments list is read. */
  github: string;
  /** The spelling deployments were first asked under (the config's). */
  asked: string;
  /** A bad deployment record made this cell a gap: nothing more is added to it. */
  failed?: boolean;
  deployments: GqlDeployment[];
  active: GqlDeployment | null;
  previous: GqlDeployment | null;
  runApprovals?: Approval[];
  compare?: CompareResult;
  variables?: { variables: RestVariable[]; secrets: RestSecret[] };
  /** The name patterns of a custom deployment branch policy (`tag:` before tag patterns). */
  branchPolicies?: string[];
  /** Who triggered the workflow run of an active deployment made with GITHUB_TOKEN (deployer.ts). */
  deployer?: string;
}

interface RepoState {
  key: string;
  owner: string;
  name: string;
  services: ServiceConfig[];
  repo?: GqlRepository;
  environments?: Map<string, RestEnvironment>;
  envs: EnvState[];
  /** Phase-4 results. */
  pulls: Map<string, GqlPullRequest[]>;
  /** Commits whose pull requests came back (partly) unusable, and why: a gap for the cells that use them. */
  pullProblems: Map<string, string>;
  /** The window this repository's events must fall in (the run's, narrowed to after the repository was created). */
  bounds?: TimeBounds;
  blobs: Map<string, string | null>;
  branchCompares: Map<string, { aheadBy: number; behindBy: number }>;
  /** Workflow run id -> its deployment reviews, from the GraphQL lookups. */
  runReviews: Map<number, RestRunApproval[]>;
  failed: boolean;
}

class GitHubRun {
  private readonly settings: GitHubSourceConfig;
  private readonly evidence: Evidence = emptyEvidence();
  private readonly gapKeys = new Set<string>();
  /** Every credential in use (the token or App key, and installation tokens as they are made); see collectors/shared/credentials.ts. */
  private credentials = new Credentials();
  /** The window a GitHub event's time must fall in to be evidence. */
  private readonly bounds: TimeBounds;
  private cache: ResponseCache;
  /** HTTP requests sent so far (retries and token exchanges included). */
  private requests: () => number = () => 0;
  private octokit!: GitHubClient;

  private readonly ctx: SourceContext<GitHubSourceConfig>;
  private readonly options: GitHubCollectorOptions;

  constructor(ctx: SourceContext<GitHubSourceConfig>, options: GitHubCollectorOptions) {
    this.ctx = ctx;
    this.options = options;
    this.settings = ctx.settings;
    this.bounds = eventBounds(ctx.now);
    this.cache = new ResponseCache(resolve(ctx.configDir, ctx.settings.cacheFile));
  }

  async collect(): Promise<Evidence> {
    const repos = this.plan();
    if (repos.length === 0) return this.evidence;
    if (!this.connect(repos)) return this.finish();
    await this.cache.load();
    this.ctx.progress(`github: ${repos.length} repositories`);
    await this.phaseRepositories(repos);
    await Promise.all(repos.filter((r) => r.repo).map((r) => this.phaseRest(r)));
    await this.phaseLookups(repos.filter((r) => r.repo));
    for (const repo of repos) if (repo.repo) this.assemble(repo);
    await this.saveCache();
    this.ctx.progress(`github: done, ${this.requests()} requests`);
    return this.finish();
  }

  // ---------------------------------------------------------------- setup

  private plan(): RepoState[] {
    const byRepo = new Map<string, RepoState>();
    const environments = this.ctx.config.environments.map((e) => ({ ledger: e.name, github: this.settings.environments[e.name] ?? e.name }));
    for (const service of this.ctx.services) {
      const parts = service.repo ? splitRepo(service.repo) : null;
      if (!parts) {
        this.gap(service.name, undefined, 'all', 'the service has no `repo` (owner/name) for the GitHub source to read');
        continue;
      }
      const key = `${parts.owner}/${parts.name}`.toLowerCase();
      const state =
        byRepo.get(key) ??
        ({
          key,
          ...parts,
          services: [] as ServiceConfig[],
          envs: environments.map((e) => ({ ...e, asked: e.github, deployments: [], active: null, previous: null })),
          pulls: new Map(),
          pullProblems: new Map(),
          blobs: new Map(),
          branchCompares: new Map(),
          runReviews: new Map(),
          failed: false,
        } satisfies RepoState);
      state.services.push(service);
      byRepo.set(key, state);
    }
    return [...byRepo.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Builds the Octokit client; false (with gaps) when no credentials are configured. */
  private connect(repos: RepoState[]): boolean {
    const client = createGitHubClient(this.settings, this.ctx, this.options);
    if (!client.ok) {
      this.allGaps(repos, client.reason);
      return false;
    }
    this.credentials = client.credentials;
    this.octokit = client.octokit;
    this.requests = client.requests;
    this.cache.install(this.octokit, {
      keep: (url, data) => this.cacheSafe(url, data),
      // Octokit hands back an empty or cut-off JSON body as a string; every REST answer this source
      // reads is an object or a list, so anything else is a malformed response (a gap), never an empty list.
      check: (url, data) => {
        if (typeof data !== 'object' || data === null) throw malformed('GET', new URL(url).pathname);
      },
    });
    return true;
  }

  /**
   * What may be written to the ETag cache: a copy (octokit.paginate rewrites
   * list `data` in place), or nothing for a variables list holding a
   * secret-looking value. The cache sits beside the ledger and may be kept by
   * CI, and secret values are never stored anywhere, not even as a hash: such
   * a list is asked again in full each night, and redaction fingerprints it
   * with the ledger key like any other value.
   */
  private cacheSafe(url: string, data: unknown): unknown {
    const copy = structuredClone(data);
    if (!/\/variables(\?|$)/.test(url) || !isObject(copy) || !Array.isArray((copy as { variables?: unknown }).variables)) return copy;
    const patterns = [...this.ctx.config.policies.secretKeys, ...this.ctx.config.services.flatMap((s) => s.secretKeys)];
    const secret = (copy as { variables: { name?: unknown; value?: unknown }[] }).variables.some(
      (variable) => typeof variable?.name === 'string' && typeof variable.value === 'string' && (isSecretKey(variable.name, patterns) || looksLikeSecretValue(variable.value)),
    );
    return secret ? undefined : copy;
  }

  // ---------------------------------------------------------------- phase 1: GraphQL per repository

  private async phaseRepositories(repos: RepoState[]): Promise<void> {
    const prefixes = branchPrefixes(this.settings.releaseBranches);
    const size = this.options.batchSize ?? 50;
    const batches: RepoState[][] = [];
    for (let i = 0; i < repos.length; i += size) batches.push(repos.slice(i, i + size));
    let done = 0;
    await mapLimit(batches, Math.min(4, this.settings.concurrency), async (batch) => {
      await this.queryRepositories(batch, prefixes);
      done += batch.length;
      this.ctx.progress(`github: repositories ${done}/${repos.length}`);
    });
  }

  /** One batched query; a batch that fails as a whole is split so the failure lands on exactly the repository that caused it. */
  private async queryRepositories(batch: RepoState[], prefixes: string[]): Promise<void> {
    const inputs: RepoQueryInput[] = batch.map((r) => ({ owner: r.owner, name: r.name, environments: r.envs.map((e) => e.github), branchPrefixes: prefixes }));
    const result = await batchedQuery(
      this.octokit,
      batch,
      repositoriesQuery(inputs),
      (part) => this.queryRepositories(part, prefixes),
      (repo, error) => this.repoFailed(repo, 'all', error),
    );
    if (!result) return;
    const { data, errors } = result;
    batch.forEach((repo, i) => {
      const block = data?.[`r${i}`] as GqlRepository | null | undefined;
      const error = errors.find((e) => e.path?.[0] === `r${i}`);
      if (!isObject(block) || typeof block.nameWithOwner !== 'string') {
        const reason = error?.type === 'NOT_FOUND' ? `repository ${repo.owner}/${repo.name} not found or not readable with these credentials` : `GraphQL repository query for ${repo.owner}/${repo.name} returned no data${error?.message ? `: ${error.message.slice(0, 160)}` : ''}`;
        this.repoFailed(repo, 'all', reason);
        return;
      }
      repo.repo = block;
      const bounds = (repo.bounds = repositoryBounds(this.bounds, block.createdAt));
      repo.envs.forEach((env, j) => this.takeDeployments(repo, env, (block[`d${j}`] as { nodes?: unknown } | null | undefined)?.nodes, bounds));
    });
  }

  /** An environment's deployments from a GraphQL answer, added to those already held (by id); the active one picked again. */
  private takeDeployments(repo: RepoState, env: EnvState, nodes: unknown, bounds: TimeBounds): void {
    const listed = Array.isArray(nodes) ? nodes.filter(isDeployment) : [];
    // One bad record costs its cell: without a usable time, which deployment is active is unknown, so the cell is a gap.
    const dropped = Array.isArray(nodes) ? nodes.length - listed.length : 0;
    const problem =
      dropped > 0
        ? `${dropped} of the deployments GitHub listed for ${env.github} in ${repo.owner}/${repo.name} are not deployments (null or malformed)`
        : listed.map((d) => deploymentTimeProblem(d, bounds)).find((p) => p !== null);
    if (problem) {
      this.gap(repo.services, env.ledger, 'deployment', `${repo.owner}/${repo.name} ${env.github}: ${problem}`);
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
  private async askRespelled(repo: RepoState): Promise<void> {
    const respelled = repo.envs.filter((env) => env.github !== env.asked);
    if (respelled.length === 0 || !repo.repo) return;
    const fail = (error: unknown) => {
      for (const env of respelled) this.gapFor(repo, env.ledger, 'deployment', error);
    };
    const query = repositoriesQuery([{ owner: repo.owner, name: repo.name, environments: respelled.map((e) => e.github), branchPrefixes: [] }]);
    const result = await batchedQuery(this.octokit, [repo], query, async () => {}, (_, error) => fail(error));
    if (!result) return;
    const block = result.data?.r0;
    if (!isObject(block)) return fail(`GraphQL deployments of ${repo.owner}/${repo.name} under GitHub's spelling returned no data`);
    respelled.forEach((env, j) => this.takeDeployments(repo, env, (block[`d${j}`] as { nodes?: unknown } | null | undefined)?.nodes, repo.bounds ?? this.bounds));
  }

  // ---------------------------------------------------------------- phase 2–3: REST

  /** `octokit.paginate` over a list endpoint; a body that is not GitHub's list shape becomes a one-line malformed-response error naming the path. */
  private async list(route: string, params: Record<string, string | number>): Promise<unknown[]> {
    const path = route.replace(/^GET /, '').replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));
    try {
      const items: unknown[] = [];
      // A page URL or a page body seen before means the `next` links loop: stop, rather than spend the budget on it.
      const seenUrls = new Set<string>();
      const seenBodies = new Set<string>();
      for await (const response of this.octokit.paginate.iterator(route as never, params as never) as AsyncIterable<{ url: string; data: unknown }>) {
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

  private async phaseRest(repo: RepoState): Promise<void> {
    const { owner, name } = repo;
    try {
      const list = await this.list('GET /repos/{owner}/{repo}/environments', { owner, repo: name, per_page: 100 });
      if (list.some((e) => !isObject(e) || typeof (e as { name?: unknown }).name !== 'string')) throw malformed('GET', `/repos/${owner}/${name}/environments`);
      repo.environments = environmentsByName(list as RestEnvironment[]);
      // Later requests use GitHub's own spelling of each environment (names are not case sensitive, see environment-name.ts).
      for (const env of repo.envs) env.github = repo.environments.get(environmentKey(env.github))?.name ?? env.github;
    } catch (error) {
      for (const env of repo.envs) this.gapFor(repo, env.ledger, 'protection', error);
    }
    await this.askRespelled(repo);
    await Promise.all(
      repo.envs.map(async (env) => {
        const exists = repo.environments ? repo.environments.has(environmentKey(env.github)) : true;
        const work: Promise<void>[] = [];
        if (this.settings.variables && exists && (env.active || repo.environments)) work.push(this.readVariables(repo, env));
        const custom = repo.environments?.get(environmentKey(env.github))?.deployment_branch_policy?.custom_branch_policies;
        work.push(
          (async () => {
            // What runs is settled (branch policy, transient environments) before the comparison with the one before it.
            if (env.active && custom) await this.readBranchPolicies(repo, env);
            if (env.active) await this.settleWhatRuns(repo, env);
            if (env.active) await this.readCompare(repo, env);
          })(),
        );
        await Promise.all(work);
      }),
    );
  }

  /**
   * Passes over the successful deployments that are not what runs
   * (what-runs.ts), newest first, until the active one and the one before it
   * are settled; older history is held to the branch policy only, which costs
   * nothing. A deployment whose transient flag cannot be read is kept, with a gap.
   */
  private async settleWhatRuns(repo: RepoState, env: EnvState): Promise<void> {
    const defaultBranch = repo.repo?.defaultBranchRef?.name;
    const newestFirst = [...env.deployments].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    const kept: GqlDeployment[] = [];
    let settled = 0;
    for (const d of newestFirst) {
      const succeeded = successAt(d) !== null;
      // The branch policy costs nothing; the transient flag is asked only of what the policy lets through.
      let reason = succeeded ? passedOver(d, env.branchPolicies, undefined) : null;
      if (succeeded && !reason && settled < 2 && mayBeTransient(d, defaultBranch)) reason = passedOver(d, env.branchPolicies, await this.readTransient(repo, env, d));
      if (reason) {
        this.ctx.progress(`github: ${repo.owner}/${repo.name} ${env.github}: deployment ${d.databaseId ?? d.commitOid.slice(0, 7)} is not what runs: ${reason}`);
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
  private async readTransient(repo: RepoState, env: EnvState, deployment: GqlDeployment): Promise<boolean | undefined> {
    if (deployment.databaseId === null) return undefined;
    const key = `transient:${repo.key}#${deployment.databaseId}`;
    const cached = this.cache.fact<unknown>(key);
    if (typeof cached === 'boolean') {
      this.cache.keepFact(key, cached);
      return cached;
    }
    try {
      const response = await this.octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { owner: repo.owner, repo: repo.name, deployment_id: deployment.databaseId });
      const data = response.data as unknown;
      if (!isObject(data) || data.id !== deployment.databaseId) throw malformed('GET', `/repos/${repo.owner}/${repo.name}/deployments/${deployment.databaseId}`);
      const transient = data.transient_environment === true;
      this.cache.keepFact(key, transient);
      return transient;
    } catch (error) {
      this.gap(repo.services, env.ledger, 'deployment', `${repo.owner}/${repo.name} ${env.github}: could not read whether deployment ${deployment.databaseId} (branch ${deployment.ref?.name}) was for a transient environment, so it is taken as what runs: ${this.reason(error)}`);
      return undefined;
    }
  }

  /**
   * Which branches and tags may deploy to an environment with a custom policy: one request, only for such
   * environments. https://docs.github.com/en/rest/deployments/branch-policies#list-deployment-branch-policies
   */
  private async readBranchPolicies(repo: RepoState, env: EnvState): Promise<void> {
    const { owner, name } = repo;
    const environment_name = env.github;
    try {
      const list = await this.list('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', { owner, repo: name, environment_name, per_page: 100 });
      if (!list.every((p) => isObject(p) && typeof p.name === 'string')) throw malformed('GET', `/repos/${owner}/${name}/environments/${environment_name}/deployment-branch-policies`);
      env.branchPolicies = (list as { name: string; type?: unknown }[]).map((p) => (p.type === 'tag' ? `tag:${p.name}` : p.name));
    } catch (error) {
      this.gapFor(repo, env.ledger, 'protection', error);
    }
  }

  private async readVariables(repo: RepoState, env: EnvState): Promise<void> {
    const { owner, name } = repo;
    const environment_name = env.github;
    try {
      // https://docs.github.com/en/rest/actions/variables#list-environment-variables (per_page at most 30)
      const [variables, secrets] = await Promise.all([
        this.list('GET /repos/{owner}/{repo}/environments/{environment_name}/variables', { owner, repo: name, environment_name, per_page: 30 }),
        // https://docs.github.com/en/rest/actions/secrets#list-environment-secrets — names and dates, never values.
        this.list('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { owner, repo: name, environment_name, per_page: 100 }),
      ]);
      const okVars = Array.isArray(variables) && variables.every((v) => isObject(v) && typeof v.name === 'string' && typeof v.value === 'string' && typeof v.updated_at === 'string');
      const okSecrets = Array.isArray(secrets) && secrets.every((s) => isObject(s) && typeof s.name === 'string');
      if (!okVars || !okSecrets) throw malformed('GET', `/repos/${owner}/${name}/environments/${environment_name}/${okVars ? 'secrets' : 'variables'}`);
      for (const item of [...variables, ...secrets] as { name: string; updated_at?: unknown }[]) {
        if (item.updated_at == null) continue;
        const time = checkTime(item.updated_at, repo.bounds ?? this.bounds, `${environment_name} variable or secret ${item.name.slice(0, 100)} updated_at`);
        if (!time.ok) throw new BadRecord(`${owner}/${name}: ${time.reason}`);
      }
      env.variables = { variables: variables as RestVariable[], secrets: (secrets as RestSecret[]).map(({ name: n, created_at, updated_at }) => ({ name: n, created_at, updated_at })) };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return; // no such environment on GitHub: nothing configured there
      this.gapFor(repo, env.ledger, 'config', error);
    }
  }

  /**
   * The run's deployment reviews: from the cache, else from the GraphQL
   * lookups (the run is a check suite on the deployed commit), else from
   * REST, which is also what GitHub documents for it.
   */
  private async readRunApprovals(repo: RepoState, env: EnvState): Promise<void> {
    const deployment = env.active!;
    const runId = runIdOf(deployment);
    if (runId === null) return;
    const key = `approvals:${repo.key}#${runId}`;
    try {
      let reviews = this.cache.fact<RestRunApproval[]>(key) ?? repo.runReviews.get(runId);
      // Only environments with required reviewers produce deployment reviews; skip the request elsewhere.
      if (!reviews && repo.environments && !hasRequiredReviewers(repo.environments.get(environmentKey(env.github)))) reviews = [];
      if (!reviews) {
        // https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run
        const response = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', { owner: repo.owner, repo: repo.name, run_id: runId });
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
      this.cache.keepFact(key, reviews);
      const runUrl = `${repo.repo!.url}/actions/runs/${runId}`;
      env.runApprovals = mapRunApprovals(reviews, env.github, approvalTime(deployment), runUrl);
    } catch (error) {
      this.gapFor(repo, env.ledger, 'approvals', error);
    }
  }

  private async readCompare(repo: RepoState, env: EnvState): Promise<void> {
    const base = env.previous?.commitOid;
    const head = env.active!.commitOid;
    if (!base || base === head) return;
    const key = `compare:${repo.key}#${base}...${head}`;
    try {
      let result = this.cache.fact<CompareResult>(key);
      if (!result) {
        // https://docs.github.com/en/rest/commits/commits#compare-two-commits — commits oldest first, paginated, 250 at most.
        const commits: string[] = [];
        let aheadBy = 0;
        let behindBy = 0;
        let total = 0;
        for (let page = 1; page <= 3; page++) {
          const response = await this.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner: repo.owner, repo: repo.name, basehead: `${base}...${head}`, per_page: 100, page });
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
      this.cache.keepFact(key, result);
      env.compare = result;
      if (result.totalCommits > result.commits.length)
        this.gap(repo.services, env.ledger, 'changes', `only ${result.commits.length} of ${result.totalCommits} commits since the previous deployment were searched for pull requests`);
    } catch (error) {
      this.gapFor(repo, env.ledger, 'changes', error);
    }
  }

  // ---------------------------------------------------------------- phase 4: GraphQL lookups

  private libraries(): Map<string, string> {
    const map = new Map<string, string>();
    for (const s of this.ctx.config.services) {
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

  private async phaseLookups(repos: RepoState[]): Promise<void> {
    const withLibraries = this.libraries().size > 0;
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
        const cached = this.cache.fact(`pulls:${repo.key}#${sha}`);
        // Checked like a fresh answer: the cache file is outside input too.
        if (Array.isArray(cached)) this.keepPulls(repo, sha, cached);
        return !Array.isArray(cached);
      });
      const defaultRef = repo.repo!.defaultBranchRef;
      if (defaultRef?.target) {
        for (const ref of this.releaseRefs(repo)) {
          const key = `branch:${repo.key}#${defaultRef.target.oid}...${ref.target!.oid}`;
          const cached = this.cache.fact<{ aheadBy: number; behindBy: number }>(key);
          if (cached) {
            repo.branchCompares.set(ref.name, cached);
            this.cache.keepFact(key, cached);
          } else compares.push({ base: defaultRef.name, head: ref.name });
        }
      }
      const reviews = new Set<string>();
      for (const env of repo.envs) {
        const runId = env.active ? runIdOf(env.active) : null;
        if (runId !== null && !this.cache.fact(`approvals:${repo.key}#${runId}`)) reviews.add(env.active!.commitOid);
      }
      // Files are not cached on purpose: config files may hold secrets, and the cache file sits beside the ledger.
      const input: LookupInput = { owner: repo.owner, name: repo.name, commits: uncachedCommits.sort(), files: [...files].sort(), compares, reviews: [...reviews].sort() };
      if (lookupWeight(input) > 0) lookups.push({ repo, input });
    }
    const limit = this.options.lookupBatchWeight ?? 1000;
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
    await mapLimit(batches, Math.min(4, this.settings.concurrency), (batch) => this.queryLookups(batch));
    // Who deployed decides separation of duties only against the deployment's own approvals (src/rules/approval.ts): the run is read where there are some.
    const needDeployer = (env: EnvState) => createdByWorkflowToken(env.active?.creator?.login) && (env.runApprovals ?? []).length > 0;
    await Promise.all(
      repos.flatMap((repo) =>
        repo.envs
          .filter((env) => env.active)
          .map(async (env) => {
            await this.readRunApprovals(repo, env);
            if (needDeployer(env)) await this.readDeployer(repo, env);
          }),
      ),
    );
  }

  /**
   * The person behind a deployment made with a workflow's GITHUB_TOKEN: who
   * triggered its run (deployer.ts). One REST request per run, cached by run
   * id, only for deployments with deployment approvals; without it, who
   * deployed is unknown and those approvals cannot be checked for separation
   * of duties, which is a gap.
   */
  private async readDeployer(repo: RepoState, env: EnvState): Promise<void> {
    const deployment = env.active!;
    const runId = runIdOf(deployment);
    const label = `${repo.owner}/${repo.name} ${env.github}: deployment ${deployment.databaseId ?? deployment.commitOid.slice(0, 7)} was made with a workflow's GITHUB_TOKEN (creator ${deployment.creator?.login})`;
    if (runId === null) {
      this.gap(repo.services, env.ledger, 'approvals', `${label} and names no workflow run, so who triggered it is unknown`);
      return;
    }
    const key = `run-actor:${repo.key}#${runId}`;
    try {
      const cached = this.cache.fact<unknown>(key);
      let login = typeof cached === 'string' ? cached : null;
      if (!login) {
        // https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
        const response = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner: repo.owner, repo: repo.name, run_id: runId });
        login = runDeployer(response.data);
        if (!login) throw new BadRecord(`${label}; its run ${runId} names no actor`);
      }
      this.cache.keepFact(key, login);
      env.deployer = capText(this.credentials.scrub(login), capFor('login'));
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        this.gap(repo.services, env.ledger, 'approvals', `${label}; its run ${runId} is gone (404), so who triggered it is unknown`);
        return;
      }
      this.gapFor(repo, env.ledger, 'approvals', error);
    }
  }

  private releaseRefs(repo: RepoState): { name: string; target: { oid: string; committedDate?: string } | null }[] {
    const prefixes = branchPrefixes(this.settings.releaseBranches);
    const refs = prefixes.flatMap((_, j) => {
      const nodes = (repo.repo![`b${j}`] as { nodes?: unknown } | null | undefined)?.nodes;
      return Array.isArray(nodes) ? (nodes.filter((n) => isObject(n) && typeof n.name === 'string' && isObject(n.target)) as { name: string; target: { oid: string; committedDate?: string } }[]) : [];
    });
    return mapBranches('', '', refs, this.settings.releaseBranches, () => ({ aheadBy: 0, behindBy: 0 })).map((b) => refs.find((r) => r.name === b.name)!);
  }

  private async queryLookups(batch: { repo: RepoState; input: LookupInput }[]): Promise<void> {
    const result = await batchedQuery(
      this.octokit,
      batch,
      lookupsQuery(batch.map((b) => b.input)),
      (part) => this.queryLookups(part),
      ({ repo, input }, error) => this.lookupFailed(repo, input, error),
    );
    if (!result) return;
    const { data, errors } = result;
    batch.forEach(({ repo, input }, i) => {
      const block = data?.[`r${i}`];
      if (!isObject(block)) {
        const error = errors.find((e) => e.path?.[0] === `r${i}`);
        this.lookupFailed(repo, input, `GraphQL lookups for ${repo.owner}/${repo.name} returned no data${error?.message ? `: ${error.message.slice(0, 160)}` : ''}`);
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
        this.keepPulls(repo, sha, nodes);
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
          this.gap(repo.services, undefined, 'branches', `could not compare ${c.head} with ${c.base} in ${repo.owner}/${repo.name}`);
          return;
        }
        const counts = { aheadBy: cmp.aheadBy, behindBy: cmp.behindBy };
        repo.branchCompares.set(c.head, counts);
        const target = this.releaseRefs(repo).find((r) => r.name === c.head)?.target?.oid;
        this.cache.keepFact(`branch:${repo.key}#${repo.repo!.defaultBranchRef!.target!.oid}...${target}`, counts);
      });
    });
  }

  /** A commit's pull requests, checked (times, shapes) and capped; what had to be dropped is a problem for the cells that use the commit. */
  private keepPulls(repo: RepoState, sha: string, nodes: readonly unknown[]): void {
    const { pulls, problem } = checkPulls(nodes, repo.bounds ?? this.bounds, (text, key) => capText(this.credentials.scrub(text), capFor(key)));
    repo.pulls.set(sha, pulls);
    if (problem) repo.pullProblems.set(sha, `${repo.owner}/${repo.name}@${sha.slice(0, 7)}: ${problem}`);
    else this.cache.keepFact(`pulls:${repo.key}#${sha}`, pulls);
  }

  private lookupFailed(repo: RepoState, input: LookupInput, error: unknown): void {
    const reason = this.reason(error);
    for (const env of repo.envs) {
      if (!env.active) continue;
      if (input.commits.length > 0) {
        this.gap(repo.services, env.ledger, 'changes', reason);
        this.gap(repo.services, env.ledger, 'approvals', reason);
      }
      if (input.files.some((f) => f.startsWith(`${env.active!.commitOid}:`))) this.gap(repo.services, env.ledger, 'config', reason);
    }
    if (input.compares.length > 0) this.gap(repo.services, undefined, 'branches', reason);
    repo.failed = true;
  }

  // ---------------------------------------------------------------- evidence

  private assemble(state: RepoState): void {
    const repo = state.repo!;
    const source = this.ctx.name;
    const libraries = this.libraries();
    const pattern = this.ctx.config.policies.ticketPattern;
    for (const service of state.services) {
      for (const env of state.envs) {
        try {
          const cell = this.assembleCell(state, service, env, libraries, pattern);
          for (const key of ['history', 'configs', 'deployments', 'changes'] as const) (this.evidence[key] as unknown[]).push(...cell[key]);
        } catch (error) {
          // A record the checks above did not foresee still costs only its cell.
          this.gap(service.name, env.ledger, 'deployment', `${state.owner}/${state.name} ${env.github}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      const defaultRef = repo.defaultBranchRef;
      if (defaultRef) {
        try {
          const refs = this.releaseRefs(state);
          this.evidence.branches.push(...mapBranches(service.name, source, refs, this.settings.releaseBranches, (name) => state.branchCompares.get(name)));
        } catch (error) {
          this.gap(service.name, undefined, 'branches', `${state.owner}/${state.name}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }
  }

  /** The evidence of one service in one environment, whole or not at all (a throw leaves nothing half-recorded). */
  private assembleCell(state: RepoState, service: ServiceConfig, env: EnvState, libraries: Map<string, string>, pattern: string): Evidence {
    const repo = state.repo!;
    const source = this.ctx.name;
    const out = emptyEvidence();
    for (const d of env.deployments) {
      const at = successAt(d);
      if (!at) continue;
      const artifact = artifactOf(d, service.name);
      out.history.push({
        service: service.name,
        environment: env.ledger,
        commit: d.commitOid,
        ...(artifact ? { artifact } : {}),
        version: versionOf(d.commitOid, repo, d.ref, payloadVersion(d, service.name)),
        at: isoUtc(at),
        source,
        url: `${repo.url}/deployments/${encodeURIComponent(env.github)}`,
      });
    }
    if (env.variables) {
      const { values, changedAt } = environmentValues(env.variables.variables, env.variables.secrets);
      out.configs.push({ service: service.name, environment: env.ledger, source, values, origin: 'github:environment', ...(changedAt ? { changedAt } : {}) });
    }
    const active = env.active;
    if (!active) return out;
    const version = versionOf(active.commitOid, repo, active.ref, payloadVersion(active, service.name));
    const deployedAt = isoUtc(active.latestStatus!.createdAt);
    const approvals = [...(env.runApprovals ?? []), ...pullRequestApprovals(state.pulls.get(active.commitOid) ?? [])];
    const pullProblem = state.pullProblems.get(active.commitOid);
    if (pullProblem) this.gap(service.name, env.ledger, 'approvals', pullProblem);
    const ghEnvironment = state.environments?.get(environmentKey(env.github));
    const artifact = artifactOf(active, service.name);
    const deployment: Omit<Deployment, 'promotion'> = {
      service: service.name,
      environment: env.ledger,
      version,
      commit: active.commitOid,
      ...(active.ref?.name ? { ref: active.ref.name } : {}),
      ...(artifact ? { artifact } : {}),
      deployedAt,
      deployedBy: env.deployer ?? active.creator?.login ?? 'unknown',
      source,
      url: active.latestStatus?.logUrl ?? `${repo.url}/deployments/${encodeURIComponent(env.github)}`,
      status: 'success',
      approvals,
      ...(ghEnvironment ? { protection: mapProtection(ghEnvironment, env.branchPolicies) } : {}),
    };
    if (libraries.size > 0) {
      const manifest = state.blobs.get(`${active.commitOid}:package.json`);
      if (manifest) {
        try {
          const components = componentsFrom(manifest, libraries);
          delete components[service.name];
          if (Object.keys(components).length > 0) deployment.components = components;
        } catch (error) {
          this.gap(service.name, env.ledger, 'deployment', `${state.owner}/${state.name}@${active.commitOid.slice(0, 7)}: ${(error as Error).message}`);
        }
      }
    }
    out.deployments.push(deployment);

    const path = configFileFor(service.configFiles, env.ledger)?.replace(/^\.?\//, '');
    if (path) {
      const text = state.blobs.get(`${active.commitOid}:${path}`);
      if (typeof text === 'string') {
        try {
          out.configs.push({ service: service.name, environment: env.ledger, source, values: parseConfigFile(path, text), origin: path, revision: active.commitOid });
        } catch (error) {
          this.gap(service.name, env.ledger, 'config', `${state.owner}/${state.name}@${active.commitOid.slice(0, 7)}: ${(error as Error).message}`);
        }
      } else if (!state.failed) {
        this.gap(service.name, env.ledger, 'config', `${path} not found (or not text) in ${state.owner}/${state.name} at ${active.commitOid.slice(0, 7)}`);
      }
    }

    const prev = env.previous;
    const change: Change = {
      service: service.name,
      environment: env.ledger,
      commit: active.commitOid,
      version,
      fromCommit: prev?.commitOid ?? null,
      fromVersion: prev ? versionOf(prev.commitOid, repo, prev.ref, payloadVersion(prev, service.name)) : null,
      deployedAt,
      pullRequests: [],
      tickets: [],
      source,
    };
    if (env.compare) {
      const changeProblem = env.compare.commits.map((sha) => state.pullProblems.get(sha)).find((p) => p !== undefined);
      if (changeProblem) this.gap(service.name, env.ledger, 'changes', changeProblem);
      const pulls = mapPullRequests(env.compare.commits.flatMap((sha) => state.pulls.get(sha) ?? []));
      change.pullRequests = pulls;
      change.tickets = ticketsIn(pulls, pattern);
    }
    if (!prev || prev.commitOid === active.commitOid || env.compare) out.changes.push(change);
    return out;
  }

  /**
   * A copy of anything about to be stored (evidence, the cache) with every
   * credential scrubbed, then every string capped (collectors/shared/caps.ts);
   * scrubbed first, so a cut never leaves part of a credential behind.
   */
  private bounded<T>(value: T): T {
    return capStrings(this.credentials.scrubDeep(value));
  }

  private finish(): Evidence {
    const e = this.bounded(this.evidence);
    const by = (...keys: string[]) => (a: object, b: object) => {
      for (const k of keys) {
        const x = String((a as Record<string, unknown>)[k] ?? '');
        const y = String((b as Record<string, unknown>)[k] ?? '');
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
    e.deployments.sort(by('service', 'environment'));
    e.history.sort(by('service', 'environment', 'at', 'commit'));
    e.configs.sort(by('service', 'environment', 'origin'));
    e.branches.sort(by('service', 'name'));
    e.changes.sort(by('service', 'environment'));
    e.gaps.sort(by('service', 'environment', 'evidence', 'reason'));
    return e;
  }

  // ---------------------------------------------------------------- gaps and cache

  private gap(services: string | ServiceConfig[], environment: string | undefined, evidence: Kind, reason: string): void {
    const names = typeof services === 'string' ? [services] : services.map((s) => s.name);
    for (const service of names) {
      const key = `${service}\u0000${environment ?? ''}\u0000${evidence}`;
      if (this.gapKeys.has(key)) continue;
      this.gapKeys.add(key);
      this.evidence.gaps.push({ source: this.ctx.name, service, ...(environment ? { environment } : {}), evidence, reason: scrub(reason, this.credentials) });
    }
  }

  private gapFor(repo: RepoState, environment: string | undefined, evidence: Kind, error: unknown): void {
    this.gap(repo.services, environment, evidence, this.reason(error));
  }

  private reason(error: unknown): string {
    if (typeof error === 'string') return error;
    if (error instanceof BudgetExhausted || error instanceof BadRecord || error instanceof PaginationLoop) return scrub(error.message, this.credentials);
    return describeError(error, this.credentials);
  }

  private repoFailed(repo: RepoState, evidence: Kind, error: unknown): void {
    repo.failed = true;
    this.gapFor(repo, undefined, evidence, error);
  }

  private allGaps(repos: RepoState[], reason: string): void {
    for (const repo of repos) this.gap(repo.services, undefined, 'all', reason);
  }

  private async saveCache(): Promise<void> {
    await this.cache.save(
      (value) => this.bounded(value),
      (reason) => this.ctx.progress(`github: could not write the ETag cache ${this.settings.cacheFile}: ${reason}`),
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDeployment(value: unknown): value is GqlDeployment {
  return isObject(value) && typeof value.commitOid === 'string' && typeof value.createdAt === 'string';
}

function malformed(method: string, path: string): Error {
  return Object.assign(new Error('malformed response body (not the JSON GitHub documents)'), { request: { method, url: `https://api.invalid${path}` } });
}
