/**
 * `collect --at` in the future is refused (issue 17 item 4): a snapshot dated
 * 9999-12-31 became the head and every later collect was "older than the
 * head". A few minutes of clock skew are allowed (CLOCK_SKEW_MS).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, writeWorld } from '../reliability/world.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'collect-time-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const NOW = new Date('2026-03-14T02:00:00Z');
const snapshots = async (dir: string) => (await readdir(path.join(dir, 'content', 'snapshots')).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));

describe('collect --at in the future', () => {
  it('is refused with one line and exit 2, nothing written; the next collect still works', async () => {
    const dir = path.join(work, 'far');
    const config = await writeWorld(dir, { services: ['api'], inventory: baseInventory(['api']) });
    const run = await runCli(['collect', '--config', config, '--at', '9999-12-31T23:59:59Z', '--quiet'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--at 9999-12-31T23:59:59Z is later than now \(.*\) by more than 5 minutes of clock skew/);
    expect(await snapshots(dir)).toEqual([]);
    const next = await runCli(['collect', '--config', config, '--quiet'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    expect(await snapshots(dir)).toHaveLength(1);
  });

  it('allows 5 minutes of clock skew, no more; a date alone (the end of that day) is in the future until the day is over', async () => {
    const dir = path.join(work, 'skew');
    const config = await writeWorld(dir, { services: ['api'], inventory: baseInventory(['api']) });
    const at = async (value: string, argv: string[] = []) => runCli(['collect', '--config', config, '--at', value, '--quiet', ...argv], { cwd: dir, now: () => NOW });
    expect((await at('2026-03-14T02:06:00Z')).code).toBe(2);
    expect((await at('2026-03-14')).stderr).toMatch(/a date alone means the end of that day/);
    expect((await at('2026-03-14T02:06:00Z', ['--shard', '1/2'])).code).toBe(2);
    const merge = await runCli(['merge', '--config', config, '--at', '2026-03-15T00:00:00Z', '--quiet'], { cwd: dir, now: () => NOW });
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/later than now/);
    expect(await snapshots(dir)).toEqual([]);
    const skewed = await at('2026-03-14T02:05:00Z');
    expect(skewed.code, skewed.stderr).toBe(0);
    expect(await snapshots(dir)).toEqual(['2026-03-14T020500Z.json']);
  });
});
