import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { appendSnapshot, findSnapshotAt, parseAt, snapshotIdFor, snapshotIdToDate } from '../../src/ledger/index.ts';
import { buildChain, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { useTempDirs } from './temp-ledger.ts';

const tempDir = useTempDirs();

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('snapshot ids', () => {
  it('are the UTC time to the second', () => {
    expect(snapshotIdFor(new Date('2026-03-14T02:03:04.567Z'))).toBe('2026-03-14T020304Z');
    expect(snapshotIdFor(new Date('2026-03-14T03:03:04+01:00'))).toBe('2026-03-14T020304Z');
    expect(snapshotIdToDate('2026-03-14T020304Z').toISOString()).toBe('2026-03-14T02:03:04.000Z');
  });

  it('refuses what is not an id', () => {
    expect(usageMessage(() => snapshotIdToDate('2026-03-14T250000Z'))).toMatchInlineSnapshot(
      `"\"2026-03-14T250000Z\" is not a snapshot id; use the UTC time as YYYY-MM-DDTHHMMSSZ, e.g. 2026-03-14T020000Z"`,
    );
    expect(() => snapshotIdToDate('2026-03-14')).toThrow(UsageError);
    expect(() => snapshotIdFor(new Date(Number.NaN))).toThrow('invalid Date');
  });
});

describe('parseAt', () => {
  it('reads a date alone as the end of that UTC day', () => {
    expect(parseAt('2026-03-14').toISOString()).toBe('2026-03-14T23:59:59.999Z');
    expect(parseAt('2024-02-29').toISOString()).toBe('2024-02-29T23:59:59.999Z');
  });

  it('reads ISO times with a zone, and snapshot ids', () => {
    expect(parseAt('2026-03-14T02:00:00Z').toISOString()).toBe('2026-03-14T02:00:00.000Z');
    expect(parseAt('2026-03-14T02:00Z').toISOString()).toBe('2026-03-14T02:00:00.000Z');
    expect(parseAt('2026-03-14T02:00:00.250+01:00').toISOString()).toBe('2026-03-14T01:00:00.250Z');
    expect(parseAt('2026-03-14T020000Z').toISOString()).toBe('2026-03-14T02:00:00.000Z');
  });

  it('refuses anything else with a one-line hint', () => {
    expect(usageMessage(() => parseAt('2026-02-30'))).toMatchInlineSnapshot(`"\"2026-02-30\" is not a calendar date; use YYYY-MM-DD, e.g. 2026-03-14"`);
    expect(usageMessage(() => parseAt('2026-03-14T02:00'))).toMatchInlineSnapshot(
      `"\"2026-03-14T02:00\" has no time zone; add Z for UTC (e.g. 2026-03-14T02:00Z) or an offset such as +01:00"`,
    );
    expect(usageMessage(() => parseAt('2026-03-14T24:30:00Z'))).toMatchInlineSnapshot(
      `"\"2026-03-14T24:30:00Z\" is not a valid time; use an ISO 8601 UTC time such as 2026-03-14T02:00:00Z"`,
    );
    expect(usageMessage(() => parseAt('yesterday'))).toMatchInlineSnapshot(
      `"\"yesterday\" is not a date or time; use YYYY-MM-DD (end of that day, UTC), an ISO time such as 2026-03-14T02:00:00Z, or a snapshot id such as 2026-03-14T020000Z"`,
    );
    expect(() => parseAt('2026-3-4')).toThrow(UsageError);
  });
});

describe('findSnapshotAt', () => {
  it('finds the latest snapshot taken at or before the moment', async () => {
    const dir = await tempDir();
    const { ids } = await buildChain(dir, 3); // 2026-03-10, 11, 12 at 02:00Z
    expect(await findSnapshotAt(dir, parseAt('2026-03-09'))).toBeNull();
    expect(await findSnapshotAt(dir, new Date('2026-03-10T01:59:59.999Z'))).toBeNull();
    expect(await findSnapshotAt(dir, new Date('2026-03-10T02:00:00Z'))).toBe(ids[0]);
    expect(await findSnapshotAt(dir, parseAt('2026-03-10'))).toBe(ids[0]);
    expect(await findSnapshotAt(dir, new Date('2026-03-12T01:59:59.999Z'))).toBe(ids[1]);
    expect(await findSnapshotAt(dir, parseAt('2026-03-12'))).toBe(ids[2]);
    expect(await findSnapshotAt(dir, parseAt('2030-01-01'))).toBe(ids[2]);
  });

  it('compares takenAt to the millisecond within the id’s second', async () => {
    const dir = await tempDir();
    await appendSnapshot(dir, buildSnapshot({ takenAt: '2026-03-14T02:00:00.500Z' }));
    expect(await findSnapshotAt(dir, new Date('2026-03-14T02:00:00.499Z'))).toBeNull();
    expect(await findSnapshotAt(dir, new Date('2026-03-14T02:00:00.500Z'))).toBe('2026-03-14T020000Z');
  });

  it('returns null for an empty or missing ledger', async () => {
    expect(await findSnapshotAt(await tempDir(), parseAt('2026-03-14'))).toBeNull();
  });
});
