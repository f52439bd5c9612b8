/**
 * Runs `work` over `items` with at most `limit` calls in flight, and returns
 * the results in the order of `items` (so output stays deterministic however
 * the calls finish). `work` must not throw; sources turn failures into gaps.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
