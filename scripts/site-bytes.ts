/**
 * A built site's bytes and files by page kind, and per day of history: what
 * `npm run bench` reports beside the build times (issue 23), and what the
 * three-year extrapolation multiplies.
 *
 *   node --import tsx scripts/site-bytes.ts SITE_DIR [--days-to 1095]
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The page kinds, first match wins (paths relative to the site, `/`-separated). */
const KINDS: [string, RegExp][] = [
  ['day page', /^days\/[^/]+\/index\.html$/],
  ['next-day page', /^days\/[^/]+\/next\//],
  ['environment pages', /^days\/[^/]+\/environments\//],
  ['compare pages', /^days\/[^/]+\/compare\//],
  ['service revision pages', /^days\/[^/]+\/services\//],
  ['snapshot copies', /^snapshots\/[^/]+\.json(\.gz)?$/],
  ['service histories', /^services\//],
  ['change pages', /^changes\/[^/]+\/index\.html$/],
  ['changes search', /^changes\//],
  ['audit periods', /^audit\//],
  ['site assets (fixed)', /^(_mermaid|_astro)\/|^favicon|^robots\.txt$/],
  ['other', /./],
];

export interface SiteBytes {
  /** Days with a day page. */
  days: number;
  total: { files: number; bytes: number };
  /**
   * The tar `upload-pages-artifact` packs for GitHub Pages: a 512-byte header
   * a file and a folder, each file rounded up to 512 bytes, two zero blocks
   * at the end (paths here are under 100 characters: no long-name headers).
   */
  tarBytes: number;
  kinds: { kind: string; files: number; bytes: number }[];
}

export async function siteBytes(dir: string): Promise<SiteBytes> {
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  const entries = all.filter((e) => e.isFile());
  const kinds = new Map(KINDS.map(([kind]) => [kind, { kind, files: 0, bytes: 0 }]));
  let days = 0;
  let tarBytes = 512 * (all.filter((e) => e.isDirectory()).length + 1) + 1024;
  for (const e of entries) {
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    const { size } = await stat(full);
    const kind = KINDS.find(([, re]) => re.test(rel))![0];
    const held = kinds.get(kind)!;
    held.files++;
    held.bytes += size;
    tarBytes += 512 + Math.ceil(size / 512) * 512;
    if (kind === 'day page') days++;
  }
  const list = [...kinds.values()].filter((k) => k.files > 0);
  return { days, total: { files: list.reduce((n, k) => n + k.files, 0), bytes: list.reduce((n, k) => n + k.bytes, 0) }, kinds: list, tarBytes };
}

/** MiB, as `du -h` counts. */
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const fixed = (kind: string) => kind.endsWith('(fixed)');

/**
 * A markdown table: each kind's files, bytes, bytes per day, and at `daysTo`
 * days at the same rate per day (the site's assets do not grow with days).
 */
export function siteBytesTable(s: SiteBytes, daysTo = 1095): string[] {
  const per = (n: number) => (s.days > 0 ? n / s.days : 0);
  const at = (k: { kind: string; bytes: number }) => (fixed(k.kind) ? k.bytes : per(k.bytes) * daysTo);
  const atFiles = (k: { kind: string; files: number }) => (fixed(k.kind) ? k.files : per(k.files) * daysTo);
  const sum = (f: (k: SiteBytes['kinds'][number]) => number) => s.kinds.reduce((n, k) => n + f(k), 0);
  return [
    `| page kind | files | bytes | per day | at ${daysTo} days |`,
    '|---|---|---|---|---|',
    ...s.kinds.map((k) => `| ${k.kind} | ${k.files} | ${mb(k.bytes)} | ${fixed(k.kind) ? '–' : `${(per(k.bytes) / 1024).toFixed(0)} KB`} | ${mb(at(k))} |`),
    `| whole site (${s.days} days) | ${s.total.files} | ${mb(s.total.bytes)} | ${(per(s.total.bytes - sum((k) => (fixed(k.kind) ? k.bytes : 0))) / 1024).toFixed(0)} KB | ${mb(sum(at))} (${Math.round(sum(atFiles))} files) |`,
    `| the same as GitHub Pages' artifact (a tar) | | ${mb(s.tarBytes)} (${(s.tarBytes / 1e9).toFixed(3)} GB) | | |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  const at = process.argv.indexOf('--days-to');
  if (!dir) throw new Error('usage: site-bytes.ts SITE_DIR [--days-to N]');
  process.stdout.write(`${siteBytesTable(await siteBytes(dir), at > 0 ? Number(process.argv[at + 1]) : 1095).join('\n')}\n`);
}
