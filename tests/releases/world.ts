/**
 * The rule-test world (tests/rules/world.ts, which stores the releases record
 * as collect does: declared releases and the tickets carried from the previous
 * snapshot), with the config's declared releases as one more field.
 */
import type { ReleaseConfig } from '../../src/model/config.ts';
import type { Snapshot, SnapshotInput } from '../../src/model/snapshot.ts';
import { take } from '../rules/world.ts';

export * from '../rules/world.ts';

export type Day = Partial<SnapshotInput> & { releases?: never; declaredReleases?: ReleaseConfig[] };

/** One snapshot through the real pipeline, releases included. */
export function takeWithReleases(o: Day, previous: Snapshot | null = null): Snapshot {
  const { declaredReleases = [], ...overrides } = o;
  return take({ ...overrides, releases: { declared: declaredReleases, builds: [] } }, previous);
}

/** One snapshot per element, each the previous of the next. */
export function daysWithReleases(list: Day[]): Snapshot[] {
  const out: Snapshot[] = [];
  for (const o of list) out.push(takeWithReleases(o, out.at(-1) ?? null));
  return out;
}
