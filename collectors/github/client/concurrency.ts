/**
 * At most `limit` requests in flight through one client; the others wait
 * their turn in order. GitHub's secondary rate limits count concurrent
 * requests: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export function limitConcurrency(inner: typeof globalThis.fetch, limit: number): typeof globalThis.fetch {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (inFlight < limit) {
      inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    await acquire();
    try {
      return await inner(input, init);
    } finally {
      release();
    }
  }) as typeof globalThis.fetch;
}
