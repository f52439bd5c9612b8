/**
 * What the audit export costs at scale (issue 21): one year of a synthetic
 * ledger at 500 services × 6 environments (scripts/bench-ledger.ts
 * `generateLedger`), exported for the whole year as CSV by the real CLI in a
 * child process, which reports its peak RSS; then `export --check` on it.
 *
 *   npm run bench:export -- [--days 365] [--services 500] [--envs 6] [--out /tmp/rl-bench-export] [--keep]
 *
 * The ledger is generated once into `--out` and reused when it is already
 * there with the same size (delete it, or pass another folder, to start over).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../src/cli/index.ts';
import { generateLedger, parseFlags } from './bench-ledger.ts';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** In the child: run one CLI command in-process, then print its wall time and peak RSS (KiB, getrusage). */
async function child(argv: string[]): Promise<void> {
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { env: {}, cwd: process.cwd(), stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ code, ms, maxRssKiB: process.resourceUsage().maxRSS, stdout, stderr })}\n`);
}

async function measure(argv: string[]): Promise<{ code: number; ms: number; maxRssKiB: number; stdout: string; stderr: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bench-export.ts'), '--child', ...argv], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function bench(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const days = Number(flags.days ?? 365);
  const services = Number(flags.services ?? 500);
  const environments = Number(flags.envs ?? 6);
  const out = path.resolve(String(flags.out ?? '/tmp/rl-bench-export'));
  const snapshotsDir = path.join(out, 'content', 'snapshots');
  const existing = (await readdir(snapshotsDir).catch(() => [])).filter((n) => n.endsWith('.json'));
  const marker = path.join(out, 'bench-export.json');
  const same = existing.length === days && (await readFile(marker, 'utf8').catch(() => '')) === JSON.stringify({ days, services, environments });
  if (!same) {
    console.log(`generating ${days} days × ${services} services × ${environments} environments into ${out} …`);
    const generated = await generateLedger({ days, services, environments, outDir: out, direct: true, startDate: '2025-01-01' });
    await (await import('node:fs/promises')).writeFile(marker, JSON.stringify({ days, services, environments }));
    console.log(`generated in ${(generated.ms / 1000).toFixed(1)} s, ${(generated.bytes / 1e9).toFixed(2)} GB`);
  } else console.log(`reusing the ledger in ${out} (${days} snapshots)`);
  const config = path.join(out, 'release-ledger.config.yaml');
  const file = path.join(out, 'population.csv');
  const from = '2025-01-01';
  const to = new Date(Date.parse(`${from}T00:00:00Z`) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const exported = await measure(['export', '--config', config, '--from', from, '--to', to, '--out', file]);
  if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
  const size = (await stat(file)).size;
  const manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8')) as { rows: number; snapshots: unknown[] };
  const checked = await measure(['export', '--config', config, '--check', file]);
  if (checked.code !== 0) throw new Error(`check failed: ${checked.stderr}`);
  const mb = (kib: number) => `${Math.round(kib / 1024)} MB`;
  console.log(`export ${from}..${to}: ${manifest.rows} changes from ${manifest.snapshots.length} snapshots, ${(size / 1e6).toFixed(1)} MB CSV`);
  console.log(`  export: ${(exported.ms / 1000).toFixed(1)} s (${(exported.ms / manifest.snapshots.length).toFixed(0)} ms a snapshot), peak RSS ${mb(exported.maxRssKiB)}`);
  console.log(`  export --check (verify the chain + re-derive): ${(checked.ms / 1000).toFixed(1)} s, peak RSS ${mb(checked.maxRssKiB)}`);
  if (!flags.keep) await rm(file, { force: true });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv.slice(1));
else await bench();
