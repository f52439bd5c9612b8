/**
 * Issue 21: an audit export re-performed against the ledger. A built ledger
 * of 8 chained snapshots is exported as CSV and JSON; then generated damage
 * to the export file, to its manifest, or to both made to agree (the file's
 * sha256 and size written into the manifest) must each be refused by
 * `export --check` in one line; the intact pair is accepted.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExport, exportPopulation, type Manifest } from '../../src/export/extract.ts';
import { buildChain, buildChange, buildDeployment } from '../helpers/snapshot-builder.ts';
import { recordFigure, SEED, useTempRoot } from './world.ts';

const RUNS = 300;
const tempRoot = useTempRoot('export-check');

type Damage =
  | { kind: 'flip'; at: number; xor: number; agree: boolean }
  | { kind: 'delete'; at: number; agree: boolean }
  | { kind: 'insert'; at: number; byte: number; agree: boolean }
  | { kind: 'truncate'; keep: number; agree: boolean }
  | { kind: 'swap-lines'; a: number; b: number; agree: boolean }
  | { kind: 'manifest'; field: 'rows' | 'snapshot-hash' | 'snapshot-dropped' | 'head' | 'command' | 'parameters' };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), agree: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), agree: fc.boolean() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), agree: fc.boolean() }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(), agree: fc.boolean() }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat(), agree: fc.boolean() }),
  fc.record({ kind: fc.constant('manifest' as const), field: fc.constantFrom('rows' as const, 'snapshot-hash' as const, 'snapshot-dropped' as const, 'head' as const, 'command' as const, 'parameters' as const) }),
);

/** The damaged bytes, or null when the damage would leave them unchanged (swapping two equal lines). */
function damaged(bytes: Buffer, d: Exclude<Damage, { kind: 'manifest' }>): Buffer | null {
  const at = (n: number, length = bytes.length) => n % length;
  switch (d.kind) {
    case 'flip': {
      const out = Buffer.from(bytes);
      out[at(d.at)] = out[at(d.at)]! ^ d.xor;
      return out;
    }
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at(d.at)), bytes.subarray(at(d.at) + 1)]);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at(d.at, bytes.length + 1)), Buffer.from([d.byte]), bytes.subarray(at(d.at, bytes.length + 1))]);
    case 'truncate':
      return bytes.subarray(0, at(d.keep));
    case 'swap-lines': {
      const lines = bytes.toString('utf8').split('\n');
      const [a, b] = [1 + at(d.a, lines.length - 2), 1 + at(d.b, lines.length - 2)];
      if (lines[a] === lines[b]) return null;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return Buffer.from(lines.join('\n'));
    }
  }
}

describe('export --check against generated damage (issue 21)', () => {
  it('refuses every damaged export or manifest in one line, and accepts the intact ones', async (context) => {
    const root = await tempRoot();
    const snapshotsDir = path.join(root, 'snapshots');
    await buildChain(snapshotsDir, 8, {
      start: '2026-03-01T22:30:00Z',
      edit: (i) => {
        const prod = buildDeployment({ service: 'api', environment: 'prod', version: `2.${i}.0`, deployedAt: `2026-03-0${i + 1}T10:00:00Z`, approvals: [{ by: 'bob', at: `2026-03-0${i + 1}T${i % 2 ? '11' : '09'}:00:00Z`, state: 'approved', kind: 'deployment' }] });
        const web = buildDeployment({ service: 'web', environment: 'prod', version: `1.${Math.floor(i / 3)}.0`, deployedAt: `2026-03-0${Math.floor(i / 3) * 3 + 1}T12:00:00Z` });
        return {
          deployments: [prod, web],
          changes: [buildChange({ service: 'api', environment: 'prod', version: `2.${i}.0`, deployedAt: prod.deployedAt, pullRequests: [{ number: 10 + i, title: i % 2 ? `=cmd|' /C calc'!A${i}` : `Fix #${i}, "quoted"\nand a new line`, author: 'carol', mergedBy: 'dave', mergedAt: null, reviewers: ['erin'] }] })],
        };
      },
    });
    const originals: Record<'csv' | 'json', { file: string; bytes: Buffer; manifest: Manifest }> = {} as never;
    for (const format of ['csv', 'json'] as const) {
      const file = path.join(root, `population.${format}`);
      const { manifest } = await exportPopulation({ snapshotsDir, period: { from: '2026-03-01', to: '2026-03-07', environments: null }, format, target: { file }, extractedAt: new Date('2026-04-01T00:00:00Z'), generator: { name: 'release-ledger', version: 'test' } });
      originals[format] = { file, bytes: await readFile(file), manifest };
    }
    expect(originals.csv.manifest.rows).toBeGreaterThan(6);
    const intact = await Promise.all((['csv', 'json'] as const).map((f) => checkExport({ snapshotsDir, file: originals[f].file })));
    expect(intact.map((r) => r.ok)).toEqual([true, true]);

    let refused = 0;
    let oneLine = 0;
    let skipped = 0;
    const byKind = new Map<string, number>();
    const failures: string[] = [];
    const samples = fc.sample(fc.tuple(fc.constantFrom('csv' as const, 'json' as const), damage), { numRuns: RUNS, seed: SEED });
    for (const [format, d] of samples) {
      const original = originals[format];
      let bytes = original.bytes;
      let manifest: Manifest = structuredClone(original.manifest);
      if (d.kind === 'manifest') {
        if (d.field === 'rows') manifest.rows += 1;
        if (d.field === 'snapshot-hash') manifest.snapshots[1]!.sha256 = createHash('sha256').update('forged').digest('hex');
        if (d.field === 'snapshot-dropped') manifest.snapshots.splice(2, 1);
        if (d.field === 'head') manifest.ledger.head.sha256 = createHash('sha256').update('other head').digest('hex');
        if (d.field === 'command') manifest.command = manifest.command.replace('--from 2026-03-01', '--from 2026-03-02');
        if (d.field === 'parameters') manifest.parameters.to = '2026-03-06';
      } else {
        const out = damaged(bytes, d);
        if (out === null || out.equals(bytes)) {
          skipped++;
          continue;
        }
        bytes = out;
        // The same damage with the manifest made to agree: only re-deriving from the ledger can tell.
        if (d.agree) manifest = { ...manifest, file: { ...manifest.file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length } };
      }
      const kind = d.kind === 'manifest' ? `manifest ${d.field}` : `${d.kind}${d.agree ? ' (manifest agreeing)' : ''}`;
      await writeFile(original.file, bytes);
      await writeFile(`${original.file}.manifest.json`, JSON.stringify(manifest, null, 2));
      const result = await checkExport({ snapshotsDir, file: original.file });
      if (!result.ok) {
        refused++;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        if (!result.reason.includes('\n')) oneLine++;
        else failures.push(`${format} ${kind}: reason has several lines`);
      } else failures.push(`${format} ${kind}: accepted`);
    }
    // Put the originals back: the intact pair is still accepted.
    for (const format of ['csv', 'json'] as const) {
      await writeFile(originals[format].file, originals[format].bytes);
      await writeFile(`${originals[format].file}.manifest.json`, JSON.stringify(originals[format].manifest, null, 2));
    }
    const again = await Promise.all((['csv', 'json'] as const).map((f) => checkExport({ snapshotsDir, file: originals[f].file })));
    const damagedRuns = RUNS - skipped;
    recordFigure(context.task, {
      case: '21 audit export: damaged exports and manifests',
      runs: damagedRuns,
      result: `${refused}/${damagedRuns} refused, ${oneLine}/${damagedRuns} in one line; intact CSV and JSON accepted before and after (${again.filter((r) => r.ok).length}/2)`,
      target: '100% refused in one line; intact accepted',
      pass: refused === damagedRuns && oneLine === damagedRuns && again.every((r) => r.ok),
      detail: [...byKind].sort().map(([k, n]) => `${k} ${n}`).join(', '),
    });
    expect(failures.slice(0, 10), `seed ${SEED}`).toEqual([]);
    expect(again.map((r) => r.ok)).toEqual([true, true]);
    expect(damagedRuns).toBeGreaterThan(RUNS * 0.9);
  }, 300_000);
});
