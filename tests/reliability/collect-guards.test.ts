/**
 * What `collect` refuses before it appends (issue 17 items 4, 7 and 9), as
 * generated cases through the real CLI:
 *
 * - `--at` at generated offsets from the clock, from 4 minutes behind to
 *   years ahead: accepted exactly when at most 5 minutes ahead; every
 *   refusal one line, exit 2, nothing written;
 * - generated lock files (holders dead, PID 1, live but unrelated, this
 *   process, another host fresh or stale, garbage; old and new formats):
 *   taken exactly when stale, refused while a live holder keeps it;
 * - generated damage to the head or its predecessor: refused with one line
 *   naming the file `verify` names, nothing written.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeSnapshot, verifyLedger } from '../../src/ledger/index.ts';
import { processStart } from '../../src/ledger/lock.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, recordFigure, SEED, useTempRoot, writeWorld } from './world.ts';

const tempRoot = useTempRoot('collect-guards');
const TIME_RUNS = 200;
const LOCK_RUNS = 200;
const HEAD_RUNS = 100;
const MINUTE = 60_000;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

const snapshotFiles = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();

describe('collect guards', () => {
  it(`${TIME_RUNS} generated --at offsets: accepted exactly when at most 5 minutes ahead of the clock`, async ({ task }) => {
    const root = await tempRoot();
    const config = await writeWorld(root, { services: ['api'], inventory: baseInventory(['api']) });
    const snapshots = path.join(root, 'content', 'snapshots');
    // From 4 minutes behind to 10 years ahead, dense around the 5-minute line.
    const offsetArb = fc.oneof(
      fc.integer({ min: -4 * MINUTE, max: 10 * MINUTE }),
      fc.integer({ min: 5 * MINUTE - 2_000, max: 5 * MINUTE + 2_000 }),
      fc.integer({ min: 10 * MINUTE, max: 10 * 365 * 24 * 60 * MINUTE }),
    );
    const offsets = fc.sample(offsetArb, { seed: SEED, numRuns: TIME_RUNS });
    let right = 0;
    let accepted = 0;
    const problems: string[] = [];
    for (const [i, offset] of offsets.entries()) {
      // The clock moves a day a run, so an accepted snapshot never makes the next run "older than the head".
      const now = new Date(Date.parse('2020-01-01T00:00:00Z') + i * 24 * 60 * MINUTE);
      // Whole seconds: a snapshot id has second precision.
      const at = new Date(Math.floor((now.getTime() + offset) / 1000) * 1000);
      const before = await snapshotFiles(snapshots);
      const run = await runCli(['collect', '--config', config, '--at', at.toISOString(), '--quiet'], { cwd: root, now: () => now });
      const after = await snapshotFiles(snapshots);
      const expectAccepted = at.getTime() - now.getTime() <= 5 * MINUTE;
      const ok = expectAccepted
        ? run.code === 0 && after.length === before.length + 1
        : run.code === 2 && run.stderr.trim().split('\n').length === 1 && /is later than now/.test(run.stderr) && after.length === before.length;
      if (ok) right++;
      else problems.push(`run ${i}: offset ${offset} ms: exit ${run.code}: ${run.stderr.trim()}`);
      if (run.code === 0) accepted++;
    }
    recordFigure(task, {
      case: 'collect: generated --at offsets',
      runs: TIME_RUNS,
      result: `${right}/${TIME_RUNS} as expected (${accepted} accepted at most 5 min ahead, ${TIME_RUNS - accepted} future times refused with one line, nothing written)`,
      target: 'future beyond 5 min refused; the rest appended',
      pass: right === TIME_RUNS,
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
  });

  it(`${LOCK_RUNS} generated lock files: stale ones taken, live holders respected`, async ({ task }) => {
    const root = await tempRoot();
    const config = await writeWorld(root, { services: ['api'], inventory: baseInventory(['api']) });
    const snapshots = path.join(root, 'content', 'snapshots');
    await mkdir(snapshots, { recursive: true });
    // A live process that is not release-ledger, and a live release-ledger-like holder (a Node process holding a lock elsewhere).
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(sleeper);
    const holderDir = path.join(root, 'holder');
    await mkdir(holderDir, { recursive: true });
    const lockModule = new URL('../../src/ledger/lock.ts', import.meta.url).href;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `const { takeLock } = await import(${JSON.stringify(lockModule)}); await takeLock(${JSON.stringify(holderDir)}); console.log('locked'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve()));
    const holderRecord = (await readFile(path.join(holderDir, '.release-ledger.lock'), 'utf8')).trim();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;

    const kinds = ['dead', 'pid1', 'unrelated', 'self', 'holder', 'other-host-fresh', 'other-host-stale', 'garbage'] as const;
    const lockArb = fc.record({ kind: fc.constantFrom(...kinds), format: fc.constantFrom('old', 'new', 'new-wrong-start') });
    const cases = fc.sample(lockArb, { seed: SEED, numRuns: LOCK_RUNS });
    let right = 0;
    let taken = 0;
    let respected = 0;
    const problems: string[] = [];
    const here = hostname();
    for (const [i, { kind, format }] of cases.entries()) {
      const pid = { dead, pid1: 1, unrelated: sleeper.pid!, self: process.pid, holder: holder.pid!, 'other-host-fresh': 4242, 'other-host-stale': 4242, garbage: 0 }[kind];
      const host = kind.startsWith('other-host') ? 'another-host' : here;
      const start = kind === 'holder' ? (JSON.parse(holderRecord) as { start: string }).start : kind.startsWith('other-host') ? 'b:1' : processStart(pid) ?? 'b:1';
      const text =
        kind === 'garbage' ? 'not a lock\n'
        : format === 'old' && !kind.startsWith('other-host') ? `${pid}\n`
        : `${JSON.stringify({ pid, host, start: format === 'new-wrong-start' && kind !== 'holder' ? 'another-boot:1' : start })}\n`;
      const lock = path.join(snapshots, '.release-ledger.lock');
      await writeFile(lock, text);
      if (kind === 'other-host-stale') await utimes(lock, new Date(Date.now() - 5 * MINUTE), new Date(Date.now() - 5 * MINUTE));
      const live = kind === 'holder' || kind === 'other-host-fresh';
      const before = await snapshotFiles(snapshots);
      const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60 * MINUTE).toISOString();
      const run = await runCli(['collect', '--config', config, '--at', at, '--quiet'], { cwd: root });
      const after = await snapshotFiles(snapshots);
      const ok = live
        ? run.code === 2 && /another append is in progress/.test(run.stderr) && after.length === before.length
        : run.code === 0 && after.length === before.length + 1;
      if (ok) right++;
      else problems.push(`run ${i}: ${kind}/${format}: exit ${run.code}: ${run.stderr.trim()}`);
      if (live && ok) respected++;
      if (!live && ok) taken++;
      await unlink(lock).catch(() => undefined);
    }
    recordFigure(task, {
      case: 'collect: generated lock files',
      runs: LOCK_RUNS,
      result: `${right}/${LOCK_RUNS} as expected: ${taken} stale locks taken (dead, PID 1, unrelated live, own PID, stale remote, garbage), ${respected} live holders respected`,
      target: 'stale taken, live holder blocks',
      pass: right === LOCK_RUNS,
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
  });

  it(`${HEAD_RUNS} generated damages to the head or its predecessor: refused, naming the file verify names`, async ({ task }) => {
    const root = await tempRoot();
    const template = path.join(root, 'template');
    const config = await writeWorld(template, { services: ['api', 'web'], inventory: baseInventory(['api', 'web']) });
    for (const day of [10, 11, 12]) expect((await runCli(['collect', '--config', config, '--at', `2026-03-${day}T02:00:00Z`, '--quiet'], { cwd: template })).code).toBe(0);
    const damageArb = fc.record({
      target: fc.constantFrom('head', 'predecessor'),
      kind: fc.constantFrom('value-edited-canonically', 'byte-flipped', 'whitespace', 'truncated', 'deleted', 'link-edited'),
      at: fc.nat(),
    });
    const damages = fc.sample(damageArb, { seed: SEED, numRuns: HEAD_RUNS });
    let right = 0;
    let refused = 0;
    let olderOnly = 0;
    const problems: string[] = [];
    for (const [i, damage] of damages.entries()) {
      const dir = path.join(root, `run-${i}`);
      await cp(template, dir, { recursive: true });
      const snapshots = path.join(dir, 'content', 'snapshots');
      const files = await snapshotFiles(snapshots);
      const file = path.join(snapshots, files[damage.target === 'head' ? 2 : 1]!);
      const text = await readFile(file, 'utf8');
      const json = JSON.parse(text) as { deployments: { deployedBy: string }[]; previous: { sha256: string } | null };
      switch (damage.kind) {
        case 'value-edited-canonically':
          json.deployments[damage.at % json.deployments.length]!.deployedBy = 'mallory';
          await writeFile(file, serializeSnapshot(json as never));
          break;
        case 'byte-flipped': {
          // A letter inside a value (after the opening of the top-level object), so the JSON still parses.
          const letters = [...text.matchAll(/: "[a-z]/g)].map((m) => m.index! + 3);
          const at = letters[damage.at % letters.length]!;
          await writeFile(file, text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1));
          break;
        }
        case 'whitespace':
          await writeFile(file, text.replace('\n  "', '\n   "'));
          break;
        case 'truncated':
          await writeFile(file, text.slice(0, damage.at % text.length));
          break;
        case 'deleted':
          await unlink(file);
          break;
        case 'link-edited':
          json.previous = { ...json.previous!, sha256: '0'.repeat(64) };
          await writeFile(file, serializeSnapshot(json as never));
          break;
      }
      // What collect promises: the head and its link to its predecessor hold (verify's own check, last: 1); where it
      // fails, the file it names is the one a full verify names too.
      const verified = await verifyLedger(snapshots, { last: 1 });
      const full = await verifyLedger(snapshots);
      if (!full.ok && verified.ok) olderOnly++;
      const before = await snapshotFiles(snapshots);
      const run = await runCli(['collect', '--config', path.join(dir, 'release-ledger.config.yaml'), '--at', '2026-03-13T02:00:00Z', '--quiet'], { cwd: dir });
      const after = await snapshotFiles(snapshots);
      const named = verified.ok ? null : verified.file;
      // Deleting the head leaves a sound, shorter chain: collect appends onto it.
      const ok = verified.ok
        ? run.code === 0
        : run.code === 2 &&
          run.stderr.trim().split('\n').length === 1 &&
          run.stderr.includes(`cannot append onto the ledger: ${named} `) &&
          after.join() === before.join() &&
          !full.ok &&
          full.file === named;
      if (!verified.ok) refused++;
      if (ok) right++;
      else problems.push(`run ${i}: ${damage.target} ${damage.kind}: head check ${verified.ok ? 'ok' : `names ${path.basename(named!)}`}, full verify ${full.ok ? 'ok' : `names ${path.basename(full.file)}`}; collect exit ${run.code}: ${run.stderr.trim()}`);
      await rm(dir, { recursive: true, force: true });
    }
    recordFigure(task, {
      case: 'collect: generated damage to the head or its predecessor',
      runs: HEAD_RUNS,
      result: `${right}/${HEAD_RUNS} as expected: ${refused} refused with one line naming the file a full verify names, nothing written; ${HEAD_RUNS - refused} appended onto a head that holds`,
      target: 'never appends onto a head or link that does not hold',
      pass: right === HEAD_RUNS,
      detail: `${olderOnly} damaged only the predecessor's own form (its canonical hash unchanged): left to verify`,
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
  });
});
