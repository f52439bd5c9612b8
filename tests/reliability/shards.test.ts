/**
 * Case 27.3 — shards cannot speak for each other. Four honest shards are
 * collected through the CLI; then each generated forgery changes them the way
 * a compromised matrix job could: a record moved or copied into a shard that
 * does not own its service, a record's service renamed to another shard's,
 * services traded between two shards' lists, a shard replaced by a symlink to
 * a file outside the ledger. Every forgery must make `merge` exit 2 with one
 * line and leave the ledger folder byte-identical; the honest shards still
 * merge afterwards.
 */
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf, shardsDir } from '../../src/collect/shard.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, recordFigure, SEED, treeState, useTempRoot, writeWorld } from './world.ts';

const tempRoot = useTempRoot('shards');
const N = 4;
const RUNS = 200;
const AT = '2026-03-14T02:00:00Z';
const ID = '2026-03-14T020000Z';
const SERVICES = Array.from({ length: 12 }, (_, i) => `svc-${String.fromCharCode(97 + i)}`);

type Rec = { service?: string; [k: string]: unknown };
interface Shard {
  services: string[];
  outcomes: { name: string; evidence: Record<string, Rec[]> }[];
}
type Forgery = { kind: 'move' | 'copy' | 'rename' | 'trade' | 'symlink'; from: number; to: number; pick: number };

describe('forged shards', () => {
  it('every forgery is refused with one line and nothing written', async ({ task }) => {
    const root = await tempRoot();
    const dir = path.join(root, 'ledger');
    const configFile = await writeWorld(dir, { services: SERVICES, inventory: baseInventory(SERVICES) });
    for (let i = 1; i <= N; i++) {
      const run = await runCli(['collect', '--config', configFile, '--shard', `${i}/${N}`, '--at', AT], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
    }
    const folder = shardsDir(path.join(dir, 'content', 'snapshots'), ID);
    const file = (i: number) => path.join(folder, `${i}-of-${N}.json`);
    const honest = await Promise.all(Array.from({ length: N }, (_, i) => readFile(file(i + 1), 'utf8')));
    const restore = async () => {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      await Promise.all(honest.map((text, i) => writeFile(file(i + 1), text)));
    };
    const owned = (shard: Shard) => shard.outcomes.flatMap((o) => Object.entries(o.evidence).flatMap(([key, list]) => list.map((record, index) => ({ o, key, index, record })))).filter((r) => typeof r.record.service === 'string');

    const forgeries = fc.sample(
      fc.record({
        kind: fc.constantFrom('move', 'copy', 'rename', 'trade', 'symlink'),
        from: fc.integer({ min: 1, max: N }),
        to: fc.integer({ min: 1, max: N - 1 }),
        pick: fc.nat(),
      }) as fc.Arbitrary<Forgery>,
      { seed: SEED, numRuns: RUNS },
    );
    const problems: string[] = [];
    const kinds = new Map<string, number>();
    let refusedCount = 0;
    for (const [n, f] of forgeries.entries()) {
      await restore();
      const to = ((f.from - 1 + f.to) % N) + 1; // another shard than `from`
      const from = JSON.parse(honest[f.from - 1]!) as Shard;
      const target = JSON.parse(honest[to - 1]!) as Shard;
      const records = owned(from);
      const chosen = records[f.pick % records.length]!;
      switch (f.kind) {
        case 'move':
        case 'copy': {
          target.outcomes.find((o) => o.name === chosen.o.name)!.evidence[chosen.key]!.push(chosen.record);
          if (f.kind === 'move') chosen.o.evidence[chosen.key]!.splice(chosen.index, 1);
          await writeFile(file(f.from), JSON.stringify(from));
          await writeFile(file(to), JSON.stringify(target));
          break;
        }
        case 'rename': {
          const victim = SERVICES.filter((s) => shardOf(s, N) === to)[f.pick % SERVICES.filter((s) => shardOf(s, N) === to).length]!;
          chosen.record.service = victim;
          await writeFile(file(f.from), JSON.stringify(from));
          break;
        }
        case 'trade': {
          const moved = from.services[f.pick % from.services.length]!;
          from.services = from.services.filter((s) => s !== moved);
          target.services.push(moved);
          await writeFile(file(f.from), JSON.stringify(from));
          await writeFile(file(to), JSON.stringify(target));
          break;
        }
        case 'symlink': {
          const outside = path.join(root, `outside-${n}.json`);
          await writeFile(outside, honest[f.from - 1]!);
          await rm(file(f.from));
          await symlink(outside, file(f.from));
          break;
        }
      }
      kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      const before = await treeState(dir);
      const run = await runCli(['merge', '--config', configFile, '--at', AT], { cwd: dir });
      const same = JSON.stringify(await treeState(dir)) === JSON.stringify(before);
      if (run.code === 2 && run.stderr.trim().split('\n').length === 1 && same) refusedCount++;
      else problems.push(`run ${n} (${f.kind} ${f.from}->${to}): exit ${run.code}, ${same ? 'nothing written' : 'files changed'}: ${run.stderr.trim()}`);
    }
    await restore();
    const control = await runCli(['merge', '--config', configFile, '--at', AT], { cwd: dir });
    const written = (await readdir(path.join(dir, 'content', 'snapshots'))).filter((f) => f.endsWith('.json'));
    recordFigure(task, {
      case: '27.3 forged shards refused by merge',
      runs: RUNS,
      result: `${refusedCount}/${RUNS} refused with one line, ledger unchanged; honest shards merge: exit ${control.code}`,
      target: '100% refused, nothing written',
      pass: refusedCount === RUNS && control.code === 0 && written.length === 1,
      detail: `${N} shards of ${SERVICES.length} services; ${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(control.code, control.stderr).toBe(0);
    expect(written).toEqual([`${ID}.json`]);
  }, 120_000);
});
