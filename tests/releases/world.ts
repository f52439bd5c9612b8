/**
 * The rule-test world (tests/rules/world.ts) with the releases record `collect`
 * stores (src/collect/assemble.ts): declared releases and the tickets carried
 * from the previous snapshot.
 */
import type { ReleaseConfig } from '../../src/model/config.ts';
import { releasesRecord } from '../../src/model/release.ts';
import type { Snapshot, SnapshotInput } from '../../src/model/snapshot.ts';
import { evaluateRules } from '../../src/rules/index.ts';
import { draftOf } from '../rules/world.ts';

export * from '../rules/world.ts';

export type Day = Partial<SnapshotInput> & { releases?: never; declaredReleases?: ReleaseConfig[] };

/** One snapshot through the real pipeline, releases included. */
export function takeWithReleases(o: Day, previous: Snapshot | null = null): Snapshot {
  const { declaredReleases: declared = [], ...overrides } = o;
  const base = draftOf(overrides, previous);
  const draft = { ...base, releases: releasesRecord({ declared, changes: base.changes, previous: previous?.releases, takenAt: base.takenAt }) };
  return { ...draft, findings: evaluateRules({ draft, previous }) };
}

/** One snapshot per element, each the previous of the next. */
export function daysWithReleases(list: Day[]): Snapshot[] {
  const out: Snapshot[] = [];
  for (const o of list) out.push(takeWithReleases(o, out.at(-1) ?? null));
  return out;
}
