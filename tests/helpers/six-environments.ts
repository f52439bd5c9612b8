/**
 * The site fixture (tests/helpers/site-fixture.ts) on a six-environment path:
 * perf and preprod between staging and prod, running staging's builds, so a
 * day has 15 environment pairs of which the site renders 9
 * (src/views/compare.ts `comparePairs`).
 */
import { appendSnapshot } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { fixtureSnapshots } from './site-fixture.ts';
import { buildSnapshot } from './snapshot-builder.ts';

export const SIX_ENVIRONMENTS = ['dev', 'qa', 'staging', 'perf', 'preprod', 'prod'];

/** The snapshots with perf and preprod added (their `previous` links as given). */
export function sixEnvironments(snapshots: readonly Snapshot[]): Snapshot[] {
  return snapshots.map((s) => ({
    ...s,
    environments: [...s.environments.slice(0, 3), { name: 'perf', production: false, requiredApprovals: 0 }, { name: 'preprod', production: false, requiredApprovals: 0 }, s.environments[3]!],
    deployments: s.deployments.flatMap((d) => (d.environment === 'staging' ? [d, { ...d, environment: 'perf' }, { ...d, environment: 'preprod' }] : [d])),
  }));
}

/** Writes the six-environment fixture (with `quietDays` quiet days) into `dir` through the real `appendSnapshot`. */
export async function writeSixEnvironmentFixture(dir: string, quietDays = 0): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  let previous: Snapshot['previous'] = null;
  for (const s of sixEnvironments(fixtureSnapshots({ quietDays }))) {
    const snapshot = buildSnapshot({ ...s, previous });
    const { sha256 } = await appendSnapshot(dir, snapshot);
    previous = { id: snapshot.id, sha256 };
    out.push(snapshot);
  }
  return out;
}
