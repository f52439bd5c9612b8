/**
 * Two environments of one snapshot side by side: the ledger's
 * `diffEnvironments` (versions, differing config keys), the secret keys that
 * are the same on both sides ("unchanged (redacted)"), and the pull requests
 * one environment has and the other does not.
 */
import { diffEnvironments, type EnvironmentDiff } from '../ledger/index.ts';
import type { Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { prInEnvironmentAt, type LedgerIndex } from './history.ts';

export interface PrBetween {
  service: string;
  number: number;
  title: string;
  url: string | undefined;
  tickets: string[];
  /** The environment that has it (the other one does not). */
  in: 'a' | 'b';
}

export interface EnvironmentComparison {
  diff: EnvironmentDiff;
  /** Secret keys present in both environments whose hashes match: shown as "unchanged (redacted)". */
  unchangedSecrets: { service: string; key: string }[];
  pullRequests: PrBetween[];
}

/** Ordered pairs (lower, higher) of the promotion path: the compare pages a day has. */
export function comparePairs(environments: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  environments.forEach((a, i) => environments.slice(i + 1).forEach((b) => pairs.push([a, b])));
  return pairs;
}

export function compareEnvironments(snapshot: Snapshot, a: string, b: string, index?: LedgerIndex): EnvironmentComparison {
  const diff = diffEnvironments(snapshot, a, b);
  const differing = new Set(diff.configs.map((c) => `${c.service}\u0000${c.key}`));
  const secretKeys = (env: string) => {
    const keys = new Set<string>();
    for (const c of snapshot.configs)
      if (c.environment === env)
        for (const [key, value] of Object.entries(c.values)) if (value !== null && typeof value === 'object') keys.add(`${c.service}\u0000${key}`);
    return keys;
  };
  const inB = secretKeys(b);
  const unchangedSecrets = [...secretKeys(a)]
    .filter((k) => inB.has(k) && !differing.has(k))
    .sort(compareText)
    .map((k) => {
      const [service, key] = k.split('\u0000') as [string, string];
      return { service, key };
    });
  const pullRequests: PrBetween[] = [];
  if (index) {
    const at = snapshot.takenAt;
    for (const pr of index.pullRequests) {
      const inA = prInEnvironmentAt(pr, a, at, snapshot.id) !== null;
      const inBEnv = prInEnvironmentAt(pr, b, at, snapshot.id) !== null;
      if (inA !== inBEnv) pullRequests.push({ service: pr.service, number: pr.number, title: pr.title, url: pr.url, tickets: pr.tickets, in: inA ? 'a' : 'b' });
    }
  }
  return { diff, unchangedSecrets, pullRequests };
}
