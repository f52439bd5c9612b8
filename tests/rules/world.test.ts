import { describe, expect, it } from 'vitest';
import { snapshotSchema } from '../../src/model/snapshot.ts';
import { cleanWorld, day, days, take } from './world.ts';

describe('the clean world', () => {
  it('raises no finding on the first day nor on later days, and stays a valid snapshot', () => {
    const first = take({ ...cleanWorld(), takenAt: day(2) });
    expect(first.findings).toEqual([]);
    const [, , third] = days([2, 3, 4].map((d) => ({ ...cleanWorld(), takenAt: day(d) })));
    expect(third!.findings).toEqual([]);
    expect(snapshotSchema.safeParse(third).success).toBe(true);
  });
});
