/**
 * `buildSite()`: the Astro build over a ledger, through Astro's programmatic
 * API (https://docs.astro.build/en/reference/programmatic-reference/#build).
 * The ledger folder is an argument (the CLI finds it beside the user's
 * config); the Astro project root is this repository, found from this file.
 */
import { cp, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LedgerError } from '../errors.ts';
import { sha256Hex } from '../ledger/index.ts';
import { SITE_ROOT, siteConfig } from './config.ts';

export interface BuildSiteOptions {
  /** Folder of `<id>.json` snapshots. */
  snapshotsDir: string;
  /** Where the static site is written (emptied first by Astro). */
  outDir: string;
  /** Organisation name for the ledger-wide pages; day pages show the name their snapshot recorded. */
  siteName?: string;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

export async function buildSite(options: BuildSiteOptions): Promise<{ pages: number }> {
  const outDir = path.resolve(options.outDir);
  await disableAstroTelemetry();
  const { build } = await import('astro');
  const config = siteConfig({ snapshotsDir: path.resolve(options.snapshotsDir), ...(options.siteName !== undefined ? { siteName: options.siteName } : {}) });
  // Astro writes its temporary prerender bundle inside outDir when outDir is under the current
  // directory, and to a shared `<cwd>/.astro/` otherwise (getOutDirWithinCwd in
  // astro/dist/core/build/common.js), where two concurrent builds break each other. So the
  // build goes to a private folder under the current directory and is moved into place.
  const stagingParent = path.join(process.cwd(), '.astro');
  await mkdir(stagingParent, { recursive: true });
  const staging = await mkdtemp(path.join(stagingParent, 'release-ledger-build-'));
  try {
    await build({
      ...config,
      // Everything comes from siteConfig(); a stray astro.config.* must not change a ledger's pages.
      configFile: false,
      outDir: staging,
      // One cache per output folder, under Astro's default node_modules/.astro, so concurrent builds never share one.
      cacheDir: path.join(SITE_ROOT, 'node_modules', '.astro', 'release-ledger', sha256Hex(outDir).slice(0, 16)),
      logLevel: options.logLevel ?? 'warn',
      mode: 'production',
    });
    await rm(outDir, { recursive: true, force: true });
    await mkdir(path.dirname(outDir), { recursive: true });
    try {
      await rename(staging, outDir);
    } catch {
      // Another file system (EXDEV): copy instead.
      await cp(staging, outDir, { recursive: true });
    }
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
    throw new LedgerError(`the site build over ${options.snapshotsDir} failed: ${message}; run \`release-ledger verify\`, then retry with --debug`, { cause: error });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { pages: await countPages(outDir) };
}

/** Pages written: every `index.html`. */
async function countPages(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name === 'index.html').length;
}

/**
 * Astro's telemetry posts an event per build unless ASTRO_TELEMETRY_DISABLED
 * is set in the environment or `astro telemetry disable` was run. A ledger
 * build must not call out, and only the CLI entry touches `process.env`, so
 * the telemetry instance Astro uses is told it is disabled directly.
 * https://docs.astro.build/en/reference/cli-reference/#astro-telemetry
 */
async function disableAstroTelemetry(): Promise<void> {
  try {
    const file = path.join(SITE_ROOT, 'node_modules', 'astro', 'dist', 'events', 'index.js');
    const events = (await import(pathToFileURL(file).href)) as { telemetry?: { env: Record<string, string | undefined> } };
    if (events.telemetry) events.telemetry.env = { ...events.telemetry.env, ASTRO_TELEMETRY_DISABLED: '1' };
  } catch {
    // A different Astro layout: the CLI also sets ASTRO_TELEMETRY_DISABLED.
  }
}
