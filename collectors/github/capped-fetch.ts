/**
 * A fetch whose answers are read whole, up to a cap, before the caller sees
 * them: the body streams in (decompressed, so a gzip bomb counts at its real
 * size) and is cancelled as soon as it passes `maxBytes`, so a 50 MB answer
 * from a lying server costs at most the cap in memory, not the 1.2 GB that
 * parsing it would (issue 27). An answer declared larger by its
 * `Content-Length` is cancelled before a byte of it is read. The refusal is
 * thrown as `ResponseTooLarge`, which Octokit hands on as the request's error
 * as it is, so it is a gap for exactly what was asked and is not retried; the
 * same request asked again (a GraphQL batch split in halves asks each half
 * anew, so only a repeat of the very same question) is refused without being sent. Used by every GitHub client
 * (`createGitHubClient`): the GitHub source and the gitops `repo` mode.
 */
import { formatBytes } from '../../src/model/input-limits.ts';
import { ResponseTooLarge } from './index.ts';
import { readBodyCapped } from '../shared/capped-body.ts';

/** Statuses whose Response may not carry a body (https://fetch.spec.whatwg.org/#null-body-status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function cappedFetch(inner: typeof globalThis.fetch, maxBytes: number): typeof globalThis.fetch {
  const oversized = new Set<string>();
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const what = `${method} ${pathOf(url)}`;
    // A GraphQL query is one URL for every question: the question is the body.
    const key = `${method} ${url} ${typeof init?.body === 'string' ? init.body : ''}`;
    const cap = formatBytes(maxBytes);
    if (oversized.has(key)) throw new ResponseTooLarge(what, cap);
    const response = await inner(input, init);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes && !response.headers.has('content-encoding')) {
      await response.body?.cancel().catch(() => {});
      oversized.add(key);
      throw new ResponseTooLarge(what, cap, formatBytes(declared));
    }
    if (!response.body) return response;
    const body = await readBodyCapped(response.body, maxBytes);
    if (body === null) {
      oversized.add(key);
      throw new ResponseTooLarge(what, cap);
    }
    // The body is decoded already: the headers that described its encoding no longer apply.
    const headers = new Headers(response.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    const whole = new Response(NULL_BODY.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers });
    // Octokit reads `url` for the answer's URL (pagination follows it).
    Object.defineProperty(whole, 'url', { value: response.url });
    return whole;
  }) as typeof globalThis.fetch;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0]!;
  }
}
