/**
 * Safe, one-line reasons for gaps. Octokit errors carry the request (and so
 * the `authorization` header) and sometimes response bodies; a gap keeps only
 * method, path, status and the first line of GitHub's message, with anything
 * that looks like a credential removed.
 */
import { Credentials, scrubMessage } from '../shared/credentials.ts';

let memo: { key: readonly string[] | Credentials; credentials: Credentials } | null = null;

/** `scrubMessage` (collectors/shared/credentials.ts) with the credentials as a list or a `Credentials`. */
export function scrub(text: string, secrets: readonly string[] | Credentials = []): string {
  if (memo?.key !== secrets) memo = { key: secrets, credentials: secrets instanceof Credentials ? secrets : new Credentials(secrets) };
  return scrubMessage(text, memo.credentials);
}

interface ErrorLike {
  status?: unknown;
  cause?: unknown;
  message?: unknown;
  request?: { method?: unknown; url?: unknown };
  response?: { data?: unknown };
}

/** `GET /repos/acme/api/environments failed: HTTP 502 Bad Gateway` — never headers, never bodies beyond GitHub's message line. */
export function describeError(error: unknown, secrets: readonly string[] | Credentials = []): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const method = typeof e.request?.method === 'string' ? e.request.method : undefined;
  let path: string | undefined;
  if (typeof e.request?.url === 'string') {
    try {
      path = new URL(e.request.url).pathname;
    } catch {
      path = e.request.url.split('?')[0];
    }
  }
  // Octokit marks what its fetch throws as HTTP 500 (@octokit/request); an oversized answer is not one.
  const tooLarge = error instanceof ResponseTooLarge ? error : e.cause instanceof ResponseTooLarge ? e.cause : undefined;
  if (tooLarge) return scrub(tooLarge.message, secrets);
  const status = typeof e.status === 'number' ? e.status : undefined;
  const data = e.response?.data;
  const apiMessage = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : undefined;
  const raw = apiMessage ?? (typeof e.message === 'string' ? e.message : String(error));
  const line = raw.split('\n')[0]!.replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '').slice(0, 160);
  const where = method && path ? `${method} ${path} failed` : 'request failed';
  const text = status !== undefined ? `${where}: HTTP ${status} ${line}` : `${where}: ${line}`;
  return scrub(text.trim(), secrets);
}

/** Where to create a fine-grained token for this host, and with which read permissions. */
export function tokenHelp(baseUrl: string, tokenEnv: string, variables: boolean): string {
  const api = new URL(baseUrl);
  const web = api.hostname === 'api.github.com' ? 'https://github.com' : `${api.protocol}//${api.host}`;
  const permissions = ['Actions', 'Contents', 'Deployments', 'Environments', 'Metadata', 'Pull requests', ...(variables ? ['Variables', 'Secrets'] : [])];
  return (
    `no GitHub token: set ${tokenEnv} to a fine-grained personal access token (create one at ${web}/settings/personal-access-tokens/new) ` +
    `with read-only repository permissions: ${permissions.join(', ')}; or configure a GitHub App under sources.<name>.app`
  );
}

/** The request budget ran out before this request. */
export class BudgetExhausted extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`request budget of ${limit} (settings.maxRequests) exhausted before this was collected`);
    this.limit = limit;
    this.name = 'BudgetExhausted';
  }
}

/** An answer larger than the cap on one GitHub response (`INPUT_LIMITS.githubResponseBytes`); it was cancelled unread past the cap. */
export class ResponseTooLarge extends Error {
  constructor(what: string, cap: string, size?: string) {
    super(`the answer to ${what} is ${size ? `${size}, ` : ''}larger than the ${cap} cap on one GitHub response (docs/guarantees.md, "Bounded input"); not read`);
    // The read was aborted, and named so: @octokit/request passes an AbortError from its fetch through as it is
    // (no RequestError), so @octokit/plugin-retry does not ask again for an answer that would be as large.
    this.name = 'AbortError';
  }
}

/** The run's deadline passed before this request was asked or answered. */
export class DeadlineReached extends BudgetExhausted {
  constructor(seconds: number) {
    super(0);
    this.message = `the GitHub source's deadline of ${seconds} s (settings.deadlineSeconds) was reached before this was collected`;
    this.name = 'DeadlineReached';
  }
}

/** A record in an answer that cannot be used (a bad time, a null where an object belongs); its message is the gap's reason. */
export class BadRecord extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRecord';
  }
}

/** Following `next` links came back to a page already read: the pages loop, and reading on would only spend the budget. */
export class PaginationLoop extends Error {
  constructor(path: string, page: number) {
    super(`GET ${path}: page ${page} repeats an earlier page (the pagination loops), so the list is incomplete`);
    this.name = 'PaginationLoop';
  }
}

/**
 * GitHub's primary rate limit is spent and its reset is further away than the
 * collector will wait: every later request is refused before it is sent
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit:
 * "continuing to make requests while you are rate limited may result in the banning of your integration").
 */
export class RateLimitSpent extends BudgetExhausted {
  readonly resetAt: string;

  constructor(resetAt: string) {
    super(0);
    this.resetAt = resetAt;
    this.message = `GitHub's primary rate limit is spent until ${resetAt}; not asked, so the integration is not banned (the next run collects it)`;
    this.name = 'RateLimitSpent';
  }
}
