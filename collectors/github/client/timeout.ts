/**
 * Each request aborts after `timeoutMs`: a hung GitHub must not hold a
 * nightly run for Node's 5-minute default. (The whole run's deadline is the
 * budget's, see `../budget.ts`.)
 */
export function withTimeout(inner: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return inner(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  }) as typeof globalThis.fetch;
}
