/**
 * The GitHub source: deployments, approvals, protection rules, environment
 * variables, release branches, changes and config files from GitHub or GitHub
 * Enterprise Server. This file runs the phases below (phase-*.ts do their
 * requests, with the client in client/); what a run knows is in state.ts,
 * and turning it into evidence is plain functions (assemble.ts over map.ts,
 * payload.ts, version.ts, deployer.ts).
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
 *     run id and never asked again. Then who triggered the new runs of
 *     GITHUB_TOKEN deployments with deployment approvals: one list of the
 *     repository's runs for two or more, else (and for what the list lacks)
 *     `GET /repos/{o}/{r}/actions/runs/{id}`; cached by run id.
 *
 * Every request draws on one budget (`maxRequests`) and one deadline
 * (`deadlineSeconds`) per token and run, shared with the gitops source's
 * `repo` mode (`collectors/github/budget.ts`). Answers are not trusted:
 * each is read to 16 MiB at most (`capped-fetch.ts`), times are checked, a bad record is a gap for its cell, strings are scrubbed
 * of every credential and capped before anything is stored (docs/guarantees.md,
 * "When the API lies").
 */
import { resolve } from 'node:path';
import type { Collector, Evidence, GitHubSourceConfig, ServiceConfig, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { assembleCell } from './assemble.ts';
import { isObject, malformed } from './shape.ts';
import { phaseRepositories } from './phase-repositories.ts';
import { phaseRest } from './phase-rest.ts';
import { librariesOf, phaseLookups, releaseRefs } from './phase-lookups.ts';
import { planRepositories, type Kind, type RepoState } from './state.ts';
import { createGitHubClient, ResponseCache, type GitHubClient, type GitHubClientOptions } from './client/index.ts';
import { capStrings } from '../shared/caps.ts';
import { Credentials } from '../shared/credentials.ts';
import { isSecretKey, looksLikeSecretValue } from '../../src/model/redact.ts';
import {
  BadRecord,
  BudgetExhausted,
  PaginationLoop,
  eventBounds,
  describeError,
  scrub,
  mapBranches,
} from './index.ts';
import type {
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

export class GitHubRun {
  readonly settings: GitHubSourceConfig;
  readonly evidence: Evidence = emptyEvidence();
  readonly gapKeys = new Set<string>();
  /** Every credential in use (the token or App key, and installation tokens as they are made); see collectors/shared/credentials.ts. */
  credentials = new Credentials();
  /** The window a GitHub event's time must fall in to be evidence. */
  readonly bounds: TimeBounds;
  cache: ResponseCache;
  /** HTTP requests sent so far (retries and token exchanges included). */
  requests: () => number = () => 0;
  octokit!: GitHubClient;

  readonly ctx: SourceContext<GitHubSourceConfig>;
  readonly options: GitHubCollectorOptions;

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
    await phaseRepositories(this, repos);
    await Promise.all(repos.filter((r) => r.repo).map((r) => phaseRest(this, r)));
    await phaseLookups(this, repos.filter((r) => r.repo));
    for (const repo of repos) if (repo.repo) this.assemble(repo);
    await this.saveCache();
    this.ctx.progress(`github: done, ${this.requests()} requests`);
    return this.finish();
  }

  // ---------------------------------------------------------------- setup

  plan(): RepoState[] {
    return planRepositories(this.ctx, this.settings, (service, reason) => this.gap(service, undefined, 'all', reason));
  }

  /** Builds the Octokit client; false (with gaps) when no credentials are configured. */
  connect(repos: RepoState[]): boolean {
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
   * list `data` in place), or nothing for a workflow run list (never asked
   * twice) or a variables list holding a secret-looking value. The cache
   * sits beside the ledger and may be kept by CI, and secret values are never
   * stored anywhere, not even as a hash: such a list is asked again in full
   * each night, and redaction fingerprints it with the ledger key like any
   * other value.
   */
  cacheSafe(url: string, data: unknown): unknown {
    // A repository's run list names that night's newest deployment in its URL, so it is never asked again (phase-lookups.ts): not kept.
    if (/\/actions\/runs\?/.test(url)) return undefined;
    const copy = structuredClone(data);
    if (!/\/variables(\?|$)/.test(url) || !isObject(copy) || !Array.isArray((copy as { variables?: unknown }).variables)) return copy;
    const patterns = [...this.ctx.config.policies.secretKeys, ...this.ctx.config.services.flatMap((s) => s.secretKeys)];
    const secret = (copy as { variables: { name?: unknown; value?: unknown }[] }).variables.some(
      (variable) => typeof variable?.name === 'string' && typeof variable.value === 'string' && (isSecretKey(variable.name, patterns) || looksLikeSecretValue(variable.value)),
    );
    return secret ? undefined : copy;
  }

  // ---------------------------------------------------------------- phase 1: GraphQL per repository





  // ---------------------------------------------------------------- phase 2–3: REST









  // ---------------------------------------------------------------- phase 4: GraphQL lookups








  // ---------------------------------------------------------------- evidence

  assemble(state: RepoState): void {
    const repo = state.repo!;
    const source = this.ctx.name;
    const libraries = librariesOf(this);
    const pattern = this.ctx.config.policies.ticketPattern;
    for (const service of state.services) {
      for (const env of state.envs) {
        try {
          const cell = assembleCell({ state, service, env, libraries, ticketPattern: pattern, source }, (evidence, reason) => this.gap(service.name, env.ledger, evidence, reason));
          for (const key of ['history', 'configs', 'deployments', 'changes'] as const) (this.evidence[key] as unknown[]).push(...cell[key]);
          if (cell.passedOver?.length) (this.evidence.passedOver ??= []).push(...cell.passedOver);
        } catch (error) {
          // A record the checks above did not foresee still costs only its cell.
          this.gap(service.name, env.ledger, 'deployment', `${state.owner}/${state.name} ${env.github}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      const defaultRef = repo.defaultBranchRef;
      if (defaultRef) {
        try {
          const refs = releaseRefs(this, state);
          this.evidence.branches.push(...mapBranches(service.name, source, refs, this.settings.releaseBranches, (name) => state.branchCompares.get(name)));
        } catch (error) {
          this.gap(service.name, undefined, 'branches', `${state.owner}/${state.name}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }
  }

  /**
   * A copy of anything about to be stored (evidence, the cache) with every
   * credential scrubbed, then every string capped (collectors/shared/caps.ts);
   * scrubbed first, so a cut never leaves part of a credential behind.
   */
  bounded<T>(value: T): T {
    return capStrings(this.credentials.scrubDeep(value));
  }

  finish(): Evidence {
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
    e.passedOver?.sort(by('service', 'environment', 'createdAt', 'commit'));
    return e;
  }

  // ---------------------------------------------------------------- gaps and cache

  gap(services: string | ServiceConfig[], environment: string | undefined, evidence: Kind, reason: string): void {
    const names = typeof services === 'string' ? [services] : services.map((s) => s.name);
    for (const service of names) {
      const key = `${service}\u0000${environment ?? ''}\u0000${evidence}`;
      if (this.gapKeys.has(key)) continue;
      this.gapKeys.add(key);
      this.evidence.gaps.push({ source: this.ctx.name, service, ...(environment ? { environment } : {}), evidence, reason: scrub(reason, this.credentials) });
    }
  }

  gapFor(repo: RepoState, environment: string | undefined, evidence: Kind, error: unknown): void {
    this.gap(repo.services, environment, evidence, this.reason(error));
  }

  reason(error: unknown): string {
    if (typeof error === 'string') return error;
    if (error instanceof BudgetExhausted || error instanceof BadRecord || error instanceof PaginationLoop) return scrub(error.message, this.credentials);
    return describeError(error, this.credentials);
  }

  repoFailed(repo: RepoState, evidence: Kind, error: unknown): void {
    repo.failed = true;
    this.gapFor(repo, undefined, evidence, error);
  }

  allGaps(repos: RepoState[], reason: string): void {
    for (const repo of repos) this.gap(repo.services, undefined, 'all', reason);
  }

  async saveCache(): Promise<void> {
    await this.cache.save(
      (value) => this.bounded(value),
      (reason) => this.ctx.progress(`github: could not write the ETag cache ${this.settings.cacheFile}: ${reason}`),
    );
  }
}
