/**
 * The one GitHub client every reader of GitHub uses (the `github` source and
 * the gitops source's `repo` mode): credentials (a token or a GitHub App),
 * the pinned REST API version, throttling and retries, and the request
 * concerns, each in a small file beside this one as Octokit plugins keep
 * theirs: concurrency, per-request timeout, spent rate limits, the shared
 * budget and deadline (`../budget.ts`) and the body cap (`../capped-fetch.ts`).
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { GitHubSourceConfig, SourceContext } from '../../../src/model/index.ts';
import { INPUT_LIMITS } from '../../../src/model/input-limits.ts';
import { Credentials } from '../../shared/credentials.ts';
import { RequestBudget, sharedBudget } from '../budget.ts';
import { cappedFetch } from '../capped-fetch.ts';
import { tokenHelp } from '../errors.ts';
import { limitConcurrency } from './concurrency.ts';
import { SpentRateLimits } from './rate-limit.ts';
import { withTimeout } from './timeout.ts';

export { ResponseCache } from './etag-cache.ts';

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface GitHubClientOptions {
  /** Milliseconds per second of `retry-after` and of retry back-off (default 1000); tests pass ~1 so nothing sleeps for real. */
  retryBaseMs?: number;
  /** Longest primary-rate-limit wait accepted, in seconds (default 300); longer waits become gaps. */
  maxRateLimitWaitSeconds?: number;
  /** Names the reader in progress lines (default "github"). */
  label?: string;
}

const API_VERSION = '2022-11-28';

const GitHubOctokit = Octokit.plugin(throttling, retry);

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** An authenticated Octokit for a GitHub source, with throttling, retries and the pinned API version. */
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

/**
 * Builds the Octokit a GitHub source uses, from its settings and the collect
 * context: a token from `env[settings.tokenEnv]` or a GitHub App, the
 * source's `baseUrl`, the throttling and retry plugins, and the pinned REST
 * API version. Other sources that read through a GitHub source (the gitops
 * `repo` mode) use it so they authenticate and back off the same way.
 * `secrets` are the credential strings to scrub from any message; `reason`
 * (when no credentials are configured) is a one-line fix.
 */
export function createGitHubClient(
  settings: GitHubSourceConfig,
  context: Pick<SourceContext, 'env' | 'fetch' | 'progress' | 'config' | 'now'>,
  options: GitHubClientOptions = {},
): { ok: true; octokit: GitHubClient; secrets: string[]; credentials: Credentials; budget: RequestBudget; requests: () => number } | { ok: false; reason: string } {
  const { env } = context;
  const secrets: string[] = [];
  const app = settings.app;
  let auth: Record<string, unknown> | string | undefined;
  if (app) {
    const appId = env[app.appIdEnv];
    const privateKey = env[app.privateKeyEnv]?.replace(/\\n/g, '\n');
    const installationId = env[app.installationIdEnv];
    const missing = [
      !appId && app.appIdEnv,
      !privateKey && app.privateKeyEnv,
      !installationId && app.installationIdEnv,
    ].filter(Boolean);
    if (missing.length > 0) {
      return { ok: false, reason: `GitHub App credentials missing: set ${missing.join(', ')} (the App needs read access to actions, contents, deployments, environments, metadata and pull requests)` };
    }
    secrets.push(privateKey!);
    auth = { appId: Number(appId) || appId!, privateKey: privateKey!, installationId: Number(installationId) || installationId! };
  } else {
    const token = env[settings.tokenEnv];
    if (!token) return { ok: false, reason: tokenHelp(settings.baseUrl, settings.tokenEnv, settings.variables) };
    secrets.push(token);
    auth = token;
  }

  const base = options.retryBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 300;
  const label = options.label ?? 'github';
  const progress = context.progress;
  const credentials = new Credentials(secrets);
  // One budget and one deadline per credential and run, shared with every other reader of this token (collectors/github/budget.ts).
  const budget = sharedBudget(context, secrets[0]!, () => new RequestBudget(settings.maxRequests, settings.deadlineSeconds));
  // The request concerns, outermost first: at most `concurrency` in flight; a spent rate limit answered
  // locally; each request counted and given its timeout; every answer read whole up to its cap before
  // Octokit parses it (docs/guarantees.md, "Bounded input").
  const spent = new SpentRateLimits(maxWait);
  let requests = 0;
  const counted = ((input: RequestInfo | URL, init?: RequestInit) => {
    requests += 1;
    return context.fetch(input, init);
  }) as typeof globalThis.fetch;
  const inner = cappedFetch(limitConcurrency(spent.wrap(withTimeout(counted, settings.timeoutMs)), settings.concurrency), INPUT_LIMITS.githubResponseBytes);
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    // Installation tokens (and the App's JWT) are made during the run: learn each from the header that carries it, so it is scrubbed too.
    const headers = init?.headers;
    const authorization = headers instanceof Headers ? headers.get('authorization') : (headers as Record<string, string> | undefined)?.authorization;
    if (typeof authorization === 'string') credentials.add(authorization);
    budget.sent();
    const deadline = AbortSignal.timeout(Math.max(1, budget.remainingMs()));
    return inner(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  }) as typeof globalThis.fetch;
  const octokit = new GitHubOctokit({
    baseUrl: settings.baseUrl.replace(/\/+$/, ''),
    ...(typeof auth === 'string' ? { auth } : { authStrategy: createAppAuth, auth }),
    userAgent: 'release-ledger',
    log: silentLog,
    request: { fetch },
    // https://github.com/octokit/plugin-throttling.js — retryAfterBaseValue is ms per second of wait, injectable for tests.
    throttle: {
      retryAfterBaseValue: base,
      // The plugin spaces every "write" 1 s apart in one queue per process, and counts every GraphQL
      // POST as a write. This collector never writes: its GraphQL requests are read-only queries,
      // which GitHub limits by points and concurrency, not by that spacing
      // (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
      // So the write queue lets them through; rate-limit answers are still retried by the plugin.
      // Typed as a Bottleneck.Group; only key().schedule(options, task) is used by the plugin.
      write: { key: () => ({ schedule: <T>(_options: unknown, task: () => Promise<T>) => task() }) } as never,
      onRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => {
        // Primary limit: wait for the reset when it is near, else give up and record gaps.
        // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit
        if (retryCount > 0 || retryAfter > maxWait) return false;
        progress(`${label}: primary rate limit reached, waiting ${retryAfter}s for the reset`);
        return true;
      },
      onSecondaryRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => {
        // Secondary limit: honour retry-after, twice at most.
        // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-secondary-rate-limit
        if (retryCount > 1) return false;
        progress(`${label}: secondary rate limit, retrying after ${retryAfter}s`);
        return true;
      },
    },
    retry: { retryAfterBaseValue: base, retries: 2 },
  });
  // Pin the REST API version: https://docs.github.com/en/rest/about-the-rest-api/api-versions
  octokit.hook.before('request', (options) => {
    options.headers['x-github-api-version'] = API_VERSION;
    spent.check(String(options.url));
  });
  // Taken when a request is asked (synchronously, so concurrent requests cannot overshoot); retries and waits stop at the deadline.
  octokit.hook.wrap('request', (request, requestOptions) => {
    budget.ask();
    return budget.race(Promise.resolve(request(requestOptions)));
  });
  return { ok: true, octokit, secrets, credentials, budget, requests: () => requests };
}
