/**
 * The site build reads each snapshot once for both of its indexes and hands
 * what it read to the pages (src/site/build.ts `indexPass`, audit-index.ts
 * `openChangeIndex`, export/extract.ts `knownSha256`): what it hands over must
 * be what the pages computed from the file themselves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePagePeriod, computeChangeIndex, openChangeIndex } from '../../src/site/audit-index.ts';
import { approvalRows } from '../../src/views/approvals.ts';
import { exportPopulation } from '../../src/export/extract.ts';
import { rowsOf } from '../../src/export/population.ts';
import { listSnapshotIds, readSnapshotEntry } from '../../src/ledger/index.ts';
import { ledgerFacts } from '../../src/site/incremental.ts';
import { writeSiteFixture } from '../helpers/site-fixture.ts';

let dir: string;
let ids: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-index-pass-'));
  await writeSiteFixture(dir, { quietDays: 2 });
  ids = await listSnapshotIds(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the change index fed by the shared pass', () => {
  it('finds the same changes as reading the ledger itself, and keeps each change page\'s row and approvals row as the page would compute them', async () => {
    const facts = await ledgerFacts(dir, ids);
    const pass = await openChangeIndex(ids, facts.identity, null, 'f');
    expect(pass.from).toBe(0);
    for (const id of ids) {
      const { snapshot, sha256 } = await readSnapshotEntry(dir, id);
      await pass.add(id, snapshot, sha256, null);
    }
    const changes = await pass.finish();
    expect(changes).toEqual(await computeChangeIndex(dir, ids, facts.identity, null, 'f'));
    expect(changes.length).toBeGreaterThan(0);
    expect(pass.rows.size).toBe(new Set(changes.map((c) => c.id)).size);
    expect([...pass.approvals.values()].some((r) => r !== null)).toBe(true);
    for (const entry of changes) {
      // data.ts `changeRow` and `changeContext` without the hand-over: from the snapshot that first recorded it.
      const { snapshot, sha256 } = await readSnapshotEntry(dir, entry.snapshot);
      const own = rowsOf(snapshot, sha256, changePagePeriod(snapshot), new Set()).find((r) => r.id === entry.id);
      expect(own).toBeDefined();
      expect(pass.rows.get(entry.id)).toEqual(own);
      expect(pass.approvals.get(entry.id)).toEqual(approvalRows(snapshot).find((r) => r.change === entry.id) ?? null);
    }
  });

  it('refuses a snapshot out of order', async () => {
    const facts = await ledgerFacts(dir, ids);
    const pass = await openChangeIndex(ids, facts.identity, null, 'f');
    const { snapshot, sha256 } = await readSnapshotEntry(dir, ids[1]!);
    await expect(pass.add(ids[1]!, snapshot, sha256, null)).rejects.toThrow(/not the next snapshot/);
  });
});

describe('a period export with the chain hashes the site knows', () => {
  it('writes the same bytes and manifest as the export command, which hashes every snapshot', async () => {
    const facts = await ledgerFacts(dir, ids);
    const run = async (known: boolean) => {
      const chunks: string[] = [];
      const { manifest } = await exportPopulation({
        snapshotsDir: dir,
        period: { from: ids[0]!.slice(0, 10), to: ids.at(-1)!.slice(0, 10), environments: null },
        format: 'csv',
        asOf: ids.at(-1)!,
        target: { write: (text) => chunks.push(text), name: 'population.csv' },
        extractedAt: new Date('2026-04-01T00:00:00Z'),
        generator: { name: 'release-ledger', version: 'test' },
        ...(known ? { knownSha256: (id: string) => facts.identity.get(id)?.split(':')[0] } : {}),
      });
      return { csv: chunks.join(''), manifest };
    };
    const hashed = await run(false);
    expect(hashed.manifest.snapshots.length).toBeGreaterThan(2);
    expect(await run(true)).toEqual(hashed);
  });
});
