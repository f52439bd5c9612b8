/**
 * What `buildSite()` hands to the pages it renders in the same process: the
 * cross-day index is tens of megabytes at three years, and writing it to a
 * file for the pages to parse again cost seconds a night. Astro bundles the
 * pages' modules separately from the caller's (its prerender bundle), so the
 * two sides meet on a process-wide symbol, not a module variable. The key is
 * the file path the pages would otherwise read (it still works as a file).
 */
const REGISTRY = Symbol.for('release-ledger.site-handover');

function registry(): Map<string, unknown> {
  const holder = globalThis as { [REGISTRY]?: Map<string, unknown> };
  holder[REGISTRY] ??= new Map();
  return holder[REGISTRY];
}

/** Makes `value` available to `handedOver(key)` until the returned function is called. */
export function handOver(key: string, value: unknown): () => void {
  registry().set(key, value);
  return () => registry().delete(key);
}

/** The value handed over under `key`, if any. */
export function handedOver<T>(key: string): T | undefined {
  return registry().get(key) as T | undefined;
}
