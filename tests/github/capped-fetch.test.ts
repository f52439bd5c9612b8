/**
 * `cappedFetch` (collectors/github/capped-fetch.ts): a GitHub answer is read whole up
 * to its cap; past it the read is cancelled and the request refused, once.
 */
import { describe, expect, it } from 'vitest';
import { cappedFetch } from '../../collectors/github/capped-fetch.ts';
import { describeError, ResponseTooLarge } from '../../collectors/github/index.ts';

const CAP = 1024;

/** A fake fetch that answers `body` (chunked when `length` is false) and counts calls and bytes pulled. */
function server(body: Uint8Array, options: { length?: boolean; status?: number } = {}) {
  const state = { calls: 0, pulled: 0 };
  const fetch = (async () => {
    state.calls++;
    if (options.status === 304) return new Response(null, { status: 304, headers: { etag: '"x"' } });
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= body.length) return controller.close();
        const chunk = body.subarray(offset, (offset += 256));
        state.pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(stream, { status: options.status ?? 200, headers: { 'content-type': 'application/json', ...(options.length ? { 'content-length': String(body.length) } : {}) } });
  }) as typeof globalThis.fetch;
  return { fetch, state };
}

describe('cappedFetch', () => {
  it('hands an answer under the cap on whole, with its status, headers and URL', async () => {
    const { fetch } = server(new TextEncoder().encode('{"ok":true}'), { length: true });
    const response = await cappedFetch(fetch, CAP)('https://api.example/repos/a/b', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('passes a 304 on without a body', async () => {
    const { fetch } = server(new Uint8Array(), { status: 304 });
    const response = await cappedFetch(fetch, CAP)('https://api.example/x', { method: 'GET' });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe('"x"');
  });

  it('refuses an answer whose Content-Length is over the cap without reading it, and the same request again without sending it', async () => {
    const { fetch, state } = server(new Uint8Array(10 * CAP), { length: true });
    const capped = cappedFetch(fetch, CAP);
    const first = await capped('https://api.example/repos/a/b/environments/x/variables?per_page=30', { method: 'GET' }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ResponseTooLarge);
    expect((first as Error).message).toBe('the answer to GET /repos/a/b/environments/x/variables is 10 KiB, larger than the 1 KiB cap on one GitHub response (docs/guarantees.md, "Bounded input"); not read');
    expect(state.pulled).toBeLessThanOrEqual(256);
    await expect(capped('https://api.example/repos/a/b/environments/x/variables?per_page=30', { method: 'GET' })).rejects.toBeInstanceOf(ResponseTooLarge);
    expect(state.calls).toBe(1);
  });

  it('cancels a streamed answer with no length as soon as it passes the cap; another question is still asked', async () => {
    const { fetch, state } = server(new Uint8Array(100 * CAP));
    const capped = cappedFetch(fetch, CAP);
    const error = await capped('https://api.example/graphql', { method: 'POST', body: '{"query":"a"}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLarge);
    expect(state.pulled).toBeLessThan(2 * CAP);
    await capped('https://api.example/graphql', { method: 'POST', body: '{"query":"b"}' }).catch(() => {});
    expect(state.calls).toBe(2);
  });

  it('is a gap reason of its own, not "HTTP 500", however Octokit wraps it', () => {
    const cause = new ResponseTooLarge('POST /graphql', '16 MiB');
    const wrapped = Object.assign(new Error(cause.message), { status: 500, cause, request: { method: 'POST', url: 'https://api.example/graphql' } });
    expect(describeError(cause)).toBe(cause.message);
    expect(describeError(wrapped)).toBe(cause.message);
  });
});
