/**
 * The saved cross-day index state (src/site/incremental.ts): the lists that
 * only grow are appended to files of their own each night, the rest is a
 * head written whole. A night killed after appending (the head not yet
 * replaced) leaves bytes the head does not cover: the next night cuts them,
 * and every resumed index equals the one built from every snapshot.
 */
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../../scripts/bench-ledger.ts';
import { readSnapshot } from '../../src/ledger/index.ts';
import { computeLedgerIndex, generatorFingerprint, ledgerFacts } from '../../src/site/incremental.ts';
import { buildLedgerIndex } from '../../src/views/index.ts';

let work: string;
let ids: string[];
let dir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'index-parts-'));
  const result = await generateLedger({ days: 6, services: 6, environments: 3, outDir: path.join(work, 'generated'), seed: 11, direct: true });
  ids = result.ids;
  dir = path.join(work, 'ledger');
  await mkdir(dir, { recursive: true });
  for (const id of ids) await copyFile(path.join(result.snapshotsDir, `${id}.json`), path.join(dir, `${id}.json`));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the saved index state in parts', () => {
  it('appends each night, cuts what a killed night appended, and resumes equal to a build from every snapshot', async () => {
    const cacheDir = path.join(work, 'cache');
    const fingerprint = await generatorFingerprint({});
    const expected = async (n: number) => JSON.stringify(buildLedgerIndex(await Promise.all(ids.slice(0, n).map((id) => readSnapshot(dir, id)))));
    const parts = async () => (await readdir(cacheDir)).filter((f) => f.startsWith('ledger-index-')).sort();
    expect((await computeLedgerIndex(dir, await ledgerFacts(dir, ids.slice(0, 3)), cacheDir, fingerprint)).read).toBe(3);
    const names = await parts();
    expect(names.map((f) => f.replace(/\.[0-9a-f]+\.json$/, ''))).toEqual(['ledger-index-events', 'ledger-index-lineage', 'ledger-index-prs', 'ledger-index-seenChanges']);
    // The head holds none of the appended lists.
    const head = JSON.parse(await readFile(path.join(cacheDir, 'ledger-index.json'), 'utf8'));
    expect([head.state.events, head.state.lineage, head.state.prs, head.state.seenChanges]).toEqual([[], [], [], []]);
    expect(head.parts.events.items).toBeGreaterThan(0);
    const sizes = await Promise.all(names.map(async (f) => (await stat(path.join(cacheDir, f))).size));

    // A night killed after appending to every part, before its head.
    for (const f of names) await appendFile(path.join(cacheDir, f), ',{"service":"killed night"}');
    const fourth = await computeLedgerIndex(dir, await ledgerFacts(dir, ids.slice(0, 4)), cacheDir, fingerprint);
    expect(fourth.read).toBe(1);
    expect(JSON.stringify(fourth.index)).toBe(await expected(4));
    // Appended, not rewritten: the same files, grown (the killed night's bytes cut first).
    expect(await parts()).toEqual(names);
    const grown = await Promise.all(names.map(async (f) => (await stat(path.join(cacheDir, f))).size));
    grown.forEach((size, i) => expect(size).toBeGreaterThanOrEqual(sizes[i]!));
    for (const f of names) expect(await readFile(path.join(cacheDir, f), 'utf8')).not.toContain('killed night');

    for (const n of [5, 6]) {
      const resumed = await computeLedgerIndex(dir, await ledgerFacts(dir, ids.slice(0, n)), cacheDir, fingerprint);
      expect(resumed.read).toBe(1);
      expect(JSON.stringify(resumed.index)).toBe(await expected(n));
    }

    // A part that no longer holds what its head says: the index starts over from the files, and writes new parts.
    const events = names.find((f) => f.startsWith('ledger-index-events'))!;
    await appendFile(path.join(cacheDir, events), '', { flag: 'w' });
    const over = await computeLedgerIndex(dir, await ledgerFacts(dir, ids), cacheDir, fingerprint);
    expect(over.read).toBe(ids.length);
    expect(JSON.stringify(over.index)).toBe(await expected(ids.length));
    const renewed = await parts();
    expect(renewed).toHaveLength(4);
    expect(renewed.some((f) => names.includes(f))).toBe(false);
  }, 120_000);
});
