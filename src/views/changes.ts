/**
 * What changed on a day: the ledger's `diffSnapshots` between the end of the
 * previous day and the end of this one, joined with the pull requests and
 * tickets the day's change records name.
 */
import { diffSnapshots, type ConfigKeyDiff, type DeploymentDiff, type LastKnownDeployment, type UnknownRecord } from '../ledger/index.ts';
import type { Change, PullRequest, Snapshot } from '../model/index.ts';
import { compareText } from './format.ts';

export interface DeploymentChange extends DeploymentDiff {
  production: boolean;
  url: string | undefined;
  pullRequests: PullRequest[];
  tickets: string[];
}

/** How a config change is labelled: `changed`, `added`, `removed`, with `(redacted)` for secrets. */
export function configChangeLabel(change: 'added' | 'removed' | 'changed' | 'unchanged', redacted: boolean): string {
  return redacted ? `${change} (redacted)` : change;
}

export interface DayChanges {
  deployments: DeploymentChange[];
  configs: (ConfigKeyDiff & { label: string })[];
  tickets: string[];
  /** Records a gap hides on one side: unknown, not changes (see `diffSnapshots`). */
  unknown: UnknownRecord[];
}

/**
 * Changes at the end of `current`'s day against the end of the previous day
 * (`previous`, null for the first day: everything counts as added).
 * `changeRecords` are the `changes[]` of every snapshot taken that day, oldest first.
 */
export function dayChanges(current: Snapshot, previous: Snapshot | null, changeRecords: readonly Change[], lastKnown?: LastKnownDeployment): DayChanges {
  const base: Snapshot = previous ?? { ...current, deployments: [], configs: [], findings: [], changes: [], gaps: [] };
  const diff = diffSnapshots(base, current, lastKnown ? { lastKnown } : {});
  const records = new Map<string, Change>();
  for (const c of changeRecords) records.set(`${c.service}\u0000${c.environment}\u0000${c.commit}`, c);
  const production = new Set(current.environments.filter((e) => e.production).map((e) => e.name));
  const urls = new Map(current.deployments.map((d) => [`${d.service}\u0000${d.environment}`, d.url]));
  const deployments = diff.deployments
    .map((d): DeploymentChange => {
      const record = d.to ? records.get(`${d.service}\u0000${d.environment}\u0000${d.to.commit}`) : undefined;
      return {
        ...d,
        production: production.has(d.environment),
        url: urls.get(`${d.service}\u0000${d.environment}`),
        pullRequests: [...(record?.pullRequests ?? [])].sort((x, y) => x.number - y.number),
        tickets: [...(record?.tickets ?? [])].sort(compareText),
      };
    })
    // Production first: "what changed in prod since yesterday" is the incident reviewer's first question.
    .sort((x, y) => Number(y.production) - Number(x.production) || compareText(x.environment, y.environment) || compareText(x.service, y.service));
  const configs = previous ? diff.configs.map((c) => ({ ...c, label: configChangeLabel(c.change, c.redacted) })) : [];
  const tickets = [...new Set(deployments.flatMap((d) => d.tickets))].sort(compareText);
  return { deployments, configs, tickets, unknown: previous ? diff.unknown : [] };
}

/**
 * What a page must say about secret changes it cannot see (docs/guarantees.md,
 * "No secrets at rest"): no ledger key for this snapshot, or a key other than
 * the previous snapshot's (a rotation, or the first keyed night after plain
 * hashes), so secrets are not comparable across that step. Null when every
 * secret change is visible.
 */
export function secretChangesNote(current: Snapshot, previous: Snapshot | null): string | null {
  const keyId = current.secretFingerprints?.keyId;
  if (keyId === null) return 'No ledger key was configured for this snapshot (secretKeyEnv): secret values carry no fingerprint, so whether a secret changed cannot be known.';
  if (!previous || keyId === undefined) return null;
  const before = previous.secretFingerprints?.keyId;
  if (before === null || before === keyId) return before === null ? `The previous snapshot (${previous.id}) had no ledger key: secret changes since then cannot be known.` : null;
  return before === undefined
    ? `Secret fingerprints are keyed from this snapshot on; ${previous.id} holds plain hashes, so secret changes since then cannot be known.`
    : `The ledger key changed since ${previous.id} (key ${before} → ${keyId}): secrets are not comparable across the rotation, so their changes since then cannot be known.`;
}
