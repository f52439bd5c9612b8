/**
 * `npm run bench`: the site at scale, against the issue 7 and 23 targets.
 *
 *   node --import tsx scripts/bench.ts [--days 1095] [--services 500] [--envs 6] [--quick] [--work DIR] [--reuse] [--skip-github] [--skip-floors]
 *
 * 1. Generates a synthetic ledger deterministically (scripts/bench-ledger.ts,
 *    seed 1) with two days more than asked; the history is the first `days`
 *    snapshots (hard links, no copies). A kept ledger with one day more
 *    (`--reuse`, the bench before it measured two nights) is extended by a day.
 * 2. Full build (`buildSite`, incremental on, empty cache) in a child process:
 *    wall time and peak RSS (`/usr/bin/time -v`, else polling VmHWM).
 * 3. Adds the first extra day and builds incrementally: the nightly cost.
 *    Then the second: at 1,095 days from 2023-01-01 it is 2026-01-01, which
 *    closes a month and a quarter (their exports are made that night).
 * 4. The newest day page's size gzipped (and the output's total size).
 * 5. The Astro floor in the same run: a minimal Astro project with one
 *    `getStaticPaths` route producing as many tiny pages as the site has.
 *    Then the same project with every page as large as the site's pages on
 *    average (one constant block of HTML, written unescaped): what Astro
 *    needs to write the site's bytes with no computation at all, a lower
 *    bound for any server-rendered site of that size. Each floor's output is
 *    deleted after it; the site stays (about 36 GB on disk at the peak).
 *    Last, the same bytes written with `mkdir` + `writeFile` and no Astro:
 *    what the machine's file system alone needs to store them.
 * 6. The GitHub source's collect benchmark (scripts/bench-github.ts).
 *
 * `--floors PAGES:BYTES` measures only the three floors (step 5) for that many
 * pages of that size, without a ledger or a site: how far this machine's
 * floors are from each other, in minutes instead of an hour.
 *
 * `--quick` is a 1–2 minute preset (20 days × 40 services × 4 environments,
 * the small GitHub case). `--reuse` keeps a generated ledger of the same shape
 * in `--work` (default /tmp/release-ledger-bench-<shape>) between runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseFlags } from './bench-ledger.ts';
import { buildSiteChild, measureChild, type ChildResult } from './bench-child.ts';
import { siteBytes, siteBytesTable } from './site-bytes.ts';
import { closedPeriods } from '../src/views/audit.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const child = (mode: string, payload: unknown) => measureChild(SELF, mode, payload);

/** Child mode: one measured unit of work, its result as the last stdout line. */
async function runChild(mode: string, payload: Record<string, unknown>): Promise<void> {
  // As bin/release-ledger.mjs does, so a measured unit (floors included) pays what the CLI pays.
  module.enableCompileCache?.();
  const started = performance.now();
  if (mode === 'build') await buildSiteChild(payload);
  else if (mode === 'floor') {
    const { build } = await import('astro');
    const root = String(payload.root);
    await build({ root, outDir: path.join(root, 'dist'), logLevel: 'error', configFile: false, build: { format: 'directory', concurrency: 1 }, trailingSlash: 'always', devToolbar: { enabled: false } });
    process.stdout.write(`${JSON.stringify({ innerMs: performance.now() - started })}\n`);
  } else if (mode === 'write') {
    // The floor's pages as plain files, in the same folders (Astro's `directory` format), one at a time as Astro writes them.
    const root = String(payload.root);
    const page = Buffer.from(floorPage(Number(payload.padBytes)));
    for (let i = 0; i < Number(payload.pages); i++) {
      const dir = path.join(root, 'p', String(Math.floor(i / 1000)), String(i));
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'index.html'), page);
    }
    process.stdout.write(`${JSON.stringify({ innerMs: performance.now() - started })}\n`);
  } else throw new Error(`unknown child mode ${mode}`);
}

const FLOOR_ROW = '<tr><th scope="row"><a href="/services/svc/">svc</a></th><td class="cell">1.2.3</td></tr>\n';

/** A sized floor page's body: the constant row repeated to `padBytes`. */
function floorPad(padBytes: number): string {
  return padBytes > 0 ? FLOOR_ROW.repeat(Math.ceil(padBytes / FLOOR_ROW.length)).slice(0, padBytes) : '';
}

/** One floor page as the sized Astro floor renders it (its number aside). */
function floorPage(padBytes: number): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page 0</title></head><body><h1>Page 0</h1>${floorPad(padBytes)}</body></html>`;
}

/** A minimal Astro project: one route producing `pages` tiny pages, each padded with `padBytes` of constant HTML. */
async function writeFloorProject(root: string, pages: number, padBytes = 0): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, 'src', 'pages'), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  await writeFile(path.join(root, 'package.json'), '{ "name": "floor", "type": "module", "private": true }\n');
  await writeFile(
    path.join(root, 'src', 'pages', '[...slug].astro'),
    `---
export function getStaticPaths() {
  return Array.from({ length: ${pages} }, (_, i) => ({ params: { slug: \`p/\${Math.floor(i / 1000)}/\${i}\` }, props: { n: i } }));
}
const pad = ${JSON.stringify(floorPad(padBytes))};
const { n } = Astro.props;
---
<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Page {n}</title></head><body><h1>Page {n}</h1><Fragment set:html={pad} /></body></html>
`,
  );
}

async function dirSize(dir: string): Promise<{ files: number; bytes: number; htmlBytes: number }> {
  let files = 0;
  let bytes = 0;
  let htmlBytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files++;
    const size = (await stat(path.join(e.parentPath, e.name))).size;
    bytes += size;
    if (e.name.endsWith('.html')) htmlBytes += size;
  }
  return { files, bytes, htmlBytes };
}

/** The trivial Astro floor, the Astro floor of pages of `pageBytes`, and the same bytes written without Astro; each output deleted after it. */
async function measureFloors(work: string, pages: number, pageBytes: number, log: (line: string) => void): Promise<Record<'floor' | 'sizedFloor' | 'written', ChildResult>> {
  const floorRoot = path.join(work, 'floor');
  log(`Astro floor: ${pages} trivial pages …`);
  await writeFloorProject(floorRoot, pages);
  const floor = await child('floor', { root: floorRoot });
  await rm(floorRoot, { recursive: true, force: true });
  log(`Astro floor: ${pages} pages of ${kb(pageBytes)} …`);
  await writeFloorProject(floorRoot, pages, pageBytes);
  const sizedFloor = await child('floor', { root: floorRoot });
  await rm(floorRoot, { recursive: true, force: true });
  log(`the same bytes with writeFile, no Astro …`);
  const written = await child('write', { root: floorRoot, pages, padBytes: pageBytes });
  await rm(floorRoot, { recursive: true, force: true });
  return { floor, sizedFloor, written };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 1024 / 1024).toFixed(0)} MB`);
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

/** `--floors PAGES:BYTES`: the three floors alone. */
async function floorsOnly(spec: string, work: string): Promise<void> {
  const match = /^(\d+):(\d+)$/.exec(spec);
  if (!match || Number(match[1]) < 1) throw new Error('--floors takes PAGES:BYTES, e.g. --floors 172404:87962');
  const [pages, pageBytes] = [Number(match[1]), Number(match[2])];
  await mkdir(work, { recursive: true });
  const { floor, sizedFloor, written } = await measureFloors(path.resolve(work), pages, pageBytes, (line) => process.stderr.write(`${line}\n`));
  const measured = (r: ChildResult) => `${s(r.ms)}${r.cpuMs === null ? '' : ` (${s(r.cpuMs)} CPU)`}`;
  process.stdout.write(
    [
      `release-ledger bench --floors: ${pages} pages of ${kb(pageBytes)}, ${(await import('node:os')).cpus().length} cores, node ${process.version}`,
      '',
      '| floor | measured | × trivial |',
      '|---|---|---|',
      `| Astro, trivial pages | ${measured(floor)} | 1.00× |`,
      `| Astro, pages of ${kb(pageBytes)} | ${measured(sizedFloor)} | ${(sizedFloor.ms / floor.ms).toFixed(2)}× |`,
      `| writeFile, the same bytes, no Astro | ${measured(written)} | ${(written.ms / floor.ms).toFixed(2)}× |`,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  if (typeof f.child === 'string') return runChild(f.child, JSON.parse(String(f.payload)) as Record<string, unknown>);
  const known = new Set(['days', 'services', 'envs', 'quick', 'work', 'reuse', 'skip-github', 'skip-floors', 'floors']);
  for (const key of Object.keys(f)) if (!known.has(key)) throw new Error(`unknown flag --${key} (known: ${[...known].map((k) => `--${k}`).join(' ')})`);
  if (f.floors !== undefined) return floorsOnly(String(f.floors), typeof f.work === 'string' ? f.work : '/tmp/release-ledger-bench-floors');
  const quick = f.quick === true;
  const num = (key: string, fallback: number) => {
    const value = f[key] === undefined ? fallback : Number(f[key]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} must be a positive whole number`);
    return value;
  };
  const days = num('days', quick ? 20 : 1095);
  const services = num('services', quick ? 40 : 500);
  const envs = num('envs', quick ? 4 : 6);
  const shape = `${days}x${services}x${envs}`;
  const work = path.resolve(typeof f.work === 'string' ? f.work : `/tmp/release-ledger-bench-${shape}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!existsSync('/usr/bin/time')) log('note: /usr/bin/time is missing (apt-get install -y time); peak RSS is polled from /proc/<pid>/status VmHWM');

  // 1. The ledger: days + 1 snapshots; the history is the first `days`.
  const generated = path.join(work, 'generated');
  const marker = path.join(work, 'generated.json');
  const wantMarker = JSON.stringify({ days: days + 2, services, envs, seed: 1 });
  const oneShort = JSON.stringify({ days: days + 1, services, envs, seed: 1 });
  let generation: { ms: number; bytes: number } | null = null;
  const held = f.reuse === true && existsSync(marker) ? await readFile(marker, 'utf8') : null;
  if (held === oneShort) {
    log(`extending the ledger in ${generated} by a day …`);
    const { generateLedger } = await import('./bench-ledger.ts');
    await generateLedger({ days: days + 2, services, environments: envs, outDir: generated, seed: 1, direct: true, kept: days + 1 });
    await writeFile(marker, wantMarker);
  } else if (held !== wantMarker) {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    log(`generating ${days + 2} days × ${services} services × ${envs} environments …`);
    const { generateLedger } = await import('./bench-ledger.ts');
    const r = await generateLedger({ days: days + 2, services, environments: envs, outDir: generated, seed: 1, direct: true, onDay: (d) => (d + 1) % 100 === 0 && log(`  ${d + 1} days`) });
    generation = { ms: r.ms, bytes: r.bytes };
    await writeFile(marker, wantMarker);
  } else log(`reusing the ledger in ${generated}`);
  const ids = (await readdir(path.join(generated, 'content', 'snapshots'))).filter((n) => n.endsWith('.json')).sort();
  const history = path.join(work, 'history');
  await rm(history, { recursive: true, force: true });
  await mkdir(history, { recursive: true });
  for (const name of ids.slice(0, days)) await link(path.join(generated, 'content', 'snapshots', name), path.join(history, name));
  const out = path.join(work, 'site');
  const cacheDir = path.join(work, 'site-cache');
  await rm(out, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });

  // 2. Full build.
  log('full build …');
  const full = await child('build', { snapshotsDir: history, outDir: out, cacheDir, incremental: true, logLevel: 'error' });
  const pages = Number(full.output.pages);
  const size = await dirSize(out);
  const byKind = await siteBytes(out);

  // 3. One new day, then another (the second closes a period at 1,095 days).
  const night = async (id: string) => {
    const before = new Set(closedPeriods(ids.slice(0, ids.indexOf(id)).map((n) => n.replace(/\.json$/, ''))).map((p) => p.name));
    const closes = closedPeriods(ids.slice(0, ids.indexOf(id) + 1).map((n) => n.replace(/\.json$/, ''))).map((p) => p.name).filter((p) => !before.has(p));
    await link(path.join(generated, 'content', 'snapshots', id), path.join(history, id));
    log(`one new day, ${id.slice(0, 10)}${closes.length > 0 ? `, closing ${closes.join(' and ')}` : ''} (incremental) …`);
    return { ...(await child('build', { snapshotsDir: history, outDir: out, cacheDir, incremental: true, logLevel: 'error' })), closes };
  };
  const next = await night(ids[days]!);
  const second = await night(ids[days + 1]!);
  const nightRow = (n: typeof next): [string, string, string, boolean] => [
    `one new day (incremental), ${n.closes.length > 0 ? `closing ${n.closes.join(' and ')}` : 'closing no period'}`,
    `${s(n.ms)}${n.cpuMs === null ? '' : ` (CPU ${s(n.cpuMs)})`}; rendered ${n.output.rendered}, reused ${n.output.reused}, read ${n.output.snapshotsRead} snapshot(s)`,
    '≤ 5 s',
    n.ms <= 5_000,
  ];

  // 4. The newest day page, gzipped.
  const newest = ids[days + 1]!.slice(0, 10);
  const dayPage = await readFile(path.join(out, 'days', newest, 'index.html'));
  const dayPageGz = gzipSync(dayPage, { level: 9 }).length;
  // A service has a day page on its revision days only: the newest one of svc-0000.
  const pageDays = (await readdir(path.join(out, 'days'))).sort().reverse();
  let servicePage = Buffer.alloc(0);
  for (const day of pageDays) {
    servicePage = await readFile(path.join(out, 'days', day, 'services', 'svc-0000', 'index.html')).catch(() => Buffer.alloc(0));
    if (servicePage.length > 0) break;
  }

  // 5. The floors, for as many pages as the full build had, of the site's average size.
  const pageBytes = Math.round(size.htmlBytes / pages);
  // `--skip-floors`: the site and its nights only (NaN in the floors' rows), minutes instead of an hour at 500 services.
  const skipped = { ms: Number.NaN, peakRssBytes: null, output: {} } as unknown as ChildResult;
  const { floor, sizedFloor, written } = f['skip-floors'] === true ? { floor: skipped, sizedFloor: skipped, written: skipped } : await measureFloors(work, pages, pageBytes, log);

  // 6. GitHub collect.
  let github: string[] = [];
  if (f['skip-github'] !== true) {
    log('GitHub collect benchmark …');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bench-github.ts'), ...(quick ? ['--only', 'small'] : [])], { cwd: ROOT, encoding: 'utf8' });
    github = (r.stdout || '').trim().split('\n');
    if (r.status !== 0) github.push(`(bench-github exit ${r.status}) ${(r.stderr || '').trim().split('\n').at(-1) ?? ''}`);
  }

  const ratio = full.ms / floor.ms;
  // Issue 23's size targets at three years: a 100 × 4 site fits GitHub Pages; a 500 × 6 one stays within 5 GB.
  // Issue 23's "1 GB" (GitHub Pages) and "5 GB", read strictly as 10⁹ bytes; GitHub Pages receives a tar (site-bytes.ts), another host the files.
  const siteLimit =
    services <= 100 && envs <= 4
      ? { bytes: 1e9, measured: byKind.tarBytes, label: `as GitHub Pages' tar ${(byKind.tarBytes / 1e9).toFixed(3)} × 10⁹ bytes`, why: 'GitHub Pages, 10⁹ bytes, at 1,095 days' }
      : services <= 500 && envs <= 6
        ? { bytes: 5e9, measured: size.bytes, label: `${(size.bytes / 1e9).toFixed(3)} × 10⁹ bytes`, why: '5 × 10⁹ bytes, at 1,095 days' }
        : null;
  const rows: [string, string, string, boolean | null][] = [
    ['pages (index.html)', String(pages), '', null],
    ['output', `${size.files} files, ${mb(size.bytes)}${siteLimit ? `; ${siteLimit.label}` : ''}`, siteLimit ? `≤ ${siteLimit.why}` : '', siteLimit && days >= 1095 ? siteLimit.measured <= siteLimit.bytes : null],
    ['full build', `${s(full.ms)} (${(full.ms / pages).toFixed(1)} ms/page)`, '', null],
    ['Astro floor, same page count', `${s(floor.ms)} (${(floor.ms / pages).toFixed(1)} ms/page)`, '', null],
    ['full build / floor', `${ratio.toFixed(2)}×`, '', null],
    [`Astro floor, same page count, ${kb(pageBytes)} a page (the site's average)`, `${s(sizedFloor.ms)} (${(sizedFloor.ms / floor.ms).toFixed(2)}× the trivial floor)`, '', null],
    ['full build / that (sized) floor', `${(full.ms / sizedFloor.ms).toFixed(2)}×`, '≤ 2×', Number.isNaN(sizedFloor.ms) ? null : full.ms / sizedFloor.ms <= 2],
    ['the same bytes written with writeFile, no Astro', `${s(written.ms)} (${(written.ms / floor.ms).toFixed(2)}× the trivial floor)`, '', null],
    ['peak RSS, full build', mb(full.peakRssBytes), '≤ 2048 MB', full.peakRssBytes === null ? null : full.peakRssBytes <= 2 * 1024 ** 3],
    nightRow(next),
    ['peak RSS, one new day', mb(next.peakRssBytes), '', null],
    nightRow(second),
    ['peak RSS, that day', mb(second.peakRssBytes), '', null],
    [`day page (${services} services), gzipped`, `${kb(dayPageGz)} (raw ${kb(dayPage.length)})`, '≤ 150 KB', dayPageGz <= 150 * 1024],
    ['a service\'s day page (its newest revision), gzipped', `${kb(gzipSync(servicePage, { level: 9 }).length)} (raw ${kb(servicePage.length)})`, '', null],
  ];
  const lines = [
    `release-ledger bench: ${days} days × ${services} services × ${envs} environments${quick ? ' (--quick)' : ''}, ${(await import('node:os')).cpus().length} cores, node ${process.version}`,
    generation ? `ledger generated in ${s(generation.ms)}, ${mb(generation.bytes)}` : 'ledger reused',
    '',
    '| measure | measured | target | result |',
    '|---|---|---|---|',
    ...rows.map(([m, v, t, ok]) => `| ${m} | ${v} | ${t} | ${ok === null ? '' : ok ? 'PASS' : 'FAIL'} |`),
    '',
    'The full build\'s output by page kind (linear in days at the same rate per day):',
    ...siteBytesTable(byKind, 1095),
    '',
    ...(github.length > 0 ? ['GitHub collect (scripts/bench-github.ts):', ...github.map((l) => `  ${l}`), ''] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const report = { shape: { days, services, envs }, pages, output: size, fullMs: full.ms, floorMs: floor.ms, ratio, pageBytes, sizedFloorMs: sizedFloor.ms, writtenMs: written.ms, fullPeakRss: full.peakRssBytes, nextDayMs: next.ms, nextDay: next.output, nextDayPeakRss: next.peakRssBytes, nextDayCloses: next.closes, secondDayMs: second.ms, secondDay: second.output, secondDayPeakRss: second.peakRssBytes, secondDayCloses: second.closes, dayPageGz, dayPageBytes: dayPage.length, byKind };
  await writeFile(path.join(work, 'bench-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (rows.some(([, , , ok]) => ok === false)) process.exitCode = 1;
}

// One line for a bad flag or a failed step, as the CLI does; a child's failure carries its own stderr tail.
await main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
