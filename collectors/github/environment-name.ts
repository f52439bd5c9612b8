/**
 * GitHub environment names are not case sensitive: `Production` and
 * `production` are one environment, whatever spelling a workflow or the
 * ledger's config uses
 * (https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#creating-an-environment).
 * Every comparison of environment names in the GitHub source goes through here.
 */

/** The key two spellings of one environment share. */
export const environmentKey = (name: string): string => name.toLowerCase();

/** Whether two spellings name the same GitHub environment. */
export const sameEnvironment = (a: string, b: string): boolean => environmentKey(a) === environmentKey(b);

/** Environments by name, found whatever the spelling. */
export function environmentsByName<T extends { name: string }>(environments: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  // The first listed wins; GitHub refuses a second environment differing only in case.
  for (const env of environments) if (!map.has(environmentKey(env.name))) map.set(environmentKey(env.name), env);
  return map;
}
