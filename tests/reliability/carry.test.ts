/**
 * Case 19.7 — a snapshot carried away and checked alone. An auditor holds one
 * hash of a snapshot (its chain hash, from a footer, `verify` or the next
 * snapshot; or its file hash, from `/snapshots/` or `sha256sum`) and a
 * downloaded file. Generated damage to that file — a byte flipped anywhere,
 * truncation, another snapshot's bytes, a canonical forgery with one value
 * changed — must be refused by `release-ledger verify --file F
 * --expect-sha256 H` (in-process CLI) in one line, whichever form H is; the
 * intact file must be accepted against either form, naming the one that
 * matched.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot, sha256Hex } from '../../src/ledger/index.ts';
import { buildChain } from '../helpers/snapshot-builder.ts';
import { runCli } from '../helpers/cli.ts';
import { recordFigure, SEED, useTempRoot } from './world.ts';

const RUNS = 500;
const tempRoot = useTempRoot('carry');

type Damage = { kind: 'flip'; at: number; mask: number } | { kind: 'truncate'; at: number } | { kind: 'other' } | { kind: 'forge' } | { kind: 'none' };

describe('case 19.7: one downloaded snapshot checked alone', () => {
  it('refuses every damaged file against either held hash and accepts the intact one naming its form', async ({ task }) => {
    const root = await tempRoot();
    const dir = path.join(root, 'snapshots');
    const chain = await buildChain(dir, 4);
    const files = await Promise.all(chain.ids.map((id) => readFile(path.join(dir, `${id}.json`))));
    const auditor = path.join(root, 'auditor');
    await mkdir(auditor, { recursive: true });
    const damage: fc.Arbitrary<Damage> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'other' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'forge' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    );
    const counts = { damaged: 0, refused: 0, intact: 0, accepted: 0, multiLine: 0 };
    const byKind: Record<string, number> = {};
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: chain.ids.length - 1 }), damage, fc.constantFrom('chain' as const, 'file' as const), async (i, d, form) => {
        const original = files[i]!;
        const held = form === 'chain' ? chain.hashes[i]! : sha256Hex(original);
        let bytes: Buffer;
        if (d.kind === 'flip') {
          bytes = Buffer.from(original);
          const at = d.at % bytes.length;
          bytes[at] = bytes[at]! ^ d.mask;
        } else if (d.kind === 'truncate') bytes = original.subarray(0, d.at % original.length);
        else if (d.kind === 'other') bytes = files[(i + 1) % files.length]!;
        else if (d.kind === 'forge') bytes = Buffer.from(serializeSnapshot({ ...chain.snapshots[i]!, name: `${chain.snapshots[i]!.name} (forged)` }));
        else bytes = original;
        const name = `download-${run++}.json`;
        await writeFile(path.join(auditor, name), bytes);
        const result = await runCli(['verify', '--file', name, '--expect-sha256', held], { cwd: auditor });
        byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
        if (result.stderr.trimEnd().split('\n').length > 1) counts.multiLine++;
        if (d.kind === 'none') {
          counts.intact++;
          if (result.code === 0 && result.stdout.includes(`as its ${form} hash`)) counts.accepted++;
        } else {
          counts.damaged++;
          if (result.code === 2 && result.stdout === '' && /^verify failed: /.test(result.stderr)) counts.refused++;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const pass = counts.refused === counts.damaged && counts.accepted === counts.intact && counts.multiLine === 0 && counts.damaged > 0 && counts.intact > 0;
    recordFigure(task, {
      case: '19.7 a downloaded snapshot checked alone against a held hash',
      runs: RUNS,
      result: `${counts.refused}/${counts.damaged} damaged files refused in one line; ${counts.accepted}/${counts.intact} intact files accepted, naming the form held`,
      target: '100% refused, 100% accepted against either form',
      pass,
      detail: Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', '),
    });
    expect(counts).toEqual({ damaged: counts.damaged, refused: counts.damaged, intact: counts.intact, accepted: counts.intact, multiLine: 0 });
    expect(pass).toBe(true);
  });
});
