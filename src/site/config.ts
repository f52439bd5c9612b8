/**
 * The Astro configuration of the site, shared by `astro.config.mjs` (plain
 * `astro build` / `astro dev` over `<repo>/content/snapshots`) and by
 * `buildSite()` / `devSite()`, which pass the ledger to read as an argument.
 *
 * The ledger location reaches the pages through a Vite virtual module
 * (`virtual:release-ledger/site`) instead of `process.env`: only the CLI entry
 * reads the user's environment, and two builds in one process (tests) must not
 * see each other's settings.
 * https://vite.dev/guide/api-plugin.html#virtual-modules-convention
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SnapshotCopies } from '../model/index.ts';
import type { RenderGroup } from '../views/routes.ts';
import type { AstroUserConfig } from 'astro';
import { MERMAID_ENTRY, mermaidAssets } from './mermaid-assets.ts';

/** The repository root, which is the Astro project root (found from this file, never from cwd). */
export const SITE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The ledger read by plain `astro build` / `astro dev`. */
export const DEFAULT_SNAPSHOTS_DIR = path.join(SITE_ROOT, 'content', 'snapshots');

/** The version of release-ledger that renders the pages; part of what a page depends on, so it is in every footer. */
export const GENERATOR_VERSION: string = (JSON.parse(readFileSync(path.join(SITE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface SiteOptions {
  /** Absolute folder holding `<id>.json` snapshots. */
  snapshotsDir: string;
  /** Overrides the organisation name the snapshots carry, in the header. */
  siteName?: string;
  /** What robots.txt asks of crawlers (config `site.robots`); `disallow` by default. */
  robots?: 'allow' | 'disallow';
  /** A JSON file holding the finished `LedgerIndex` (written by `buildSite`), so the pages do not read the whole ledger again. */
  indexFile?: string;
  /** A JSON file of snapshot id → chain hash (written by `buildSite`), so the pages do not hash 6 MB snapshots again. */
  chainsFile?: string;
  /**
   * `buildSite` copies `/snapshots/ID.json` into the output itself, so Astro does not render them.
   * Through the endpoint, each 6 MB file was read, copied into a Response, read back and written
   * (about 85 ms a snapshot at 500 services, 90 s of a three-year build); `copyFile` takes about 4 ms.
   * Plain `astro build` and the dev server still serve them through the endpoint.
   */
  copySnapshots?: boolean;
  /** How `/snapshots/` publishes each snapshot (config `site.snapshotCopies`): `gzip` (default), `json` or `none`. */
  snapshotCopies?: SnapshotCopies;
}

/**
 * The keyed pages an incremental build renders, by render group (the route
 * table's, src/views/routes.ts): dates for the per-day groups, snapshot ids,
 * service names. Every ledger-wide page is always rendered. `buildSite` hands
 * it over with the index (handover.ts), not through the options module: Astro
 * bundles the pages before the plan is known.
 */
export type RenderOnly = Record<RenderGroup, string[]>;

const VIRTUAL_ID = 'virtual:release-ledger/site';
const RESOLVED_ID = '\0' + VIRTUAL_ID;

/** The Vite plugin that serves the site options as a module. */
export function siteOptionsPlugin(options: SiteOptions) {
  const snapshotsDir = path.resolve(options.snapshotsDir);
  return {
    name: 'release-ledger:site-options',
    resolveId(id: string) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id: string) {
      if (id !== RESOLVED_ID) return undefined;
      return [
        `export const snapshotsDir = ${JSON.stringify(snapshotsDir)};`,
        `export const siteName = ${JSON.stringify(options.siteName ?? null)};`,
        `export const robots = ${JSON.stringify(options.robots ?? 'disallow')};`,
        `export const generatorVersion = ${JSON.stringify(GENERATOR_VERSION)};`,
        `export const indexFile = ${JSON.stringify(options.indexFile ?? null)};`,
        `export const chainsFile = ${JSON.stringify(options.chainsFile ?? null)};`,
        `export const snapshotsCopied = ${options.copySnapshots === true};`,
        `export const snapshotCopies = ${JSON.stringify(options.snapshotCopies ?? 'gzip')};`,
        `export const mermaidEntry = ${JSON.stringify(MERMAID_ENTRY)};`,
        '',
      ].join('\n');
    },
  };
}

/** The whole Astro config for a ledger. */
export function siteConfig(options: SiteOptions): AstroUserConfig {
  return {
    root: SITE_ROOT,
    srcDir: path.join(SITE_ROOT, 'src'),
    publicDir: path.join(SITE_ROOT, 'public'),
    // Static files only: the site is published to any static host (GitHub Pages).
    output: 'static',
    // `/days/2026-03-14/` → `days/2026-03-14/index.html`, links end in `/`.
    // https://docs.astro.build/en/reference/configuration-reference/#buildformat
    trailingSlash: 'always',
    // Four pages in flight: with one, the main thread idled while each page's folder and file
    // were written (13% of a full build at 500 × 6). Pages still start in route order, day by
    // day, so data.ts's small snapshot LRU keeps hitting. https://docs.astro.build/en/reference/configuration-reference/#buildconcurrency
    build: { format: 'directory', concurrency: 4 },
    // No dev toolbar: nothing extra is injected into pages (telemetry: see build.ts).
    devToolbar: { enabled: false },
    integrations: [mermaidAssets()],
    vite: {
      plugins: [siteOptionsPlugin(options)],
      build: {
        // mermaid is not bundled (mermaid-assets.ts); no chunk should be large.
        chunkSizeWarningLimit: 512,
        // Scripts as files, never inlined: the graph's 1.3 KB script was in each of the ~30 pages a
        // day that draw one, 39 MiB of a three-year site at 100 services (issue 23); as a file
        // the browser fetches it once. https://docs.astro.build/en/guides/client-side-scripts/#script-processing
        assetsInlineLimit: 0,
      },
    },
  };
}
