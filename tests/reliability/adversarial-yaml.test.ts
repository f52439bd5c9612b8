/**
 * Case 7 — adversarial YAML and oversized input (issue 17, items 5 and 8).
 * Generated hostile files — alias bombs, too many aliases, alias cycles, deep
 * nesting, files over their cap (sparse, so up to 1.2 GB costs no disk and no
 * memory), UTF-16/32 with and without byte-order marks, Latin-1 and stray
 * bytes, `__proto__` keys — go through the real CLI:
 *
 * - as the config: exit 2 and ONE line naming the file (and its line where
 *   there is one), no "internal error", nothing written;
 * - as inventory files in a folder beside good ones: one gap per bad file
 *   naming it, and every record of the good files still in the snapshot;
 * - peak RSS of `node bin/release-ledger.mjs collect` (a child process, measured
 *   by /usr/bin/time -v) over a folder of such files, a near-cap valid
 *   inventory, and a GitOps clone with a 300 MiB values.yaml stays under 512 MB.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { aliasBomb, encode, nested, writeSparse } from '../helpers/adversarial-yaml.ts';
import { runCli } from '../helpers/cli.ts';
import { commitOf, recordFigure, REPO_ROOT, SEED, useTempRoot } from './world.ts';

const MiB = 1024 * 1024;
const CONFIG_CAP = INPUT_LIMITS.configBytes;
const INVENTORY_CAP = INPUT_LIMITS.inventoryFileBytes;
const RSS_TARGET_MB = 512;
const tempRoot = useTempRoot('adversarial-yaml');
const run = promisify(execFile);

const CONFIG_HEAD = `name: Adversarial Org
environments:
  - name: dev
  - name: prod
    production: true
sources:
  inventory:
    type: file
    path: inv
services:
  - name: api
    sources: [inventory]
    description: the api
  - name: web
    sources: [inventory]
  - name: core
    sources: [inventory]
`;

/** One hostile file: its bytes (or a sparse size), and whether the error can name a line. */
interface Hostile {
  /** What it is, e.g. "alias bomb 4^11". */
  kind: string;
  /** Its family, for the figure, e.g. "alias bomb". */
  family: string;
  content: Buffer | { sparse: string; size: number };
  hasLine: boolean;
}

const ENCODINGS = ['utf16le', 'utf16be', 'utf16le-bom', 'utf16be-bom', 'utf32le-bom', 'utf32be-bom'] as const;

/** Hostile variants of a valid file `base` (a config or an inventory) whose cap is `cap`. `extraKey` is a top-level key the schema does not know (the guard must answer first). */
function hostileArb(base: string, cap: number, protoPlaces: string[]): fc.Arbitrary<Hostile> {
  const text = (family: string, kind: string, s: string, hasLine = true): Hostile => ({ family, kind, content: Buffer.from(s, 'utf8'), hasLine });
  // Smallest number of levels whose expansion (fanout^levels × 5 bytes) passes the cap.
  const levelsFor = (fanout: number) => Math.ceil(Math.log(cap / 5) / Math.log(fanout));
  return fc.oneof(
    fc.record({ fanout: fc.integer({ min: 2, max: 16 }), more: fc.integer({ min: 0, max: 4 }) }).map(({ fanout, more }) => text('alias bomb', `alias bomb ${fanout}^${levelsFor(fanout) + more}`, `${base}${aliasBomb(levelsFor(fanout) + more, fanout, 'zz')}`)),
    fc.integer({ min: 10_001, max: 12_000 }).map((n) => text('too many aliases', `${n} aliases`, `${base}zzlist: [&k a, ${Array.from({ length: n }, () => '*k').join(', ')}]\n`)),
    fc.constantFrom('flow', 'map').map((how) => text('alias cycle', `alias cycle (${how})`, how === 'flow' ? `${base}zz: &c [1, *c]\n` : `${base}zz: &c\n  self: *c\n`)),
    fc.integer({ min: 101, max: 20_000 }).map((depth) => text('deep nesting', `flow nesting ${depth}`, `${base}zz: ${nested(depth, 'flow')}\n`)),
    fc.integer({ min: 101, max: 400 }).map((depth) => text('deep nesting', `block nesting ${depth}`, `${base}zz:${nested(depth, 'block')}\n`)),
    fc.integer({ min: cap + 1, max: 1200 * MiB }).map((size) => ({ family: 'over the size cap', kind: `${(size / MiB).toFixed(1)} MiB file`, content: { sparse: base, size }, hasLine: false })),
    fc.constantFrom(...ENCODINGS).map((encoding) => ({ family: 'UTF-16/32', kind: encoding, content: encode(base, encoding), hasLine: false })),
    fc.record({ at: fc.nat(), byte: fc.integer({ min: 0x80, max: 0xff }) }).map(({ at, byte }) => {
      const bytes = Buffer.from(base, 'utf8');
      const i = at % bytes.length;
      return { family: 'stray byte', kind: `stray byte 0x${byte.toString(16)}`, content: Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]), hasLine: true };
    }),
    fc.constantFrom('\u00e9', '\u00fc', '\u00df', '\u00a9').map((c) => ({ family: 'Latin-1', kind: `Latin-1 ${c}`, content: encode(base.replace('the ', `the ${c}`), 'latin1'), hasLine: true })),
    fc.constantFrom(...protoPlaces).map((place) => text('__proto__ key', `__proto__ in ${place.split('\n')[0]}`, place.startsWith('@') ? base.replace(place.slice(1), `${place.slice(1)}\n    __proto__: x`) : `${base}${place}`)),
  );
}

/** "alias bomb ×6, deep nesting ×17, …" */
function families(hostiles: readonly Hostile[]): string {
  const counts = new Map<string, number>();
  for (const h of hostiles) counts.set(h.family, (counts.get(h.family) ?? 0) + 1);
  return [...counts].map(([family, n]) => `${family} ×${n}`).join(', ');
}

/** Every file under `dir` with its size (sparse files are not read). */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) if (e.isFile()) out.push(`${path.relative(dir, path.join(e.parentPath, e.name))} ${(await stat(path.join(e.parentPath, e.name))).size}`);
  return out.sort();
}

async function writeHostile(file: string, hostile: Hostile): Promise<void> {
  if (Buffer.isBuffer(hostile.content)) await writeFile(file, hostile.content);
  else await writeSparse(file, hostile.content.sparse, hostile.content.size);
}

const deployments = (service: string, count = 1) =>
  `deployments:\n${Array.from({ length: count }, (_, i) => `  - service: ${service}\n    environment: ${i === 0 ? 'prod' : 'dev'}\n    version: 1.0.${i}\n    commit: ${commitOf(`${service}-${i}`)}\n    deployedAt: 2026-03-01T10:00:00Z\n    deployedBy: the alice\n`).join('')}`;

/** The newest snapshot under `dir`. */
async function newestSnapshot(dir: string): Promise<{ deployments: { service: string; environment: string }[]; gaps: { source: string; reason: string; service?: string }[] }> {
  const folder = path.join(dir, 'content', 'snapshots');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  return JSON.parse(await readFile(path.join(folder, files[files.length - 1]!), 'utf8'));
}

/** Peak RSS (MB) and exit code of `node bin/release-ledger.mjs ARGS` in `cwd`, measured by /usr/bin/time -v (else the child's own resourceUsage). */
async function peakRss(args: string[], cwd: string): Promise<{ code: number; rssMb: number; stderr: string }> {
  const bin = path.join(REPO_ROOT, 'bin', 'release-ledger.mjs');
  // /usr/bin/time -v counts the largest of node and the git processes it waits for; without it, node reports its own peak on exit.
  const timed = existsSync('/usr/bin/time');
  const onExit = 'process.on("exit",()=>process.stderr.write("Maximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n"))';
  const command = timed ? '/usr/bin/time' : process.execPath;
  const argv = timed ? ['-v', process.execPath, bin, ...args] : ['--import', `data:text/javascript,${encodeURIComponent(onExit)}`, bin, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code: code ?? -1, rssMb: Math.round(kb / 1024), stderr: stderr.split('\n').filter((l) => l.startsWith('release-ledger')).join('\n') });
    });
  });
}

describe('adversarial YAML and oversized input', () => {
  it('hostile configs: 100% exit 2 with one line naming the file (and line), nothing written', async ({ task }) => {
    const protoPlaces = ['__proto__: x\n', '@    description: the api', 'policies:\n  __proto__: {maxDriftDays: 1}\n'];
    const cases = fc.sample(hostileArb(CONFIG_HEAD, CONFIG_CAP, protoPlaces), { seed: SEED, numRuns: 80 });
    const root = await tempRoot();
    let good = 0;
    const problems: string[] = [];
    for (const [index, hostile] of cases.entries()) {
      const dir = path.join(root, `config-${index}`);
      await mkdir(path.join(dir, 'inv'), { recursive: true });
      await writeFile(path.join(dir, 'inv', 'a.yaml'), deployments('api'));
      await writeHostile(path.join(dir, 'release-ledger.config.yaml'), hostile);
      const before = await listing(dir);
      const result = await runCli(['collect', '--config', 'release-ledger.config.yaml', '--at', '2026-03-14T02:00:00Z'], { cwd: dir });
      const lines = result.stderr.trimEnd().split('\n');
      const named = new RegExp(`^release-ledger: \\S*release-ledger\\.config\\.yaml${hostile.hasLine ? '(:\\d+)+' : ''}: `);
      const ok = result.code === 2 && lines.length === 1 && named.test(lines[0]!) && !/internal error|\bat \S+:\d+:\d+\)?$/.test(result.stderr) && JSON.stringify(await listing(dir)) === JSON.stringify(before);
      if (ok) good++;
      else problems.push(`run ${index} (${hostile.kind}): exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
    }
    recordFigure(task, {
      case: '7a adversarial YAML: config files',
      runs: cases.length,
      result: `${good}/${cases.length} exit 2, one line naming the file${good === cases.length ? ' (and line where there is one)' : ''}; nothing written`,
      target: '100% one-line errors, exit 2',
      pass: good === cases.length,
      detail: families(cases),
    });
    expect(problems).toEqual([]);
  }, 120_000);

  it('hostile inventory files beside good ones: one gap per bad file naming it; every good record kept', async ({ task }) => {
    const protoPlaces = ['__proto__: x\n', 'configs:\n  - service: web\n    environment: prod\n    values:\n      __proto__: x\n'];
    const base = deployments('web');
    const folders = 10;
    const perFolder = 6;
    const hostiles = fc.sample(hostileArb(base, INVENTORY_CAP, protoPlaces), { seed: SEED + 1, numRuns: folders * perFolder });
    const root = await tempRoot();
    let named = 0;
    let kept = 0;
    let keptOf = 0;
    const problems: string[] = [];
    for (let f = 0; f < folders; f++) {
      const dir = path.join(root, `inventory-${f}`);
      const inv = path.join(dir, 'inv');
      await mkdir(inv, { recursive: true });
      await writeFile(path.join(dir, 'release-ledger.config.yaml'), CONFIG_HEAD);
      // Good files: api and core, one with an anchor used 101 times (it failed the whole source before).
      await writeFile(path.join(inv, 'good-api.yaml'), deployments('api'));
      const history = Array.from({ length: 101 }, (_, i) => `  - service: core\n    environment: dev\n    commit: ${commitOf(`h${i}`)}\n    at: ${i === 0 ? '&t ' : '*t'}${i === 0 ? '2026-02-01T10:00:00Z' : ''}\n`);
      await writeFile(path.join(inv, 'good-core.yaml'), `${deployments('core', 2)}history:\n${history.join('')}`);
      const bad = hostiles.slice(f * perFolder, (f + 1) * perFolder);
      for (const [i, hostile] of bad.entries()) await writeHostile(path.join(inv, `bad-${i}.yaml`), hostile);
      const result = await runCli(['collect', '--config', 'release-ledger.config.yaml', '--at', '2026-03-14T02:00:00Z', '--quiet'], { cwd: dir });
      if (result.code !== 3) {
        problems.push(`folder ${f}: exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
        continue;
      }
      const snapshot = await newestSnapshot(dir);
      const reasons = snapshot.gaps.filter((g) => g.source === 'inventory').map((g) => g.reason);
      for (const [i, hostile] of bad.entries()) {
        const mine = reasons.filter((r) => r.startsWith(`inv/bad-${i}.yaml${hostile.hasLine ? ':' : ''}`) && !r.includes('\n'));
        if (mine.length === 1) named++;
        else problems.push(`folder ${f} bad-${i}.yaml (${hostile.kind}): ${mine.length} gaps name it: ${reasons.filter((r) => r.includes(`bad-${i}`)).join(' | ').slice(0, 300)}`);
      }
      const want = ['api/prod', 'core/dev', 'core/prod'];
      const have = new Set(snapshot.deployments.map((d) => `${d.service}/${d.environment}`));
      keptOf += want.length;
      kept += want.filter((w) => have.has(w)).length;
      if (!want.every((w) => have.has(w))) problems.push(`folder ${f}: good records lost: have ${[...have].join(', ')}`);
    }
    const total = folders * perFolder;
    recordFigure(task, {
      case: '7b adversarial YAML: inventory files in a folder',
      runs: total,
      result: `${named}/${total} bad files a gap naming that file; ${kept}/${keptOf} good records kept`,
      target: '100% per-file gaps; other files still read',
      pass: named === total && kept === keptOf,
      detail: `${folders} folders of ${perFolder} hostile + 2 good files (one anchor used 101 times); ${families(hostiles)}`,
    });
    expect(problems).toEqual([]);
  }, 120_000);

  it(`peak RSS of a collect over hostile and oversized input stays under ${RSS_TARGET_MB} MB`, async ({ task }) => {
    const root = await tempRoot();
    const dir = path.join(root, 'rss');
    const inv = path.join(dir, 'inv');
    await mkdir(inv, { recursive: true });
    // A GitOps clone whose values.yaml for one service is 300 MiB (a sparse file, hashed into git once).
    const clone = path.join(dir, 'gitops');
    await mkdir(path.join(clone, 'environments', 'prod', 'api'), { recursive: true });
    await mkdir(path.join(clone, 'environments', 'prod', 'web'), { recursive: true });
    await writeSparse(path.join(clone, 'environments', 'prod', 'api', 'values.yaml'), 'image:\n  repository: ghcr.io/acme/api\n  tag: "1.0.0"\n', 300 * MiB);
    await writeFile(path.join(clone, 'environments', 'prod', 'web', 'values.yaml'), 'image:\n  repository: ghcr.io/acme/web\n  tag: "2.0.0"\n');
    const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: root, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' };
    await run('git', ['init', '-q', '-b', 'main'], { cwd: clone, env: gitEnv });
    await run('git', ['-c', 'core.looseCompression=1', 'add', '.'], { cwd: clone, env: gitEnv });
    await run('git', ['commit', '-q', '-m', 'values'], { cwd: clone, env: gitEnv });
    await writeFile(
      path.join(dir, 'release-ledger.config.yaml'),
      CONFIG_HEAD.replace('sources:\n', 'sources:\n  declared:\n    type: gitops\n    path: gitops\n').replace(/sources: \[inventory\]/g, 'sources: [inventory, declared]'),
    );
    // Valid files that fill what a file source may read (the most memory it can take), then hostile files at their worst.
    const event = (file: number, i: number) => `  - service: core\n    environment: dev\n    commit: ${commitOf(`e${file}-${i}`)}\n    at: 2026-02-01T10:00:00Z\n    version: 1.0.${i}\n`;
    let events = 0;
    const validFiles = Math.floor(INPUT_LIMITS.inventoryTotalBytes / INVENTORY_CAP);
    let validBytes = 0;
    for (let file = 0; file < validFiles; file++) {
      const parts: string[] = [];
      let size = 0;
      for (let i = 0; size < 0.95 * INVENTORY_CAP; i++, events++) {
        parts.push(event(file, i));
        size += parts[i]!.length;
      }
      await writeFile(path.join(inv, `0-valid-${file}.yaml`), `${file === 0 ? deployments('api') : ''}history:\n${parts.join('')}`);
      validBytes += (await stat(path.join(inv, `0-valid-${file}.yaml`))).size;
    }
    await writeSparse(path.join(inv, 'huge.yaml'), deployments('web'), 1200 * MiB);
    await writeFile(path.join(inv, 'bomb.yaml'), `${deployments('web')}${aliasBomb(12, 12, 'zz')}`);
    await writeFile(path.join(inv, 'aliases.yaml'), `${deployments('web')}zz: [&k a, ${Array.from({ length: 12_000 }, () => '*k').join(', ')}]\n`);
    await writeFile(path.join(inv, 'deep.yaml'), `${deployments('web')}zz: ${nested(50_000, 'flow')}\n`);
    await writeFile(path.join(inv, 'wide.yaml'), encode(deployments('web'), 'utf16le-bom'));

    const collect = await peakRss(['collect', '--config', 'release-ledger.config.yaml', '--at', '2026-03-14T02:00:00Z', '--quiet'], dir);
    // The same with a 1.2 GB config: refused by its size.
    const big = path.join(root, 'big-config');
    await mkdir(big);
    await writeSparse(path.join(big, 'release-ledger.config.yaml'), CONFIG_HEAD, 1200 * MiB);
    const refused = await peakRss(['collect', '--config', 'release-ledger.config.yaml'], big);

    const snapshot = collect.code === 3 ? await newestSnapshot(dir) : undefined;
    const gapFiles = ['huge', 'bomb', 'aliases', 'deep', 'wide'].filter((f) => snapshot?.gaps.some((g) => g.reason.startsWith(`inv/${f}.yaml`)));
    const valuesGap = snapshot?.gaps.some((g) => g.source === 'declared' && g.reason.includes(`300 MiB, over the ${formatBytes(INPUT_LIMITS.sourceFileBytes)} cap`));
    const pass = collect.rssMb < RSS_TARGET_MB && refused.rssMb < RSS_TARGET_MB && collect.code === 3 && refused.code === 2 && gapFiles.length === 5 && valuesGap === true;
    recordFigure(task, {
      case: '7c peak RSS: collect over oversized input',
      runs: 2,
      result: `collect ${collect.rssMb} MB, 1.2 GB config refused at ${refused.rssMb} MB`,
      target: `peak RSS < ${RSS_TARGET_MB} MB; oversized files gaps or refused`,
      pass,
      detail: `inputs: 1.2 GB sparse inventory, 12^12 alias bomb, 12,000 aliases, 50,000-deep nesting, UTF-16, ${validFiles} valid inventory files of ${(validBytes / validFiles / MiB).toFixed(2)} MiB (${events} history events), a 300 MiB values.yaml in a GitOps clone; measured by ${existsSync('/usr/bin/time') ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS'}`,
    });
    expect(collect.code, collect.stderr).toBe(3);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^release-ledger: \S*release-ledger\.config\.yaml: 1200 MiB, over the 1 MiB cap on a config file/);
    expect(gapFiles).toEqual(['huge', 'bomb', 'aliases', 'deep', 'wide']);
    expect(valuesGap).toBe(true);
    expect(snapshot?.deployments.map((d) => `${d.service}/${d.environment}`)).toContain('api/prod');
    expect(collect.rssMb).toBeLessThan(RSS_TARGET_MB);
    expect(refused.rssMb).toBeLessThan(RSS_TARGET_MB);
  }, 180_000);
});
