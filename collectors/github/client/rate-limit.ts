/**
 * A primary rate limit spent until a reset further away than the run may
 * wait: from then on, requests of that API (REST or GraphQL) are not sent.
 * Those already queued are answered here as GitHub would answer them, and new
 * ones fail at once with `RateLimitSpent`, so every cell they were for
 * becomes a gap without spending the time.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit
 */
import { RateLimitSpent } from '../errors.ts';

type Api = 'rest' | 'graphql';

export class SpentRateLimits {
  private readonly until: Record<Api, string | null> = { rest: null, graphql: null };
  private readonly maxWaitSeconds: number;

  constructor(maxWaitSeconds: number) {
    this.maxWaitSeconds = maxWaitSeconds;
  }

  /** Throws `RateLimitSpent` for a request to an API whose limit is known to be spent (an Octokit `request` hook). */
  check(url: string): void {
    const spentUntil = this.until[apiOf(url)];
    if (spentUntil !== null) throw new RateLimitSpent(spentUntil);
  }

  /** The fetch layer: answers locally once spent, and learns a spent limit from GitHub's headers. */
  wrap(inner: typeof globalThis.fetch): typeof globalThis.fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const api = apiOf(urlOf(input));
      const spentUntil = this.until[api];
      if (spentUntil !== null) {
        // Queued before the limit was known to be spent: answer as GitHub would, without asking it.
        const reset = String(Math.floor(Date.parse(spentUntil) / 1000));
        return new Response(JSON.stringify({ message: `API rate limit exceeded (not sent: the limit is spent until ${spentUntil})` }), {
          status: 403,
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        });
      }
      const response = await inner(input, init);
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      if ((response.status === 403 || response.status === 429) && response.headers.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
        // Wall-clock time on purpose: the reset is GitHub's clock, not the snapshot's (--at may be in the past).
        if (reset * 1000 - Date.now() > this.maxWaitSeconds * 1000) {
          this.until[api] ??= new Date(reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        }
      }
      return response;
    }) as typeof globalThis.fetch;
  }
}

function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** Which primary rate limit a request counts against. */
function apiOf(url: string): Api {
  return /\/graphql(?:\?|$)/.test(url) ? 'graphql' : 'rest';
}
