/**
 * A GitHub-compatible server on 127.0.0.1, for the demo, the tests and the
 * benchmarks. It serves an in-memory organisation (a `Scenario`) under
 * `/api/v3` like GitHub Enterprise Server (and at the root like
 * api.github.com), plus GraphQL at `/api/graphql` (and `/graphql`).
 *
 * GraphQL is executed by graphql-js against GitHub's own published schema
 * (`@octokit/graphql-schema`), so a query the real API would reject fails
 * here too and every GraphQL answer has GitHub's shape. REST answers are
 * recorded in `served` so the tests can validate each one against GitHub's
 * OpenAPI description (`@octokit/openapi`).
 *
 * It lives here, beside the demo organisation, and not in `src/`: it is a
 * stand-in for GitHub that `npm run demo` runs (scripts/demo.mjs), not part
 * of the product, and it needs development dependencies (graphql, the schema
 * package). `tests/helpers/github-server.ts` re-exports it for the tests.
 *
 * The scenario may be replaced between requests (`server.scenario = next`):
 * the demo moves its organisation one simulated night at a time.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { schema as githubSchema } from '@octokit/graphql-schema';
import { buildClientSchema, graphql, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { listenOnLoopback } from './listen.ts';

// ---------------------------------------------------------------- scenario

export interface ScenarioCommit {
  sha: string;
  parents: string[];
  /** ISO time. */
  date: string;
  message: string;
  /** Files changed by this commit (path -> content, `null` deletes); a commit sees its ancestors' files too. */
  files?: Record<string, string | null>;
  /** Author (default "Dev"); `date` is then the committer date, `authorDate` the author's. */
  author?: { name: string; email: string };
  /** Committer (default: the author). */
  committer?: { name: string; email: string };
  /** ISO author time (default: `date`). */
  authorDate?: string;
}

export interface ScenarioStatus {
  state: 'queued' | 'in_progress' | 'waiting' | 'success' | 'failure' | 'error' | 'inactive' | 'pending';
  createdAt: string;
  logUrl?: string;
}

export interface ScenarioDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  creator: string;
  createdAt: string;
  /** An object, or a string: a payload some tools send as JSON text inside JSON (double-encoded); GitHub keeps it as that string. */
  payload?: Record<string, unknown> | string;
  /** `transient_environment` (default false): made for an environment that goes away, such as a preview. */
  transient?: boolean;
  statuses: ScenarioStatus[];
}

export interface ScenarioEnvironment {
  name: string;
  reviewers?: { type: 'User' | 'Team'; login: string }[];
  preventSelfReview?: boolean;
  waitTimer?: number;
  branchPolicy?: 'protected' | 'custom' | null;
  /** With `branchPolicy: 'custom'`: the name patterns branches (or tags) must match to deploy here. */
  branchPolicies?: { name: string; type?: 'branch' | 'tag' }[];
  variables?: { name: string; value: string; updatedAt: string }[];
  secrets?: { name: string; updatedAt: string }[];
}

export interface ScenarioRun {
  id: number;
  /** Who started the run's first attempt (default `octocat`). */
  actor?: string;
  /** Who started the latest attempt (default: the actor); differs on a re-run. */
  triggeringActor?: string;
  /** What triggered it (default `push`). */
  event?: string;
  /** The branch it ran on (default: the repository's default branch). */
  headBranch?: string;
  /** ISO time it was created (default: its deployment's time); a run no deployment links, such as a CI run, needs it to be listed. */
  createdAt?: string;
  approvals: { state: 'approved' | 'rejected'; user: string; comment: string; environments: string[] }[];
}

export interface ScenarioPull {
  number: number;
  title: string;
  headRef: string;
  author: string;
  mergedBy?: string;
  mergedAt?: string;
  /** Commits the pull request brought (its commits and merge commit). */
  commits: string[];
  reviews: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED'; submittedAt: string }[];
}

export interface ScenarioRepo {
  owner: string;
  name: string;
  id: number;
  /** ISO time the repository was created (default: 2008-04-10, GitHub's launch). */
  createdAt?: string;
  defaultBranch: string;
  /** Branch name -> head sha. */
  branches: Record<string, string>;
  commits: ScenarioCommit[];
  deployments: ScenarioDeployment[];
  environments: ScenarioEnvironment[];
  runs: ScenarioRun[];
  pulls: ScenarioPull[];
  releases: { tag: string; sha: string; createdAt: string; draft?: boolean; prerelease?: boolean }[];
  tags: { name: string; sha: string; annotated?: boolean }[];
  /** Entries a recursive tree lists before it is `truncated` (GitHub: 100,000 entries or 7 MB). */
  treeLimit?: number;
  /** Bytes of a blob's `text` GraphQL returns before it says `isTruncated` (default: no limit). */
  blobTextLimit?: number;
  /** GraphQL fields that fail for one path (a partial error, as GitHub answers when one object times out). */
  brokenPaths?: { path: string; field: 'blob' | 'history'; message: string }[];
}

export interface Scenario {
  repos: ScenarioRepo[];
  /** Tokens the server accepts; empty accepts any. */
  tokens?: string[];
  /** A GitHub App whose JWTs the server verifies before issuing installation tokens. */
  app?: { id: number; installationId: number; publicKeyPem: string; token: string };
}

// ---------------------------------------------------------------- faults and log

export interface Fault {
  /** Matches `METHOD /path` (path without the `/api/v3` prefix, with query). */
  match: RegExp;
  kind: 'secondary-limit' | 'status' | 'malformed' | 'truncated' | 'content-type' | 'primary-limit';
  status?: number;
  /** How many times it fires (default: always). */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  /** Path without the API prefix, with query. */
  path: string;
  /** The raw path as requested (with prefix). */
  rawPath: string;
  status: number;
  /** OpenAPI path template for REST, `graphql` for GraphQL. */
  operation: string;
}

export interface ServedPayload {
  method: string;
  operation: string;
  status: number;
  body: unknown;
}

export interface GitHubServer {
  url: string;
  /** `${url}/api/v3`, the GHES-style REST root. */
  baseUrl: string;
  scenario: Scenario;
  log: LoggedRequest[];
  /** Every distinct REST payload served successfully, for OpenAPI validation (grows with every distinct payload; `clear()` it in long runs). */
  served: Map<string, ServedPayload>;
  faults: Fault[];
  latencyMs: number;
  close(): Promise<void>;
}

const RATE_RESET = 1_900_000_000;

let cachedSchema: GraphQLSchema | undefined;
/** GitHub's GraphQL schema, built once per process (it is large). */
export function githubGraphQLSchema(): GraphQLSchema {
  const json = githubSchema.json as unknown as { data?: IntrospectionQuery } & IntrospectionQuery;
  cachedSchema ??= buildClientSchema(json.data ?? json);
  return cachedSchema;
}

/**
 * Starts the server on 127.0.0.1: on `port` when given (the demo's fixed
 * port; rejects with EADDRINUSE when taken), else on a free port.
 */
export async function startGitHubServer(scenario: Scenario, options: { latencyMs?: number; faults?: Fault[]; port?: number } = {}): Promise<GitHubServer> {
  const schema = githubGraphQLSchema();
  const state: GitHubServer = {
    url: '',
    baseUrl: '',
    scenario,
    log: [],
    served: new Map(),
    faults: options.faults ?? [],
    latencyMs: options.latencyMs ?? 0,
    close: async () => {},
  };
  let remaining = 5000;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `local GitHub server error: ${(error as Error).message}` }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const url = new URL(rawPath, 'http://127.0.0.1');
    const isGraphQL = url.pathname === '/api/graphql' || url.pathname === '/graphql';
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '') + url.search;
    const pathname = path.split('?')[0]!;
    const origin = state.url;
    const apiRoot = url.pathname.startsWith('/api/') ? `${origin}/api/v3` : origin;
    const log = (status: number, operation: string) => state.log.push({ method, path, rawPath, status, operation });
    const rate = () => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(RATE_RESET), 'x-ratelimit-resource': isGraphQL ? 'graphql' : 'core' });

    const fault = state.faults.find((f) => f.match.test(`${method} ${isGraphQL ? '/graphql' : path}`) && (f.times ?? Infinity) > 0);
    if (fault) {
      fault.times = (fault.times ?? Infinity) - 1;
      const send = (status: number, headers: Record<string, string>, text: string) => {
        res.writeHead(status, { ...rate(), ...headers });
        res.end(text);
        log(status, 'fault');
      };
      switch (fault.kind) {
        case 'secondary-limit':
          // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-secondary-rate-limit
          return send(403, { 'content-type': 'application/json', 'retry-after': '1' }, JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }));
        case 'primary-limit':
          res.writeHead(403, { 'content-type': 'application/json', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) });
          res.end(JSON.stringify({ message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }));
          log(403, 'fault');
          return;
        case 'status':
          return send(fault.status ?? 502, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Server Error' }));
        case 'malformed':
          return send(200, { 'content-type': 'application/json; charset=utf-8' }, '{"total_count": 1, "environments": [ {"name": ');
        case 'content-type':
          return send(200, { 'content-type': 'text/html; charset=utf-8' }, '<html><body>Unicorn!</body></html>');
        case 'truncated': {
          res.writeHead(200, { ...rate(), 'content-type': 'application/json', 'content-length': '4096' });
          res.write('{"total_count": 3, "vari');
          log(200, 'fault');
          res.destroy();
          return;
        }
      }
    }

    if (isGraphQL) {
      if (!authorised(req)) return json(401, { message: 'Bad credentials' }, 'graphql');
      const { query, variables } = JSON.parse(body || '{}') as { query: string; variables?: Record<string, unknown> };
      const result = await graphql({ schema, source: query, rootValue: rootValue(state.scenario, origin), variableValues: variables ?? null });
      const errors = result.errors?.map((e) => ({ ...e.toJSON(), ...(e.originalError && 'type' in e.originalError ? { type: (e.originalError as { type: string }).type } : {}) }));
      remaining -= 1;
      return json(200, { data: result.data ?? null, ...(errors ? { errors } : {}) }, 'graphql');
    }

    // GitHub App installation token: https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
    const tokenMatch = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(pathname);
    if (method === 'POST' && tokenMatch) {
      const app = state.scenario.app;
      const jwt = (req.headers.authorization ?? '').replace(/^bearer\s+/i, '');
      if (!app || Number(tokenMatch[1]) !== app.installationId || !verifyJwt(jwt, app.publicKeyPem, app.id)) {
        return json(401, { message: 'A JSON web token could not be decoded' }, '/app/installations/{installation_id}/access_tokens');
      }
      const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return json(201, { token: app.token, expires_at: expires, permissions: { actions: 'read', contents: 'read', deployments: 'read', metadata: 'read', pull_requests: 'read' }, repository_selection: 'all' }, '/app/installations/{installation_id}/access_tokens', 'POST');
    }

    if (!authorised(req)) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, 'auth');
    if (method !== 'GET') return json(404, { message: 'Not Found' }, 'unknown');
    const route = routeRest(state.scenario, pathname, url.searchParams, apiRoot);
    if (!route) return json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }, 'unknown');
    if (route.status !== 200) return json(route.status, route.body, route.operation);

    // Link-header pagination: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
    let payload = route.body;
    const headers: Record<string, string> = {};
    if (route.paginate) {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, route.paginate.max);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const items = route.paginate.items;
      const pages = Math.max(1, Math.ceil(items.length / perPage));
      const slice = items.slice((page - 1) * perPage, page * perPage);
      payload = route.paginate.wrap(slice, items.length);
      const link = (p: number, rel: string) => {
        const next = new URL(`${apiRoot}${pathname}`);
        url.searchParams.forEach((v, k) => next.searchParams.set(k, v));
        next.searchParams.set('page', String(p));
        next.searchParams.set('per_page', String(perPage));
        return `<${next.toString()}>; rel="${rel}"`;
      };
      const links: string[] = [];
      if (page < pages) links.push(link(page + 1, 'next'), link(pages, 'last'));
      if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
      if (links.length > 0) headers.link = links.join(', ');
    }
    const text = JSON.stringify(payload);
    // Conditional requests: https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
    const etag = `W/"${createHash('sha256').update(text).update(headers.link ?? '').digest('hex').slice(0, 40)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...rate(), etag, ...headers });
      res.end();
      log(304, route.operation);
      return;
    }
    remaining -= 1;
    const key = `GET ${route.operation} ${createHash('sha256').update(text).digest('hex')}`;
    if (!state.served.has(key)) state.served.set(key, { method: 'GET', operation: route.operation, status: 200, body: payload });
    res.writeHead(200, { ...rate(), 'content-type': 'application/json; charset=utf-8', etag, ...headers });
    res.end(text);
    log(200, route.operation);

    function json(status: number, data: unknown, operation: string, servedMethod?: string): void {
      const text = JSON.stringify(data);
      if (servedMethod && status < 300) {
        const key = `${servedMethod} ${operation} ${createHash('sha256').update(text).digest('hex')}`;
        if (!state.served.has(key)) state.served.set(key, { method: servedMethod, operation, status, body: data });
      }
      res.writeHead(status, { ...rate(), 'content-type': 'application/json; charset=utf-8' });
      res.end(text);
      log(status, operation);
    }
  }

  function authorised(req: IncomingMessage): boolean {
    const { tokens, app } = state.scenario;
    const accepted = [...(tokens ?? []), ...(app ? [app.token] : [])];
    if (accepted.length === 0) return true;
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^(token|bearer)\s+/i, '');
    return accepted.includes(token);
  }

  const port = await listenOnLoopback(server, options.port);
  state.url = `http://127.0.0.1:${port}`;
  state.baseUrl = `${state.url}/api/v3`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A request's whole body as text (also used by the reliability suite's fault proxy). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Checks an App JWT as GitHub does: RS256, `iss` = app id, `exp` within 10 minutes of `iat`. https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app */
function verifyJwt(jwt: string, publicKeyPem: string, appId: number): boolean {
  const parts = jwt.split('.');
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown; iat?: number; exp?: number };
    if (header.alg !== 'RS256' || String(payload.iss) !== String(appId)) return false;
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number' || payload.exp - payload.iat > 660) return false;
    return verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(publicKeyPem), Buffer.from(parts[2]!, 'base64url'));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- git model

function commitMap(repo: ScenarioRepo): Map<string, ScenarioCommit> {
  return new Map(repo.commits.map((c) => [c.sha, c]));
}

/** Every commit reachable from `sha`, itself included. */
function ancestors(repo: ScenarioRepo, sha: string): Set<string> {
  const commits = commitMap(repo);
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !commits.has(next)) continue;
    seen.add(next);
    stack.push(...commits.get(next)!.parents);
  }
  return seen;
}

function resolveRef(repo: ScenarioRepo, ref: string): string | undefined {
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  return repo.branches[name] ?? repo.tags.find((t) => t.name === name)?.sha ?? repo.commits.find((c) => c.sha === ref || (ref.length >= 7 && c.sha.startsWith(ref)))?.sha;
}

/** The commits reachable from `head`, newest first, only those changing `path` when given (`git log head -- path`). */
function history(repo: ScenarioRepo, head: string, path?: string | null): ScenarioCommit[] {
  const reachable = ancestors(repo, head);
  return repo.commits.filter((c) => reachable.has(c.sha) && (!path || Object.hasOwn(c.files ?? {}, path))).sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
}

/** Files visible at a commit: its own over its ancestors', oldest first. */
function filesAt(repo: ScenarioRepo, sha: string): Record<string, string> {
  const reachable = ancestors(repo, sha);
  const ordered = repo.commits.filter((c) => reachable.has(c.sha)).sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  const files: Record<string, string> = {};
  for (const c of ordered) {
    for (const [path, text] of Object.entries(c.files ?? {})) {
      if (text === null) delete files[path];
      else files[path] = text;
    }
  }
  return files;
}

function compareCommits(repo: ScenarioRepo, base: string, head: string) {
  const fromBase = ancestors(repo, base);
  const fromHead = ancestors(repo, head);
  const ahead = repo.commits.filter((c) => fromHead.has(c.sha) && !fromBase.has(c.sha)).sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  const behind = repo.commits.filter((c) => fromBase.has(c.sha) && !fromHead.has(c.sha));
  return { ahead, behindBy: behind.length };
}

// ---------------------------------------------------------------- REST payloads (shapes per the OpenAPI description)

export function simpleUser(login: string, origin = 'https://api.github.com') {
  const id = [...login].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 1_000_000, 7);
  const api = `${origin}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.example.test/u/${id}`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.example.test/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

function team(slug: string, origin: string) {
  const id = [...slug].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 1_000_000, 11);
  return {
    id,
    node_id: `T_${id}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    permission: 'pull',
    url: `${origin}/teams/${id}`,
    html_url: `https://github.example.test/orgs/acme/teams/${slug}`,
    members_url: `${origin}/teams/${id}/members{/member}`,
    repositories_url: `${origin}/teams/${id}/repos`,
    type: 'organization',
    parent: null,
  };
}

function environmentPayload(repo: ScenarioRepo, env: ScenarioEnvironment, index: number, origin: string) {
  const id = repo.id * 100 + index;
  const rules: unknown[] = [];
  if (env.waitTimer) rules.push({ id: id * 10 + 1, node_id: `GA_${id}1`, type: 'wait_timer', wait_timer: env.waitTimer });
  if (env.reviewers?.length)
    rules.push({
      id: id * 10 + 2,
      node_id: `GA_${id}2`,
      prevent_self_review: env.preventSelfReview ?? false,
      type: 'required_reviewers',
      reviewers: env.reviewers.map((r) => ({ type: r.type, reviewer: r.type === 'Team' ? team(r.login, origin) : simpleUser(r.login, origin) })),
    });
  if (env.branchPolicy) rules.push({ id: id * 10 + 3, node_id: `GA_${id}3`, type: 'branch_policy' });
  return {
    id,
    node_id: `EN_${id}`,
    name: env.name,
    url: `${origin}/repos/${repo.owner}/${repo.name}/environments/${encodeURIComponent(env.name)}`,
    html_url: `https://github.example.test/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-06-01T00:00:00Z',
    protection_rules: rules,
    deployment_branch_policy: env.branchPolicy ? { protected_branches: env.branchPolicy === 'protected', custom_branch_policies: env.branchPolicy === 'custom' } : null,
  };
}

function commitPayload(repo: ScenarioRepo, commit: ScenarioCommit, origin: string) {
  const api = `${origin}/repos/${repo.owner}/${repo.name}`;
  const web = `https://github.example.test/${repo.owner}/${repo.name}`;
  const author = { ...(commit.author ?? { name: 'Dev', email: 'dev@example.test' }), date: commit.authorDate ?? commit.date };
  const committer = { ...(commit.committer ?? commit.author ?? { name: 'Dev', email: 'dev@example.test' }), date: commit.date };
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 12)}`,
    html_url: `${web}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author,
      committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: createHash('sha1').update(`tree${commit.sha}`).digest('hex'), url: `${api}/git/trees/${commit.sha}` },
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${web}/commit/${sha}` })),
  };
}

interface RestRoute {
  status: number;
  operation: string;
  body: unknown;
  paginate?: { items: unknown[]; max: number; wrap: (items: unknown[], total: number) => unknown };
}

/** Environment names are not case sensitive on GitHub: https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#creating-an-environment */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function routeRest(scenario: Scenario, pathname: string, query: URLSearchParams, origin: string): RestRoute | undefined {
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(pathname);
  if (!m) return undefined;
  const repo = scenario.repos.find((r) => r.owner.toLowerCase() === m[1]!.toLowerCase() && r.name.toLowerCase() === decodeURIComponent(m[2]!).toLowerCase());
  const rest = m[3]!;
  const notFound = (operation: string): RestRoute => ({ status: 404, operation, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
  let match: RegExpExecArray | null;

  if (rest === '/environments') {
    const op = '/repos/{owner}/{repo}/environments';
    if (!repo) return notFound(op);
    const items = repo.environments.map((e, i) => environmentPayload(repo, e, i, origin));
    return { status: 200, operation: op, body: null, paginate: { items, max: 100, wrap: (slice, total) => ({ total_count: total, environments: slice }) } };
  }
  // https://docs.github.com/en/rest/deployments/branch-policies#list-deployment-branch-policies
  if ((match = /^\/environments\/([^/]+)\/deployment-branch-policies$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies';
    const index = repo?.environments.findIndex((e) => sameName(e.name, decodeURIComponent(match![1]!))) ?? -1;
    const env = repo?.environments[index];
    if (!repo || !env) return notFound(op);
    const items = (env.branchPolicy === 'custom' ? (env.branchPolicies ?? []) : []).map((p, i) => {
      const id = (repo.id * 100 + index) * 100 + i;
      return { id, node_id: `DBP_${id}`, name: p.name, type: p.type ?? 'branch' };
    });
    return { status: 200, operation: op, body: null, paginate: { items, max: 100, wrap: (slice, total) => ({ total_count: total, branch_policies: slice }) } };
  }
  if ((match = /^\/environments\/([^/]+)\/(variables|secrets)$/.exec(rest))) {
    const kind = match[2] as 'variables' | 'secrets';
    const op = `/repos/{owner}/{repo}/environments/{environment_name}/${kind}`;
    const env = repo?.environments.find((e) => sameName(e.name, decodeURIComponent(match![1]!)));
    if (!repo || !env) return notFound(op);
    const items =
      kind === 'variables'
        ? (env.variables ?? []).map((v) => ({ name: v.name, value: v.value, created_at: '2025-01-01T00:00:00Z', updated_at: v.updatedAt }))
        : (env.secrets ?? []).map((s) => ({ name: s.name, created_at: '2025-01-01T00:00:00Z', updated_at: s.updatedAt }));
    // Variables list at most 30 per page: https://docs.github.com/en/rest/actions/variables#list-environment-variables
    return { status: 200, operation: op, body: null, paginate: { items, max: kind === 'variables' ? 30 : 100, wrap: (slice, total) => ({ total_count: total, [kind]: slice }) } };
  }
  // One deployment: https://docs.github.com/en/rest/deployments/deployments#get-a-deployment
  if ((match = /^\/deployments\/(\d+)$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/deployments/{deployment_id}';
    const d = repo?.deployments.find((x) => x.id === Number(match![1]));
    if (!repo || !d) return notFound(op);
    const api = `${origin}/repos/${repo.owner}/${repo.name}`;
    const updated = [...d.statuses].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0]?.createdAt ?? d.createdAt;
    return {
      status: 200,
      operation: op,
      body: {
        url: `${api}/deployments/${d.id}`,
        id: d.id,
        node_id: `DE_${d.id}`,
        sha: d.sha,
        ref: d.ref,
        task: 'deploy',
        payload: d.payload ?? {},
        original_environment: d.environment,
        environment: d.environment,
        description: null,
        creator: simpleUser(d.creator, origin),
        created_at: d.createdAt,
        updated_at: updated,
        statuses_url: `${api}/deployments/${d.id}/statuses`,
        repository_url: api,
        transient_environment: d.transient ?? false,
        production_environment: /^prod/i.test(d.environment),
      },
    };
  }
  // A workflow run: https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
  if ((match = /^\/actions\/runs\/(\d+)$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/actions/runs/{run_id}';
    const found = repo ? workflowRuns(repo).find((r) => r.run.id === Number(match![1])) : undefined;
    if (!repo || !found) return notFound(op);
    return { status: 200, operation: op, body: workflowRunPayload(repo, found.run, found.deployment ?? repo.deployments.find((d) => d.sha === repo.branches[repo.defaultBranch]), origin) };
  }
  // A repository's workflow runs, newest first, with the `created` and `head_sha` filters:
  // https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-repository
  if (rest === '/actions/runs') {
    const op = '/repos/{owner}/{repo}/actions/runs';
    if (!repo) return notFound(op);
    const unsupported = ['actor', 'branch', 'event', 'status', 'check_suite_id'].filter((name) => query.has(name));
    if (unsupported.length > 0) throw new Error(`the ${unsupported.join(', ')} filter of ${op} is not implemented here`);
    const created = query.has('created') ? dateQualifier(query.get('created')!) : () => true;
    const headSha = query.get('head_sha');
    const items = workflowRuns(repo)
      .map(({ run, deployment }) => workflowRunPayload(repo, run, deployment ?? repo.deployments.find((d) => d.sha === repo.branches[repo.defaultBranch]), origin))
      .filter((r) => created(Date.parse(r.created_at)) && (headSha === null || r.head_sha === headSha))
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
    return { status: 200, operation: op, body: null, paginate: { items, max: 100, wrap: (slice, total) => ({ total_count: total, workflow_runs: slice }) } };
  }
  if ((match = /^\/actions\/runs\/(\d+)\/approvals$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals';
    const run = repo?.runs.find((r) => r.id === Number(match![1]));
    if (!repo || !run) return notFound(op);
    const body = run.approvals.map((a) => ({
      environments: a.environments.map((name) => {
        const i = repo.environments.findIndex((e) => sameName(e.name, name));
        const p = environmentPayload(repo, repo.environments[i] ?? { name }, Math.max(i, 0), origin);
        return { id: p.id, node_id: p.node_id, name: p.name, url: p.url, html_url: p.html_url, created_at: p.created_at, updated_at: p.updated_at };
      }),
      state: a.state,
      user: simpleUser(a.user, origin),
      comment: a.comment,
    }));
    return { status: 200, operation: op, body };
  }
  if ((match = /^\/compare\/(.+)$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/compare/{basehead}';
    const [baseRef, headRef] = decodeURIComponent(match[1]!).split('...');
    const base = repo && baseRef ? resolveRef(repo, baseRef) : undefined;
    const head = repo && headRef ? resolveRef(repo, headRef) : undefined;
    if (!repo || !base || !head) return notFound(op);
    const commits = commitMap(repo);
    const { ahead, behindBy } = compareCommits(repo, base, head);
    const perPage = Math.min(Number(query.get('per_page') ?? 250) || 250, 250);
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const api = `${origin}/repos/${repo.owner}/${repo.name}`;
    const web = `https://github.example.test/${repo.owner}/${repo.name}`;
    return {
      status: 200,
      operation: op,
      body: {
        url: `${api}/compare/${baseRef}...${headRef}`,
        html_url: `${web}/compare/${baseRef}...${headRef}`,
        permalink_url: `${web}/compare/${repo.owner}:${base.slice(0, 7)}...${repo.owner}:${head.slice(0, 7)}`,
        diff_url: `${web}/compare/${baseRef}...${headRef}.diff`,
        patch_url: `${web}/compare/${baseRef}...${headRef}.patch`,
        base_commit: commitPayload(repo, commits.get(base)!, origin),
        merge_base_commit: commitPayload(repo, commits.get(base)!, origin),
        status: ahead.length > 0 && behindBy > 0 ? 'diverged' : ahead.length > 0 ? 'ahead' : behindBy > 0 ? 'behind' : 'identical',
        ahead_by: ahead.length,
        behind_by: behindBy,
        total_commits: ahead.length,
        commits: ahead.slice((page - 1) * perPage, page * perPage).map((c) => commitPayload(repo, c, origin)),
        files: [],
      },
    };
  }
  // Repository contents: https://docs.github.com/en/rest/repos/contents#get-repository-content
  if ((match = /^\/contents(?:\/(.*))?$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/contents/{path}';
    const ref = query.get('ref') ?? repo?.defaultBranch ?? '';
    const sha = repo ? resolveRef(repo, ref) : undefined;
    if (!repo || !sha) return notFound(op);
    const path = decodeURIComponent(match[1] ?? '').replace(/^\/+|\/+$/g, '');
    const files = filesAt(repo, sha);
    const text = files[path];
    if (text !== undefined) return { status: 200, operation: op, body: { ...contentEntry(repo, 'file', path, text, ref, origin), encoding: 'base64', content: wrapBase64(text) } };
    const prefix = path ? `${path}/` : '';
    const children = new Map<string, { type: 'file' | 'dir'; text: string }>();
    for (const [file, content] of Object.entries(files)) {
      if (!file.startsWith(prefix)) continue;
      const [name, ...deeper] = file.slice(prefix.length).split('/');
      if (!name) continue;
      children.set(name, deeper.length > 0 ? { type: 'dir', text: `${prefix}${name}` } : { type: 'file', text: content });
    }
    if (children.size === 0) return notFound(op);
    const body = [...children.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, child]) => contentEntry(repo, child.type, `${prefix}${name}`, child.text, ref, origin));
    return { status: 200, operation: op, body };
  }
  // A tree, recursively with `recursive`: https://docs.github.com/en/rest/git/trees#get-a-tree
  // `tree_sha` may be a commit or a ref here (GitHub takes both); past `treeLimit` entries the list is cut and `truncated`.
  if ((match = /^\/git\/trees\/(.+)$/.exec(rest))) {
    const op = '/repos/{owner}/{repo}/git/trees/{tree_sha}';
    const sha = repo ? resolveRef(repo, decodeURIComponent(match[1]!)) : undefined;
    if (!repo || !sha) return notFound(op);
    const api = `${origin}/repos/${repo.owner}/${repo.name}`;
    const recursive = query.has('recursive');
    const entries = new Map<string, { type: 'blob' | 'tree'; text: string }>();
    for (const [file, text] of Object.entries(filesAt(repo, sha))) {
      const parts = file.split('/');
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        if (recursive || i === 1) entries.set(folder, { type: 'tree', text: folder });
      }
      if (recursive || parts.length === 1) entries.set(file, { type: 'blob', text });
    }
    const all = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const limit = repo.treeLimit ?? 100_000;
    const tree = all.slice(0, limit).map(([path, e]) => {
      const id = e.type === 'blob' ? gitBlobId(e.text) : createHash('sha1').update(`tree ${e.text}`).digest('hex');
      return { path, mode: e.type === 'blob' ? '100644' : '040000', type: e.type, sha: id, ...(e.type === 'blob' ? { size: Buffer.byteLength(e.text) } : {}), url: `${api}/git/${e.type}s/${id}` };
    });
    const treeSha = createHash('sha1').update(`tree${sha}`).digest('hex');
    return { status: 200, operation: op, body: { sha: treeSha, url: `${api}/git/trees/${treeSha}`, tree, truncated: all.length > limit } };
  }
  // Commits, newest first, optionally only those changing `path`: https://docs.github.com/en/rest/commits/commits#list-commits
  if (rest === '/commits') {
    const op = '/repos/{owner}/{repo}/commits';
    if (!repo) return notFound(op);
    if (repo.commits.length === 0) return { status: 409, operation: op, body: { message: 'Git Repository is empty.', documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits' } };
    const ref = query.get('sha') ?? repo.defaultBranch;
    const head = resolveRef(repo, ref);
    if (!head) return { status: 404, operation: op, body: { message: `No commit found for SHA: ${ref}`, documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits' } };
    const items = history(repo, head, query.get('path')).map((c) => commitPayload(repo, c, origin));
    return { status: 200, operation: op, body: null, paginate: { items, max: 100, wrap: (slice) => slice } };
  }
  return undefined;
}

/** `minimal-repository` as the OpenAPI description requires it. */
function minimalRepository(repo: ScenarioRepo, origin: string) {
  const api = `${origin}/repos/${repo.owner}/${repo.name}`;
  const urls = Object.fromEntries(
    (
      [
        ['archive_url', '/{archive_format}{/ref}'], ['assignees_url', '/assignees{/user}'], ['blobs_url', '/git/blobs{/sha}'], ['branches_url', '/branches{/branch}'],
        ['collaborators_url', '/collaborators{/collaborator}'], ['comments_url', '/comments{/number}'], ['commits_url', '/commits{/sha}'], ['compare_url', '/compare/{base}...{head}'],
        ['contents_url', '/contents/{+path}'], ['contributors_url', '/contributors'], ['deployments_url', '/deployments'], ['downloads_url', '/downloads'], ['events_url', '/events'],
        ['forks_url', '/forks'], ['git_commits_url', '/git/commits{/sha}'], ['git_refs_url', '/git/refs{/sha}'], ['git_tags_url', '/git/tags{/sha}'], ['hooks_url', '/hooks'],
        ['issue_comment_url', '/issues/comments{/number}'], ['issue_events_url', '/issues/events{/number}'], ['issues_url', '/issues{/number}'], ['keys_url', '/keys{/key_id}'],
        ['labels_url', '/labels{/name}'], ['languages_url', '/languages'], ['merges_url', '/merges'], ['milestones_url', '/milestones{/number}'],
        ['notifications_url', '/notifications{?since,all,participating}'], ['pulls_url', '/pulls{/number}'], ['releases_url', '/releases{/id}'], ['stargazers_url', '/stargazers'],
        ['statuses_url', '/statuses/{sha}'], ['subscribers_url', '/subscribers'], ['subscription_url', '/subscription'], ['tags_url', '/tags'], ['teams_url', '/teams'], ['trees_url', '/git/trees{/sha}'],
      ] as const
    ).map(([key, suffix]) => [key, `${api}${suffix}`]),
  );
  return { id: repo.id, node_id: `R_${repo.id}`, name: repo.name, full_name: `${repo.owner}/${repo.name}`, owner: simpleUser(repo.owner, origin), private: true, html_url: `https://github.example.test/${repo.owner}/${repo.name}`, description: null, fork: false, url: api, ...urls };
}

/**
 * Every workflow run of a repository: those a deployment links (by its log
 * URL or a `run_id` in its payload; each exists, as on GitHub) and those in
 * `runs`, which also add details (reviews, actors) to the linked ones.
 */
function workflowRuns(repo: ScenarioRepo): { run: ScenarioRun; deployment: ScenarioDeployment | undefined }[] {
  const linked = new Map<number, ScenarioDeployment>();
  for (const d of repo.deployments) {
    const ids = d.statuses.map((st) => /\/actions\/runs\/(\d+)(?:\/|$)/.exec(st.logUrl ?? '')?.[1]).filter((id) => id !== undefined).map(Number);
    if (typeof d.payload === 'object' && Number.isInteger(Number(d.payload.run_id))) ids.push(Number(d.payload.run_id));
    for (const id of ids) if (!linked.has(id)) linked.set(id, d);
  }
  const runs = new Map<number, ScenarioRun>([...linked.keys()].map((id) => [id, { id, approvals: [] }]));
  for (const run of repo.runs) runs.set(run.id, run);
  return [...runs.values()].map((run) => ({ run, deployment: linked.get(run.id) }));
}

/**
 * A filter on times from GitHub's search syntax for dates: `>D`, `>=D`, `<D`,
 * `<=D`, `A..B` (either end may be `*`) or `D`, each a date (`YYYY-MM-DD`, the
 * whole day) or a date and time (`YYYY-MM-DDTHH:MM:SS` with `Z` or `+HH:MM`).
 * https://docs.github.com/en/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax#query-for-dates
 */
export function dateQualifier(text: string): (time: number) => boolean {
  const bounds = (value: string): [number, number] => {
    const m = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
    if (!m) throw new Error(`not a date in GitHub's search syntax: ${value}`);
    if (m[2]) {
      const at = Date.parse(`${m[1]}${m[2]}${/Z|[+-]\d{2}:\d{2}$/.test(m[2]) ? '' : 'Z'}`);
      return [at, at];
    }
    const day = Date.parse(`${m[1]}T00:00:00Z`);
    return [day, day + 86_400_000 - 1];
  };
  const range = /^(.+)\.\.(.+)$/.exec(text);
  if (range) {
    const low = range[1] === '*' ? -Infinity : bounds(range[1]!)[0];
    const high = range[2] === '*' ? Infinity : bounds(range[2]!)[1];
    return (t) => t >= low && t <= high;
  }
  const op = /^(>=|<=|>|<)?(.+)$/.exec(text)!;
  const [first, last] = bounds(op[2]!);
  switch (op[1]) {
    case '>': return (t) => t > last;
    case '>=': return (t) => t >= first;
    case '<': return (t) => t < first;
    case '<=': return (t) => t <= last;
    default: return (t) => t >= first && t <= last;
  }
}

/** `workflow-run` as the OpenAPI description requires it, for the run that made `deployment`. */
function workflowRunPayload(repo: ScenarioRepo, run: ScenarioRun, deployment: ScenarioDeployment | undefined, origin: string) {
  const api = `${origin}/repos/${repo.owner}/${repo.name}/actions/runs/${run.id}`;
  const sha = deployment?.sha ?? repo.branches[repo.defaultBranch] ?? '0'.repeat(40);
  const commit = repo.commits.find((c) => c.sha === sha);
  const created = run.createdAt ?? deployment?.createdAt ?? commit?.date ?? '2025-01-01T00:00:00Z';
  const actor = run.actor ?? 'octocat';
  const person = { name: commit?.author?.name ?? 'Dev', email: commit?.author?.email ?? 'dev@example.test' };
  return {
    id: run.id,
    node_id: `WFR_${run.id}`,
    name: 'deploy',
    head_branch: run.headBranch ?? repo.defaultBranch,
    head_sha: sha,
    path: '.github/workflows/deploy.yml',
    display_title: commit?.message ?? 'deploy',
    run_number: run.id % 10_000,
    run_attempt: run.triggeringActor && run.triggeringActor !== actor ? 2 : 1,
    event: run.event ?? 'push',
    status: 'completed',
    conclusion: 'success',
    workflow_id: repo.id * 10 + 1,
    url: api,
    html_url: `https://github.example.test/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: created,
    updated_at: created,
    actor: simpleUser(actor, origin),
    triggering_actor: simpleUser(run.triggeringActor ?? actor, origin),
    run_started_at: created,
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${origin}/repos/${repo.owner}/${repo.name}/check-suites/${run.id}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    workflow_url: `${origin}/repos/${repo.owner}/${repo.name}/actions/workflows/${repo.id * 10 + 1}`,
    head_commit: { id: sha, tree_id: createHash('sha1').update(`tree${sha}`).digest('hex'), message: commit?.message ?? 'deploy', timestamp: commit?.date ?? created, author: person, committer: person },
    repository: minimalRepository(repo, origin),
    head_repository: minimalRepository(repo, origin),
  };
}

/** A file or folder entry of the contents API; `text` is the file's content, or the folder's path (for its tree sha). */
function contentEntry(repo: ScenarioRepo, type: 'file' | 'dir', path: string, text: string, ref: string, origin: string) {
  const api = `${origin}/repos/${repo.owner}/${repo.name}`;
  const web = `https://github.example.test/${repo.owner}/${repo.name}`;
  // A file's sha is its git blob id, as GitHub reports it.
  const sha = type === 'file' ? gitBlobId(text) : createHash('sha1').update(`tree ${text}`).digest('hex');
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${web}/${type === 'file' ? 'blob' : 'tree'}/${encodeURIComponent(ref)}/${path}`;
  return {
    type,
    size: type === 'file' ? Buffer.byteLength(text) : 0,
    name: path.split('/').pop()!,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === 'file' ? `https://raw.example.test/${repo.owner}/${repo.name}/${encodeURIComponent(ref)}/${path}` : null,
    _links: { self, git, html },
  };
}

/** A file's git blob id, as git and GitHub compute it. */
function gitBlobId(text: string): string {
  return createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0`).update(text).digest('hex');
}

/** Base64 in lines of 60 characters, as the contents API returns it. */
function wrapBase64(text: string): string {
  return (Buffer.from(text, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

// ---------------------------------------------------------------- GraphQL resolvers (objects in GitHub's schema shape)

const conn = <T>(items: T[], first?: number | null) => {
  const nodes = items.slice(0, first ?? 100);
  return { nodes, totalCount: items.length, pageInfo: { hasNextPage: items.length > nodes.length, hasPreviousPage: false, endCursor: nodes.length ? `c${nodes.length}` : null, startCursor: nodes.length ? 'c1' : null } };
};

class NotFound extends Error {
  readonly type = 'NOT_FOUND';
}

function rootValue(scenario: Scenario, origin: string) {
  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = scenario.repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
      if (!repo) throw new NotFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repositoryNode(repo, origin);
    },
  };
}

function repositoryNode(repo: ScenarioRepo, _origin: string) {
  const commits = commitMap(repo);
  const runCommits = new Map<number, string>();
  for (const d of repo.deployments) {
    for (const s of d.statuses) {
      const id = /\/actions\/runs\/(\d+)/.exec(s.logUrl ?? '')?.[1];
      if (id) runCommits.set(Number(id), d.sha);
    }
  }
  const web = `https://github.example.test/${repo.owner}/${repo.name}`;
  // One query may name thousands of files of one commit.
  const files = new Map<string, Record<string, string>>();
  const filesAtMemo = (sha: string) => files.get(sha) ?? files.set(sha, filesAt(repo, sha)).get(sha)!;
  const commitNode = (sha: string): Record<string, unknown> | null => {
    const c = commits.get(sha);
    if (!c) return null;
    return {
      __typename: 'Commit',
      oid: c.sha,
      abbreviatedOid: c.sha.slice(0, 7),
      committedDate: c.date,
      message: c.message,
      author: { name: (c.author ?? { name: 'Dev' }).name, email: (c.author ?? { email: 'dev@example.test' }).email, date: c.authorDate ?? c.date },
      committer: { name: (c.committer ?? c.author ?? { name: 'Dev' }).name, email: (c.committer ?? c.author ?? { email: 'dev@example.test' }).email, date: c.date },
      // `git log REV -- path`, newest first: https://docs.github.com/en/graphql/reference/objects#commit
      history: ({ first, path }: { first?: number; path?: string }) => {
        const broken = repo.brokenPaths?.find((b) => b.field === 'history' && b.path === path);
        if (broken) throw new Error(broken.message);
        return conn(history(repo, sha, path).map((x) => commitNode(x.sha)), first);
      },
      associatedPullRequests: ({ first }: { first?: number }) => conn(repo.pulls.filter((p) => p.commits.includes(sha)).sort((a, b) => a.number - b.number).map(pullNode), first),
      // Each run found in a deployment's log_url is a check suite on the deployed commit.
      checkSuites: ({ first }: { first?: number }) =>
        conn(
          repo.runs
            .filter((run) => runCommits.get(run.id) === sha)
            .map((run) => ({
              workflowRun: {
                databaseId: run.id,
                deploymentReviews: ({ first: n }: { first?: number }) =>
                  conn(
                    run.approvals.map((a) => ({ state: a.state.toUpperCase(), comment: a.comment, user: { login: a.user }, environments: ({ first: m }: { first?: number }) => conn(a.environments.map((name) => ({ name })), m) })),
                    n,
                  ),
              },
            })),
          first,
        ),
    };
  };
  const user = (login: string) => ({ __typename: login.endsWith('[bot]') ? 'Bot' : 'User', login });
  const pullNode = (p: ScenarioPull) => ({
    number: p.number,
    title: p.title,
    url: `${web}/pull/${p.number}`,
    headRefName: p.headRef,
    merged: Boolean(p.mergedAt),
    mergedAt: p.mergedAt ?? null,
    author: user(p.author),
    mergedBy: p.mergedBy ? user(p.mergedBy) : null,
    reviews: ({ first }: { first?: number }) =>
      conn(
        p.reviews.map((r, i) => ({ state: r.state, submittedAt: r.submittedAt, url: `${web}/pull/${p.number}#pullrequestreview-${p.number * 100 + i}`, author: user(r.user) })),
        first,
      ),
  });
  const refNode = (name: string, sha: string) => ({
    name,
    prefix: 'refs/heads/',
    target: commitNode(sha),
    compare: ({ headRef }: { headRef: string }) => {
      const head = resolveRef(repo, headRef);
      if (!head) return null;
      const { ahead, behindBy } = compareCommits(repo, sha, head);
      return { aheadBy: ahead.length, behindBy, status: 'DIVERGED' };
    },
  });
  const statusNode = (s: ScenarioStatus) => ({ state: s.state.toUpperCase(), createdAt: s.createdAt, logUrl: s.logUrl ?? null, environmentUrl: null });
  const deploymentNode = (d: ScenarioDeployment) => {
    const statuses = [...d.statuses].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    return {
      databaseId: d.id,
      createdAt: d.createdAt,
      commitOid: d.sha,
      environment: d.environment,
      task: 'deploy',
      payload: JSON.stringify(d.payload ?? {}),
      ref: repo.branches[d.ref] ? { name: d.ref, prefix: 'refs/heads/' } : repo.tags.some((t) => t.name === d.ref) ? { name: d.ref, prefix: 'refs/tags/' } : null,
      creator: user(d.creator),
      latestStatus: statuses[0] ? statusNode(statuses[0]) : null,
      statuses: ({ first }: { first?: number }) => conn(statuses.map(statusNode), first),
    };
  };
  return {
    nameWithOwner: `${repo.owner}/${repo.name}`,
    url: web,
    createdAt: repo.createdAt ?? '2008-04-10T00:00:00Z',
    defaultBranchRef: repo.branches[repo.defaultBranch] ? refNode(repo.defaultBranch, repo.branches[repo.defaultBranch]!) : null,
    releases: ({ first }: { first?: number }) =>
      conn(
        [...repo.releases]
          .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
          .map((r) => ({ tagName: r.tag, isDraft: r.draft ?? false, isPrerelease: r.prerelease ?? false, url: `${web}/releases/tag/${r.tag}`, tagCommit: commitNode(r.sha) })),
        first,
      ),
    refs: ({ refPrefix, query, first }: { refPrefix: string; query?: string; first?: number }) => {
      if (refPrefix === 'refs/tags/') {
        return conn(
          repo.tags
            .filter((t) => !query || t.name.includes(query))
            .sort((a, b) => Date.parse(commits.get(b.sha)?.date ?? '') - Date.parse(commits.get(a.sha)?.date ?? ''))
            .map((t) => ({
              name: t.name,
              prefix: refPrefix,
              target: t.annotated ? { __typename: 'Tag', oid: createHash('sha1').update(`tag${t.name}`).digest('hex'), target: commitNode(t.sha) } : commitNode(t.sha),
            })),
          first,
        );
      }
      return conn(
        Object.entries(repo.branches)
          .filter(([name]) => !query || name.includes(query))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, sha]) => refNode(name, sha)),
        first,
      );
    },
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      const name = qualifiedName.replace(/^refs\/heads\//, '');
      const sha = repo.branches[name];
      return sha ? refNode(name, sha) : null;
    },
    deployments: ({ environments, first, orderBy }: { environments?: string[]; first?: number; orderBy?: { direction: string } }) => {
      const list = repo.deployments
        .filter((d) => !environments?.length || environments.includes(d.environment))
        .sort((a, b) => (Date.parse(a.createdAt) - Date.parse(b.createdAt)) * (orderBy?.direction === 'DESC' ? -1 : 1));
      return conn(list.map(deploymentNode), first);
    },
    object: ({ oid, expression }: { oid?: string; expression?: string }) => {
      if (oid) return commitNode(oid);
      if (!expression) return null;
      const [rev, ...rest] = expression.split(':');
      const sha = resolveRef(repo, rev ?? '');
      const path = rest.join(':');
      if (!sha) return null;
      if (!path) return commitNode(sha);
      const broken = repo.brokenPaths?.find((b) => b.field === 'blob' && b.path === path);
      if (broken) throw new Error(broken.message);
      const text = filesAtMemo(sha)[path];
      if (text === undefined) return null;
      const cut = repo.blobTextLimit !== undefined && Buffer.byteLength(text) > repo.blobTextLimit;
      return { __typename: 'Blob', oid: gitBlobId(text), text: cut ? text.slice(0, repo.blobTextLimit) : text, isBinary: false, isTruncated: cut, byteSize: Buffer.byteLength(text) };
    },
  };
}
