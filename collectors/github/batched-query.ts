import { BudgetExhausted } from './errors.ts';
import type { GitHubClient } from './client/index.ts';

/** One entry of a GraphQL response's `errors`. */
export type GraphQLErrorEntry = { path?: (string | number)[]; message?: string; type?: string };

/**
 * Runs one batched GraphQL query (aliases per item). Partial errors come back with the
 * data. A batch that fails as a whole is split in halves and each half asked again (`retry`), so the
 * failure lands on exactly the item that caused it; a single item, or a spent budget, fails as itself.
 * Returns null when the batch was split or failed (already handled). Used by the gitops source's
 * `repo` mode too.
 */
export async function batchedQuery<T>(
  octokit: GitHubClient,
  batch: readonly T[],
  query: string,
  retry: (part: T[]) => Promise<void>,
  fail: (item: T, error: unknown) => void,
): Promise<{ data: Record<string, unknown>; errors: GraphQLErrorEntry[] } | null> {
  try {
    return { data: await octokit.graphql<Record<string, unknown>>(query), errors: [] };
  } catch (error) {
    const partial = error as { data?: Record<string, unknown>; errors?: GraphQLErrorEntry[] };
    if (partial.data && Array.isArray(partial.errors)) return { data: partial.data, errors: partial.errors };
    if (batch.length > 1 && !(error instanceof BudgetExhausted)) {
      const half = Math.ceil(batch.length / 2);
      await retry(batch.slice(0, half));
      await retry(batch.slice(half));
    } else {
      for (const item of batch) fail(item, error);
    }
    return null;
  }
}
