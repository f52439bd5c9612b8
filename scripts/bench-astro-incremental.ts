/**
 * Issue 7: Astro's own `experimental.incrementalBuild` against Release
 * Ledger's incremental site build (src/site/incremental.ts), timed on the
 * same synthetic ledger.
 *
 *   node --import tsx scripts/bench-astro-incremental.ts [--days 20] [--services 40] [--envs 4] [--work DIR] [--reuse]
 *
 * 1. Generates `days + 1` snapshots (scripts/bench-ledger.ts, seed 1); the
 *    history is the first `days` (hard links).
 * 2. Ours: `buildSite({ incremental: true })` with an empty cache, then the
 *    extra day, built incrementally.
 * 3. Astro's: the same site config with `astroIncremental: true`
 *    (`experimental.incrementalBuild`, per-day `getStaticPaths` entries carry
 *    a `cacheKey` from `cacheKeyFor` in src/site/data.ts) and an empty
 *    `node_modules/.astro` cache, then the extra day. The cross-day index is
 *    computed the way `buildSite` does (cached per-snapshot summaries, so
 *    only new snapshots are read) and handed over at a fixed path: the path
 *    is part of the virtual module every page imports, and Astro reuses a
 *    page only while its module graph hashes the same
 *    (astro/dist/core/build/plugins/plugin-incremental.js). What Astro
 *    reused is read from its own log: `(restored)` (copied back from
 *    `node_modules/.astro/…/dist/` into the emptied output) or `(cached)`.
 * 4. Both outputs must be equal byte for byte (after the full build and after
 *    the new day); every difference is listed.
 * 5. Prints a markdown table; writes the figures to
 *    `<work>/astro-incremental-report.json`.
 *
 * Every build runs in a child process (wall time; peak RSS from
 * `/usr/bin/time -v`, else polled VmHWM), one at a time.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './bench-ledger.ts';
import { buildSiteChild, measureChild } from './bench-child.ts';
import { SITE_MARKER } from '../src/site/output.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const child = (mode: string, payload: unknown) => measureChild(SELF, mode, payload);

/** Child mode: one build, its result as the last stdout line. */
async function runChild(mode: string, payload: Record<string, unknown>): Promise<void> {
  const started = performance.now();
  if (mode === 'ours') await buildSiteChild(payload);
  else if (mode === 'astro') {
    const { build } = await import('astro');
    const { listSnapshotIds } = await import('../src/ledger/index.ts');
    const { computeLedgerIndex, generatorFingerprint, ledgerFacts } = await import('../src/site/incremental.ts');
    const { siteConfig } = await import('../src/site/config.ts');
    const snapshotsDir = String(payload.snapshotsDir);
    const indexFile = String(payload.indexFile);
    // The same cross-day index buildSite() hands the pages, from the same kind of summary cache.
    const ids = await listSnapshotIds(snapshotsDir);
    const fingerprint = await generatorFingerprint({ siteName: null });
    const facts = await ledgerFacts(snapshotsDir, ids);
    const { index, read } = await computeLedgerIndex(snapshotsDir, facts, String(payload.summariesDir), fingerprint);
    await writeFile(indexFile, JSON.stringify(index));
    const indexMs = performance.now() - started;
    await build({
      ...siteConfig({ snapshotsDir, indexFile, astroIncremental: true }),
      configFile: false,
      outDir: String(payload.outDir),
      cacheDir: String(payload.astroCacheDir),
      // Info level: Astro names each page it `(restored)` or `(cached)` instead of rendering.
      logLevel: 'info',
      mode: 'production',
    });
    process.stdout.write(`${JSON.stringify({ snapshotsRead: read, indexMs, innerMs: performance.now() - started })}\n`);
  } else throw new Error(`unknown child mode ${mode}`);
}

/** Astro's per-path log lines: `├─ /days/D/index.html (+12ms)`, `… (restored)`, `… (cached)`. */
function astroPathLog(stdout: string): { pagesRendered: number; pagesReused: number; filesRendered: number; filesReused: number; restored: number; cached: number } {
  const r = { pagesRendered: 0, pagesReused: 0, filesRendered: 0, filesReused: 0, restored: 0, cached: 0 };
  // eslint-disable-next-line no-control-regex
  for (const raw of stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const m = /[├└]─ (\S+)\s*(.*)$/.exec(raw);
    if (!m) continue;
    const page = m[1]!.endsWith('index.html');
    const reused = /\((restored|cached)\)/.exec(m[2]!);
    if (reused) {
      r[reused[1] as 'restored' | 'cached']++;
      r.filesReused++;
      if (page) r.pagesReused++;
    } else {
      r.filesRendered++;
      if (page) r.pagesRendered++;
    }
  }
  return r;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort();
}

/** Every file that differs between two output folders (missing on one side, or other bytes). */
async function compareTrees(a: string, b: string): Promise<{ files: number; differences: string[] }> {
  // Our builds mark their output folder (src/site/output.ts); Astro's does not.
  const ours = (files: string[]) => files.filter((f) => f !== SITE_MARKER);
  const [fa, fb] = [ours(await listFiles(a)), ours(await listFiles(b))];
  const inB = new Set(fb);
  const inA = new Set(fa);
  const differences: string[] = [];
  for (const f of fa) if (!inB.has(f)) differences.push(`only in ours: ${f}`);
  for (const f of fb) if (!inA.has(f)) differences.push(`only in Astro's: ${f}`);
  for (const f of fa) {
    if (!inB.has(f)) continue;
    const [x, y] = await Promise.all([readFile(path.join(a, f)), readFile(path.join(b, f))]);
    if (!x.equals(y)) differences.push(`bytes differ: ${f}`);
  }
  return { files: fa.length, differences };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const cpu = (ms: number | null) => (ms === null ? 'n/a' : s(ms));
const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 1024 / 1024).toFixed(0)} MB`);

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  if (typeof f.child === 'string') return runChild(f.child, JSON.parse(String(f.payload)) as Record<string, unknown>);
  const known = new Set(['days', 'services', 'envs', 'work', 'reuse']);
  for (const key of Object.keys(f)) if (!known.has(key)) throw new Error(`unknown flag --${key} (known: ${[...known].map((k) => `--${k}`).join(' ')})`);
  const num = (key: string, fallback: number) => {
    const value = f[key] === undefined ? fallback : Number(f[key]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} must be a positive whole number`);
    return value;
  };
  const days = num('days', 20);
  const services = num('services', 40);
  const envs = num('envs', 4);
  const shape = `${days}x${services}x${envs}`;
  const work = path.resolve(typeof f.work === 'string' ? f.work : `/tmp/release-ledger-bench-astro-${shape}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  // 1. The ledger: days + 1 snapshots; the history is the first `days`.
  const generated = path.join(work, 'generated');
  const marker = path.join(work, 'generated.json');
  const wantMarker = JSON.stringify({ days: days + 1, services, envs, seed: 1 });
  if (!(f.reuse === true && existsSync(marker) && (await readFile(marker, 'utf8')) === wantMarker)) {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    log(`generating ${days + 1} days × ${services} services × ${envs} environments …`);
    const { generateLedger } = await import('./bench-ledger.ts');
    await generateLedger({ days: days + 1, services, environments: envs, outDir: generated, seed: 1, direct: true });
    await writeFile(marker, wantMarker);
  } else log(`reusing the ledger in ${generated}`);
  const ids = (await readdir(path.join(generated, 'content', 'snapshots'))).filter((n) => n.endsWith('.json')).sort();
  const history = path.join(work, 'history');
  await rm(history, { recursive: true, force: true });
  await mkdir(history, { recursive: true });
  for (const name of ids.slice(0, days)) await link(path.join(generated, 'content', 'snapshots', name), path.join(history, name));

  const ours = { outDir: path.join(work, 'site'), cacheDir: path.join(work, 'site-cache') };
  // Astro's output under the package root: outside the current directory Astro writes its prerender bundle to a shared `<cwd>/.astro/` (see build.ts).
  const astroDir = path.join(ROOT, '.astro', `bench-astro-incremental-${shape}`);
  const astro = {
    snapshotsDir: history,
    outDir: path.join(astroDir, 'site'),
    indexFile: path.join(work, 'astro-ledger-index.json'),
    summariesDir: path.join(work, 'astro-summaries'),
    // Astro keeps `incremental-build.json` and its copies of every keyed page in `config.cacheDir` (default node_modules/.astro).
    astroCacheDir: path.join(ROOT, 'node_modules', '.astro', `release-ledger-bench-astro-${shape}`),
  };
  for (const dir of [ours.outDir, ours.cacheDir, astroDir, astro.summariesDir, astro.astroCacheDir]) await rm(dir, { recursive: true, force: true });
  const oursArgs = { snapshotsDir: history, ...ours, incremental: true, logLevel: 'error' };

  // 2–3. Full builds of the history.
  log('ours: full build …');
  const oursFull = await child('ours', oursArgs);
  log("Astro's: full build …");
  const astroFull = await child('astro', astro);
  const fullCheck = await compareTrees(ours.outDir, astro.outDir);

  // One new day.
  await link(path.join(generated, 'content', 'snapshots', ids[days]!), path.join(history, ids[days]!));
  log('ours: one new day …');
  const oursNext = await child('ours', oursArgs);
  log("Astro's: one new day …");
  const astroNext = await child('astro', astro);
  const nextCheck = await compareTrees(ours.outDir, astro.outDir);
  const cacheFiles = (await listFiles(path.join(astro.astroCacheDir, 'dist')).catch(() => [])).length;

  const aFull = astroPathLog(astroFull.stdout);
  const aNext = astroPathLog(astroNext.stdout);
  const rows: [string, string, string][] = [
    ['full build', `${s(oursFull.ms)} (${oursFull.output.pages} pages)`, `${s(astroFull.ms)} (${aFull.pagesRendered + aFull.pagesReused} pages)`],
    ['CPU (user + sys), full build', cpu(oursFull.cpuMs), cpu(astroFull.cpuMs)],
    ['peak RSS, full build', mb(oursFull.peakRssBytes), mb(astroFull.peakRssBytes)],
    ['one new day', s(oursNext.ms), s(astroNext.ms)],
    ['CPU (user + sys), one new day', cpu(oursNext.cpuMs), cpu(astroNext.cpuMs)],
    [
      'pages rendered / reused',
      `${oursNext.output.rendered} / ${oursNext.output.reused}`,
      `${aNext.pagesRendered} / ${aNext.pagesReused} (${aNext.restored} files restored from cache, ${aNext.cached} kept)`,
    ],
    ['snapshots read for the index', String(oursNext.output.snapshotsRead), `${astroNext.output.snapshotsRead} (keys hash all ${days + 1} files)`],
    ['peak RSS, one new day', mb(oursNext.peakRssBytes), mb(astroNext.peakRssBytes)],
    ['output equal to ours, byte for byte', '', `${fullCheck.differences.length === 0 ? 'yes' : `NO, ${fullCheck.differences.length} files`} (full), ${nextCheck.differences.length === 0 ? 'yes' : `NO, ${nextCheck.differences.length} files`} (new day); ${nextCheck.files} files`],
  ];
  const lines = [
    `Astro experimental.incrementalBuild vs release-ledger incremental: ${days} days × ${services} services × ${envs} environments, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`,
    '',
    '| | release-ledger (`incremental: true`) | Astro `experimental.incrementalBuild` |',
    '|---|---|---|',
    ...rows.map(([m, a, b]) => `| ${m} | ${a} | ${b} |`),
    '',
    ...[...fullCheck.differences.map((d) => `full: ${d}`), ...nextCheck.differences.map((d) => `new day: ${d}`)].slice(0, 40),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const report = {
    shape: { days, services, envs },
    cores: os.cpus().length,
    loadAverage: os.loadavg()[0],
    ours: { full: { ms: oursFull.ms, cpuMs: oursFull.cpuMs, peakRss: oursFull.peakRssBytes, ...oursFull.output }, next: { ms: oursNext.ms, cpuMs: oursNext.cpuMs, peakRss: oursNext.peakRssBytes, ...oursNext.output } },
    astro: {
      full: { ms: astroFull.ms, cpuMs: astroFull.cpuMs, peakRss: astroFull.peakRssBytes, ...astroFull.output, ...aFull },
      next: { ms: astroNext.ms, cpuMs: astroNext.cpuMs, peakRss: astroNext.peakRssBytes, ...astroNext.output, ...aNext },
      cacheFiles,
    },
    equal: { full: fullCheck, next: nextCheck },
  };
  await writeFile(path.join(work, 'astro-incremental-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await rm(astroDir, { recursive: true, force: true });
  if (fullCheck.differences.length > 0 || nextCheck.differences.length > 0) process.exitCode = 1;
}

await main();
