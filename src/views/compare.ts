/**
 * Two environments of one snapshot side by side: the ledger's
 * `diffEnvironments` (versions, differing config keys), the secret keys that
 * are the same on both sides ("unchanged (redacted)"), and the pull requests
 * one environment has and the other does not.
 */
import { diffEnvironments, secretConfigKeys, type EnvironmentDiff } from '../ledger/index.ts';
import type { Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';
import { prInEnvironmentAt, type LedgerIndex, type PrEntry } from './history.ts';

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
  /** Secret keys present in both environments whose fingerprints match: shown as "unchanged (redacted)". */
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
  const inB = secretConfigKeys(snapshot.configs, b);
  const unchangedSecrets = [...secretConfigKeys(snapshot.configs, a)]
    .filter((k) => inB.has(k) && !differing.has(k))
    .sort(compareText)
    .map((k) => {
      // A service name never holds NUL (NAME_PATTERN); a config key may, so split at the first one only.
      const cut = k.indexOf('\u0000');
      return { service: k.slice(0, cut), key: k.slice(cut + 1) };
    });
  const pullRequests: PrBetween[] = [];
  if (index) {
    for (const { pr, environments } of partlyDeployed(snapshot, index)) {
      const inA = environments.has(a);
      if (inA !== environments.has(b)) pullRequests.push({ service: pr.service, number: pr.number, title: pr.title, url: pr.url, tickets: pr.tickets, in: inA ? 'a' : 'b' });
    }
  }
  return { diff, unchangedSecrets, pullRequests };
}

/**
 * The pull requests running in some but not all of the snapshot's
 * environments at its time (as of that snapshot), with where they run. One
 * pass over the ledger's pull requests serves all of a day's compare pages:
 * checking every pull request for each of the 15 pairs of 6 environments
 * made three years of history cost minutes a day.
 */
const partlyDeployedCache = new WeakMap<Snapshot, WeakMap<LedgerIndex, { pr: PrEntry; environments: Set<string> }[]>>();
function partlyDeployed(snapshot: Snapshot, index: LedgerIndex): { pr: PrEntry; environments: Set<string> }[] {
  let byIndex = partlyDeployedCache.get(snapshot);
  if (!byIndex) partlyDeployedCache.set(snapshot, (byIndex = new WeakMap()));
  const cached = byIndex.get(index);
  if (cached) return cached;
  const names = snapshot.environments.map((e) => e.name);
  const out: { pr: PrEntry; environments: Set<string> }[] = [];
  for (const pr of index.pullRequests) {
    // Most pull requests of three years run everywhere: a Set is made only for the few that do not.
    let inside: string[] | null = null;
    for (const environment in pr.environments) if (prInEnvironmentAt(pr, environment, snapshot.takenAt, snapshot.id) !== null) (inside ??= []).push(environment);
    if (inside !== null && names.some((n) => !inside.includes(n))) out.push({ pr, environments: new Set(inside) });
  }
  byIndex.set(index, out);
  return out;
}

export interface ExpectedDifference {
  key: string;
  redacted: boolean;
  /** Why these secrets cannot be compared (see `ConfigEnvironmentDiff.notComparable`), or null. */
  notComparable: string | null;
  /** Services whose value of `key` differs, each declaring it environment-specific. */
  services: string[];
}

/**
 * A compare page's configuration section at 500 services: the differences a
 * service did not declare environment-specific are what an auditor looks
 * for, so they are listed value by value; the expected ones (`DATABASE_URL`
 * in every service) are grouped by key, naming the services.
 */
export function groupConfigDifferences(configs: EnvironmentDiff['configs']): { undeclared: EnvironmentDiff['configs']; expected: ExpectedDifference[] } {
  const undeclared = configs.filter((c) => !c.envSpecific);
  const groups = new Map<string, { key: string; redacted: boolean; notComparable: string | null; services: Set<string> }>();
  for (const c of configs) {
    if (!c.envSpecific) continue;
    const id = `${c.key}\u0000${c.redacted}\u0000${c.notComparable}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: c.key, redacted: c.redacted, notComparable: c.notComparable, services: new Set() }));
    group.services.add(c.service);
  }
  const expected = [...groups.values()].map((g) => ({ ...g, services: [...g.services].sort(compareText) })).sort((x, y) => compareText(x.key, y.key) || Number(x.redacted) - Number(y.redacted) || compareText(x.notComparable ?? '', y.notComparable ?? ''));
  return { undeclared, expected };
}

/** Secret keys that match on both sides, grouped by key: key → services. */
export function groupUnchangedSecrets(secrets: EnvironmentComparison['unchangedSecrets']): { key: string; services: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const s of secrets) groups.set(s.key, [...(groups.get(s.key) ?? []), s.service]);
  return [...groups.entries()].sort(([x], [y]) => compareText(x, y)).map(([key, services]) => ({ key, services: services.sort(compareText) }));
}
