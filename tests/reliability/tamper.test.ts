/**
 * Case 1 — tamper evidence. A real ledger of 10 chained snapshots is
 * collected once through the CLI; then 1,000 generated mutations of its PAST
 * snapshots (the head is covered only by the hash anchored outside the repo,
 * see docs/guarantees.md) are written to fresh folders and verified. Each must
 * fail, naming the first bad file, which this test works out on its own from
 * what the mutation did:
 *
 * - a byte changed inside a value, or a file truncated: that file;
 * - files deleted: the first survivor after the deleted ones;
 * - a copy of a snapshot under another time's name (duplicate): the copy;
 * - contents of files permuted (reordered): the first file whose content moved;
 * - a valid snapshot inserted between two others, chained to the one before
 *   it (with a correct or a wrong hash), or a new genesis inserted before the
 *   first: the inserted file;
 * - a snapshot replaced by a valid, canonical forgery re-chained to its
 *   predecessor, successors not rewritten: the forged file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, serializeSnapshot, sha256Hex, snapshotIdFor, verifyLedger } from '../../src/ledger/index.ts';
import { snapshotSchema, type Snapshot } from '../../src/model/index.ts';
import { runCli } from '../helpers/cli.ts';
import { baseInventory, recordFigure, SEED, useTempRoot, writeInventory, writeWorld } from './world.ts';

const RUNS = 1000;
const SNAPSHOTS = 10;
const tempRoot = useTempRoot('tamper');

interface Original {
  names: string[];
  bytes: Buffer[];
  snapshots: Snapshot[];
  hashes: string[];
}

/** Collects SNAPSHOTS real snapshots, one a day, each with a different version somewhere. */
async function collectLedger(): Promise<Original> {
  const root = await tempRoot();
  const services = ['api', 'web', 'worker', 'core-lib'];
  const configFile = await writeWorld(root, { services, inventory: baseInventory(services) });
  const names: string[] = [];
  for (let day = 0; day < SNAPSHOTS; day++) {
    await writeInventory(
      root,
      baseInventory(services, (service, env) => (env === 'dev' && service === services[day % services.length] ? `1.${day}.0` : '1.0.0')),
    );
    const at = `2026-03-${String(day + 1).padStart(2, '0')}T02:00:00Z`;
    const run = await runCli(['collect', '--config', configFile, '--at', at, '--quiet'], { cwd: root });
    expect(run.code, run.stderr).toBe(0);
    names.push(`${snapshotIdFor(new Date(at))}.json`);
  }
  const dir = path.join(root, 'content/snapshots');
  const { readFile } = await import('node:fs/promises');
  const bytes = await Promise.all(names.map((name) => readFile(path.join(dir, name))));
  const snapshots = bytes.map((b) => snapshotSchema.parse(JSON.parse(b.toString('utf8'))));
  const hashes = bytes.map((b) => sha256Hex(canonicalJson(JSON.parse(b.toString('utf8')))));
  return { names, bytes, snapshots, hashes };
}

type Mutation =
  | { kind: 'byte'; file: number; at: number; byte: number }
  | { kind: 'truncate'; file: number; keep: number }
  | { kind: 'delete'; from: number; count: number }
  | { kind: 'duplicate'; file: number; slot: number; offsetSeconds: number }
  | { kind: 'reorder'; files: number[]; rotate: number }
  | { kind: 'insert'; after: number; offsetSeconds: number; wrongHash: boolean; edit: number }
  | { kind: 'insert-genesis'; offsetSeconds: number }
  | { kind: 'forge'; file: number; edit: number };

const past = fc.integer({ min: 0, max: SNAPSHOTS - 2 });
const fraction = fc.integer({ min: 0, max: 1_000_000 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('byte' as const), file: past, at: fraction, byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), file: past, keep: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), from: past, count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), file: past, slot: fc.integer({ min: -1, max: SNAPSHOTS - 2 }), offsetSeconds: fc.integer({ min: 1, max: 80_000 }) }) },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(fc.integer({ min: 0, max: SNAPSHOTS - 1 }), { minLength: 2, maxLength: 4 })
      .chain((files) => fc.record({ kind: fc.constant('reorder' as const), files: fc.constant(files.sort((a, b) => a - b)), rotate: fc.integer({ min: 1, max: files.length - 1 }) })),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), after: past, offsetSeconds: fc.integer({ min: 1, max: 80_000 }), wrongHash: fc.boolean(), edit: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert-genesis' as const), offsetSeconds: fc.integer({ min: 1, max: 80_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('forge' as const), file: past, edit: fraction }) },
);

/** The name of a snapshot file `seconds` after snapshot `index` (or before the first when index is -1). */
function nameAfter(original: Original, index: number, seconds: number): { id: string; takenAt: string; name: string } {
  const base = Date.parse(original.snapshots[Math.max(index, 0)]!.takenAt);
  const time = new Date(index < 0 ? base - seconds * 1000 : base + seconds * 1000);
  const id = snapshotIdFor(time);
  return { id, takenAt: time.toISOString().replace('.000Z', 'Z'), name: `${id}.json` };
}

/** A believable edit an attacker would make: a different deployer or version somewhere. */
function edited(snapshot: Snapshot, edit: number): Snapshot {
  const copy = structuredClone(snapshot);
  const deployment = copy.deployments[edit % copy.deployments.length]!;
  if (edit % 2 === 0) deployment.deployedBy = 'mallory';
  else deployment.version = `${deployment.version}-hotfix${edit % 97}`;
  return copy;
}

/** Offsets of bytes inside JSON values (string contents, numbers, literals): never inside a key or the layout. */
function valueOffsets(text: string): number[] {
  const offsets: number[] = [];
  const lines = text.split('\n');
  let position = 0;
  for (const line of lines) {
    const match = /^(\s*)(?:"(?:[^"\\]|\\.)*": )?(.*?),?$/.exec(line);
    const value = match?.[2] ?? '';
    if (value !== '' && value !== '{' && value !== '[' && value !== '}' && value !== ']' && value !== '{}' && value !== '[]') {
      const start = position + line.length - value.length - (line.endsWith(',') ? 1 : 0);
      const inner = value.startsWith('"') ? [start + 1, start + value.length - 1] : [start, start + value.length];
      for (let i = inner[0]!; i < inner[1]!; i++) offsets.push(i);
    }
    position += line.length + 1;
  }
  return offsets;
}

/** Applies a mutation; returns the files of the mutated ledger and the name verify must report. */
function apply(original: Original, m: Mutation): { files: Map<string, Buffer>; expected: string; label: string } {
  const files = new Map(original.names.map((name, i) => [name, original.bytes[i]!]));
  const { names } = original;
  switch (m.kind) {
    case 'byte': {
      const bytes = Buffer.from(original.bytes[m.file]!);
      const offsets = valueOffsets(bytes.toString('latin1'));
      const at = offsets[m.at % offsets.length]!;
      bytes[at] = bytes[at] === m.byte ? (m.byte + 1) % 256 : m.byte;
      files.set(names[m.file]!, bytes);
      return { files, expected: names[m.file]!, label: `byte ${at} of ${names[m.file]} -> 0x${bytes[at]!.toString(16)}` };
    }
    case 'truncate': {
      const bytes = original.bytes[m.file]!;
      const keep = m.keep % bytes.length; // always shorter than the file
      files.set(names[m.file]!, bytes.subarray(0, keep));
      return { files, expected: names[m.file]!, label: `${names[m.file]} truncated to ${keep} of ${bytes.length} bytes` };
    }
    case 'delete': {
      const count = Math.min(m.count, SNAPSHOTS - 1 - m.from); // the head stays: deleting the newest is only caught by the anchor
      for (let i = m.from; i < m.from + count; i++) files.delete(names[i]!);
      return { files, expected: names[m.from + count]!, label: `deleted ${names.slice(m.from, m.from + count).join(', ')}` };
    }
    case 'duplicate': {
      const slot = nameAfter(original, m.slot, Math.min(m.offsetSeconds, 86_399));
      files.set(slot.name, original.bytes[m.file]!);
      return { files, expected: slot.name, label: `copy of ${names[m.file]} as ${slot.name}` };
    }
    case 'reorder': {
      const moved = m.files.map((_, i) => m.files[(i + m.rotate) % m.files.length]!);
      m.files.forEach((target, i) => files.set(names[target]!, original.bytes[moved[i]!]!));
      return { files, expected: names[m.files[0]!]!, label: `contents of ${m.files.map((i) => names[i]).join(', ')} rotated by ${m.rotate}` };
    }
    case 'insert': {
      const slot = nameAfter(original, m.after, Math.min(m.offsetSeconds, 86_399));
      const forged = edited({ ...original.snapshots[m.after]!, id: slot.id, takenAt: slot.takenAt }, m.edit);
      forged.previous = { id: original.snapshots[m.after]!.id, sha256: m.wrongHash ? sha256Hex(`wrong ${m.edit}`) : original.hashes[m.after]! };
      files.set(slot.name, Buffer.from(serializeSnapshot(snapshotSchema.parse(forged))));
      return { files, expected: slot.name, label: `inserted ${slot.name} after ${names[m.after]}${m.wrongHash ? ' with a wrong hash' : ''}` };
    }
    case 'insert-genesis': {
      const slot = nameAfter(original, -1, m.offsetSeconds);
      const forged = { ...original.snapshots[0]!, id: slot.id, takenAt: slot.takenAt, previous: null };
      files.set(slot.name, Buffer.from(serializeSnapshot(snapshotSchema.parse(forged))));
      return { files, expected: slot.name, label: `inserted a new first snapshot ${slot.name}` };
    }
    case 'forge': {
      const forged = edited(original.snapshots[m.file]!, m.edit);
      files.set(names[m.file]!, Buffer.from(serializeSnapshot(snapshotSchema.parse(forged))));
      return { files, expected: names[m.file]!, label: `${names[m.file]} replaced by a re-chained forgery (successors untouched)` };
    }
  }
}

describe('tamper evidence', () => {
  it(`verify detects ${RUNS} generated mutations of past snapshots and names the first bad file`, async ({ task }) => {
    const original = await collectLedger();
    expect(await verifyLedger(await writeLedger(original.names.map((name, i) => [name, original.bytes[i]!])))).toMatchObject({ ok: true, count: SNAPSHOTS });

    const mutations = fc.sample(mutationArb, { seed: SEED, numRuns: RUNS });
    const byKind = new Map<string, { runs: number; named: number }>();
    const failures: string[] = [];
    let detected = 0;
    let named = 0;
    for (const [index, mutation] of mutations.entries()) {
      const { files, expected, label } = apply(original, mutation);
      const dir = await writeLedger([...files]);
      const result = await verifyLedger(dir);
      const tally = byKind.get(mutation.kind) ?? { runs: 0, named: 0 };
      tally.runs++;
      if (!result.ok) detected++;
      const got = result.ok ? '(verified ok)' : path.basename(result.file);
      if (got === expected) {
        named++;
        tally.named++;
      } else failures.push(`run ${index} (${mutation.kind}: ${label}): expected ${expected}, verify said ${got}${result.ok ? '' : ` — ${result.reason}`}`);
      byKind.set(mutation.kind, tally);
    }

    const detail = [...byKind].map(([kind, t]) => `${kind} ${t.named}/${t.runs}`).join(', ');
    recordFigure(task, {
      case: '1 tamper: mutated past snapshots',
      runs: RUNS,
      result: `${detected}/${RUNS} detected, ${named}/${RUNS} named the first bad file`,
      target: '100% detected, first bad file named',
      pass: detected === RUNS && named === RUNS,
      detail,
    });
    expect(failures.slice(0, 10), `seed ${SEED}; ${failures.length} failures`).toEqual([]);
  });
});

let ledgerCount = 0;
let ledgersRoot: string | undefined;
/** Writes files into a fresh folder; returns it. */
async function writeLedger(files: [string, Buffer][]): Promise<string> {
  ledgersRoot ??= await tempRoot();
  const dir = path.join(ledgersRoot, String(++ledgerCount));
  await mkdir(dir, { recursive: true });
  await Promise.all(files.map(([name, bytes]) => writeFile(path.join(dir, name), bytes)));
  return dir;
}
