/**
 * The views a snapshot's pages and revision keys share (src/views/day-views.ts
 * `SnapshotViews`, src/views/matrix.ts `matrixOf`/`matrixColumns`, the
 * per-snapshot deployments of src/ledger/diff.ts): computed once, they must
 * equal what each page computed on its own before.
 */
import { describe, expect, it } from 'vitest';
import { buildMatrix, matrixColumns, matrixOf } from '../../src/views/matrix.ts';
import { environmentStateKeys, serviceStateKeys } from '../../src/views/index.ts';
import { SnapshotViews } from '../../src/views/day-views.ts';
import { diffEnvironments } from '../../src/ledger/index.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';
import type { Snapshot } from '../../src/model/index.ts';

const snapshots = fixtureSnapshots({ quietDays: 1 });

describe('shared per-snapshot views', () => {
  it('an environment window of the whole matrix equals the matrix built for that window', () => {
    let windows = 0;
    for (const s of snapshots) {
      const names = s.environments.map((e) => e.name);
      for (let i = 0; i < names.length; i++) {
        for (const window of [names.slice(Math.max(0, i - 1), i + 1), [names[i]!], names.slice(i)]) {
          // Compared as JSON too: the revision keys hash it, so key order matters.
          expect(JSON.stringify(matrixColumns(matrixOf(s), window))).toBe(JSON.stringify(buildMatrix(s, { environments: window })));
          windows++;
        }
      }
    }
    expect(windows).toBeGreaterThan(10);
    // A window where a cell needing attention is cut away: attention follows the columns kept.
    const withDrift = snapshots.find((s) => buildMatrix(s).rows.some((r) => r.attention));
    expect(withDrift).toBeDefined();
  });

  it('keys computed with shared views equal keys computed alone, and do not depend on which were asked first', () => {
    for (const s of snapshots) {
      const views = new SnapshotViews(s);
      const environments = environmentStateKeys(s, views);
      expect(serviceStateKeys(s, views)).toEqual(serviceStateKeys(structuredClone(s)));
      expect(environments).toEqual(environmentStateKeys(structuredClone(s)));
    }
  });

  it('diffEnvironments answers the same when asked again for the same snapshot (its deployments are kept per snapshot)', () => {
    const s = snapshots.at(-1)!;
    const [a, b] = s.environments.map((e) => e.name);
    const first = diffEnvironments(s, a!, b!);
    expect(diffEnvironments(s, a!, b!)).toEqual(first);
    expect(diffEnvironments(structuredClone(s) as Snapshot, a!, b!)).toEqual(first);
    expect(first.services.length).toBeGreaterThan(0);
  });
});
