/**
 * `collect` refuses to append onto a chain that `verify` rejects (issue 17
 * item 9): before any source runs it checks the head it will link to — its
 * own content and its link to its predecessor (verifyLedger with `last: 1`) —
 * and names the file that does not hold. Nothing is written.
 */
import { readdir, readFile, rm, unlink, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeSnapshot, verifyLedger } from '../../src/ledger/index.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, writeWorld } from '../reliability/world.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'collect-head-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const TIMES = ['2026-03-12T02:00:00Z', '2026-03-13T02:00:00Z', '2026-03-14T02:00:00Z'];

/** A ledger of three collected snapshots; returns the config and the snapshot files, oldest first. */
async function ledger(name: string) {
  const dir = path.join(work, name);
  const config = await writeWorld(dir, { services: ['api'], inventory: baseInventory(['api']) });
  for (const at of TIMES) expect((await runCli(['collect', '--config', config, '--at', at, '--quiet'], { cwd: dir })).code).toBe(0);
  const snapshots = path.join(dir, 'content', 'snapshots');
  const files = (await readdir(snapshots)).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(snapshots, n));
  return { dir, config, snapshots, files };
}

async function collectRefused(world: Awaited<ReturnType<typeof ledger>>, file: string, reason: RegExp) {
  const before = (await readdir(world.snapshots)).sort();
  const run = await runCli(['collect', '--config', world.config, '--at', '2026-03-15T02:00:00Z', '--quiet'], { cwd: world.dir });
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(`cannot append onto the ledger: ${file} `);
  expect(run.stderr).toMatch(reason);
  expect((await readdir(world.snapshots)).sort()).toEqual(before);
  // The same file verify names.
  const verified = await verifyLedger(world.snapshots);
  expect(verified.ok).toBe(false);
}

async function edit(file: string, change: (snapshot: Record<string, unknown>) => void) {
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(snapshot);
  await writeFile(file, serializeSnapshot(snapshot as never));
}

describe('collect onto a chain that does not verify', () => {
  it('refuses a head edited after it was written (not canonical), naming it', async () => {
    const world = await ledger('head-edited');
    const head = world.files.at(-1)!;
    await writeFile(head, (await readFile(head, 'utf8')).replace('\n  "previous"', '\n   "previous"'));
    await collectRefused(world, head, /not in canonical form/);
  });

  it('refuses when the head does not vouch for its predecessor (the predecessor was altered), naming the predecessor', async () => {
    const world = await ledger('predecessor-altered');
    const predecessor = world.files.at(-2)!;
    await edit(predecessor, (s) => {
      (s.deployments as { deployedBy: string }[])[0]!.deployedBy = 'mallory';
    });
    await collectRefused(world, predecessor, /does not match the sha256 recorded by/);
  });

  it('refuses a head whose predecessor was deleted, naming the head', async () => {
    const world = await ledger('predecessor-deleted');
    await unlink(world.files.at(-2)!);
    await collectRefused(world, world.files.at(-1)!, /that file is missing/);
  });

  it('appends as before onto a chain that holds, reading only the head and its predecessor', async () => {
    const world = await ledger('fine');
    expect(await verifyLedger(world.snapshots, { last: 1 })).toMatchObject({ ok: true, count: 3, checked: 2 });
    const run = await runCli(['collect', '--config', world.config, '--at', '2026-03-15T02:00:00Z', '--quiet'], { cwd: world.dir });
    expect(run.code, run.stderr).toBe(0);
    expect((await verifyLedger(world.snapshots)).ok).toBe(true);
  });
});
