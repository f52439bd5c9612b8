/**
 * Case 4 — crash safety. 50 runs of the real CLI (`node bin/release-ledger.mjs
 * collect`), each SIGKILLed after a generated delay, over a ledger whose
 * snapshots are about 1.3 MB (120 services x 4 environments with configs), so
 * the write itself takes measurable time. After every kill: no partial or
 * corrupt snapshot file, the ledger verifies, and the next collect succeeds
 * and leaves no temp or lock file behind.
 *
 * Where the kill landed is read from the folder afterwards: the new snapshot
 * is there (after the write), or a temp/lock file of the killed process is
 * (during the append), or neither (before it).
 */
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { cp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listSnapshotIds, snapshotIdFor, verifyLedger } from '../../src/ledger/index.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, ENVIRONMENTS, recordFigure, REPO_ROOT, SEED, useTempRoot, writeWorld } from './world.ts';

const KILLS = 50;
/** Kills run this many at a time (CI has 2 cores). */
const LANES = 2;
const SERVICES = Array.from({ length: 120 }, (_, i) => `service-${String(i).padStart(3, '0')}`);

const tempRoot = useTempRoot('kill');
const BIN = path.join(REPO_ROOT, 'bin/release-ledger.mjs');
const SNAPSHOT_FILE = /^\d{4}-\d{2}-\d{2}T\d{6}Z\.json$/;

function inventory() {
  const base = baseInventory(SERVICES, (service, env) => (env === 'dev' ? '1.1.0' : '1.0.0'));
  const configs = SERVICES.flatMap((service) =>
    ENVIRONMENTS.map((environment) => ({
      service,
      environment,
      // The same values everywhere: no config.drift findings, only bulk.
      values: Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`SETTING_${k}`, `${service}-value-${k}`])),
    })),
  );
  return { ...base, configs };
}

interface Spawned {
  /** ms from spawn to exit */
  exitedAfter: Promise<{ ms: number; signal: NodeJS.Signals | null; code: number | null }>;
  kill: () => void;
  /** ms from spawn to the "wrote" progress line, when it came */
  wroteAt: () => number | undefined;
}

function spawnCollect(configFile: string, at: string): Spawned {
  const start = performance.now();
  let wrote: number | undefined;
  const child = spawn(process.execPath, [BIN, 'collect', '--config', configFile, '--at', at], { cwd: path.dirname(configFile), stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => {
    if (wrote === undefined && /\bwrote /.test(chunk.toString())) wrote = performance.now() - start;
  });
  const exitedAfter = new Promise<{ ms: number; signal: NodeJS.Signals | null; code: number | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ ms: performance.now() - start, signal, code })),
  );
  return { exitedAfter, kill: () => child.kill('SIGKILL'), wroteAt: () => wrote };
}

const timeOf = (minute: number) => new Date(Date.parse('2026-03-02T00:00:00Z') + minute * 60_000).toISOString().replace('.000Z', 'Z');

describe('crash safety', () => {
  it(`${KILLS} collects killed with SIGKILL leave no partial snapshot; the ledger verifies; the next collect succeeds`, async ({ task }) => {
    const root = await tempRoot();
    const template = path.join(root, 'template');
    const configFile = await writeWorld(template, { services: SERVICES, inventory: inventory() });
    const first = await runCli(['collect', '--config', configFile, '--at', '2026-03-01T02:00:00Z', '--quiet'], { cwd: template });
    expect(first.code, first.stderr).toBeLessThanOrEqual(3);

    // Calibrate: one full run of the real CLI, on a copy.
    await cp(template, path.join(root, 'calibration'), { recursive: true });
    const calibration = spawnCollect(path.join(root, 'calibration/release-ledger.config.yaml'), timeOf(0));
    const full = await calibration.exitedAfter;
    expect(full.code).toBeLessThanOrEqual(3);
    const wroteAt = calibration.wroteAt() ?? full.ms;

    // Half the kills at a random moment of the run; half 0-15 ms after the append starts (the lock or temp file appears).
    const plans = fc.sample(fc.record({ nearWrite: fc.boolean(), f: fc.integer({ min: 0, max: 10_000 }) }), { seed: SEED, numRuns: KILLS });

    const landed = { before: 0, during: 0, after: 0 };
    const problems: string[] = [];
    let partial = 0;
    let verified = 0;
    let nextOk = 0;
    let leftovers = 0;
    let count = 0;
    let finalOk = false;
    const spent = { killed: 0, next: 0 };

    async function killOnce(index: number, { nearWrite, f }: (typeof plans)[number]): Promise<void> {
      // A fresh copy of the one-snapshot ledger per kill, so verify stays cheap and runs are independent.
      const copy = path.join(root, `kill-${index}`);
      await cp(template, copy, { recursive: true });
      const copyConfig = path.join(copy, 'release-ledger.config.yaml');
      const copyDir = path.join(copy, 'content/snapshots');
      const at = timeOf(1 + index);
      const id = snapshotIdFor(new Date(at));
      const delay = nearWrite ? Math.round((15 * f) / 10_000) : Math.round((full.ms * 1.05 * f) / 10_000);
      const started = performance.now();
      const run = spawnCollect(copyConfig, at);
      if (nearWrite) {
        await new Promise<void>((resolve) => {
          const watcher = watch(copyDir, (_event, name) => {
            if (!name?.startsWith('.')) return;
            watcher.close();
            setTimeout(resolve, delay);
          });
          void run.exitedAfter.then(() => {
            watcher.close();
            resolve();
          });
        });
      } else await new Promise<void>((resolve) => setTimeout(resolve, delay));
      run.kill();
      await run.exitedAfter;
      spent.killed += performance.now() - started;

      const names = await readdir(copyDir);
      if (names.includes(`${id}.json`)) landed.after++;
      else if (names.some((n) => n.startsWith('.'))) landed.during++;
      else landed.before++;

      const result = await verifyLedger(copyDir);
      if (result.ok) verified++;
      else {
        problems.push(`kill ${index} (${nearWrite ? `${delay} ms into the append` : `after ${delay} ms`}): verify failed: ${path.basename(result.file)}: ${result.reason}`);
        if (SNAPSHOT_FILE.test(path.basename(result.file))) partial++;
      }
      // The next collect runs in-process (the real CLI's `main`, as `bin/` calls it): same code, no second start-up.
      const nextStarted = performance.now();
      const next = await runCli(['collect', '--config', copyConfig, '--at', timeOf(100 + index), '--quiet'], { cwd: copy });
      spent.next += performance.now() - nextStarted;
      if (next.code === 0 || next.code === 3) nextOk++;
      else problems.push(`kill ${index} (${nearWrite ? `${delay} ms into the append` : `after ${delay} ms`}): the next collect failed (${next.code}): ${next.stderr.trim()}`);
      const rest = (await readdir(copyDir)).filter((n) => !SNAPSHOT_FILE.test(n));
      if (rest.length) {
        leftovers++;
        problems.push(`kill ${index}: after the next collect the folder still has ${rest.join(', ')}`);
      }
      if (!(await verifyLedger(copyDir)).ok) problems.push(`kill ${index}: the ledger does not verify after the next collect`);
      else if (index < KILLS - 1) await rm(copy, { recursive: true, force: true });
      else {
        count = (await listSnapshotIds(copyDir)).length;
        finalOk = true;
      }
    }

    // Two lanes (one per core): each kills its own collects on its own ledger copies, one after the other.
    const lanesStarted = performance.now();
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let index = lane; index < KILLS; index += LANES) await killOnce(index, plans[index]!);
      }),
    );
    const wall = performance.now() - lanesStarted;

    recordFigure(task, {
      case: '4 crashes: collect killed (SIGKILL)',
      runs: KILLS,
      result: `${partial} partial/corrupt snapshots; ${verified}/${KILLS} ledgers verified; ${nextOk}/${KILLS} next collects succeeded`,
      target: '0 partial; ledger verifies; next collect succeeds',
      pass: partial === 0 && verified === KILLS && nextOk === KILLS && leftovers === 0 && finalOk,
      detail: `${plans.filter((p) => p.nearWrite).length} kills aimed at the append; landed before the write ${landed.before}, during the append ${landed.during}, after it ${landed.after}; full run ${Math.round(full.ms)} ms, write done at ${Math.round(wroteAt)} ms; ${count} snapshots in the last ledger; ${LANES} lanes, ${(wall / 1000).toFixed(1)} s wall (spawn to kill ${(spent.killed / 1000).toFixed(1)} s, next collects ${(spent.next / 1000).toFixed(1)} s in total)`,
    });
    expect(problems.slice(0, 10), `seed ${SEED}`).toEqual([]);
  }, 600_000);
});
