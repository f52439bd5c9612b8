/**
 * `npm run bench:bytes`: the site's bytes by page kind, without the floors
 * (issue 23): generate a synthetic ledger, build it once, report each page
 * kind's bytes per day and the whole site extrapolated to three years.
 *
 *   node --import tsx scripts/bench-bytes.ts [--days 90] [--services 100] [--envs 4] [--work DIR] [--reuse]
 *
 * The same ledger generator and seed as `npm run bench`; `--reuse` keeps the
 * generated ledger of the same shape between runs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateLedger, parseFlags } from './bench-ledger.ts';
import { siteBytes, siteBytesTable } from './site-bytes.ts';

const f = parseFlags(process.argv.slice(2));
const num = (key: string, fallback: number) => (f[key] === undefined ? fallback : Number(f[key]));
const [days, services, envs] = [num('days', 90), num('services', 100), num('envs', 4)];
const work = path.resolve(typeof f.work === 'string' ? f.work : `/tmp/release-ledger-bytes-${days}x${services}x${envs}`);
const generated = path.join(work, 'generated');
const marker = path.join(work, 'generated.json');
const want = JSON.stringify({ days, services, envs, seed: 1 });
if (!(f.reuse === true && existsSync(marker) && (await readFile(marker, 'utf8')) === want)) {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await generateLedger({ days, services, environments: envs, outDir: generated, seed: 1, direct: true });
  await writeFile(marker, want);
}
const { buildSite } = await import('../src/site/build.ts');
const out = path.join(work, 'site');
await rm(out, { recursive: true, force: true });
await rm(path.join(work, 'cache'), { recursive: true, force: true });
const started = performance.now();
const result = await buildSite({ snapshotsDir: path.join(generated, 'content', 'snapshots'), outDir: out, cacheDir: path.join(work, 'cache'), incremental: true, logLevel: 'error' });
process.stdout.write(
  [
    `release-ledger bench:bytes: ${days} days × ${services} services × ${envs} environments, built in ${((performance.now() - started) / 1000).toFixed(1)} s (${result.pages} pages) into ${out}`,
    '',
    ...siteBytesTable(await siteBytes(out), 1095),
    '',
  ].join('\n'),
);
