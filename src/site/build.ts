/**
 * `buildSite()`: the Astro build over a ledger, through Astro's programmatic
 * API (https://docs.astro.build/en/reference/programmatic-reference/#build).
 * The ledger folder is an argument (the CLI finds it beside the user's
 * config); the Astro project root is this repository, found from this file.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { LedgerError } from '../errors.ts';
import { listSnapshotIds, readSnapshotFile, sha256Hex } from '../ledger/index.ts';
import type { SnapshotCopies } from '../model/index.ts';
import { copyFileName } from '../views/snapshots.ts';
import { SITE_ROOT, siteConfig } from './config.ts';
import { auditGroupKeys, openChangeIndex } from './audit-index.ts';
import { handOver } from './handover.ts';
import { checkOutput, folderMaker, missingFiles, moveInto, openStaging, recoverOutput, swapIn, updateInPlace } from './output.ts';
import {
  CACHE_FORMAT, generatorFingerprint, openLedgerIndex, groupFiles, groupKeys, ledgerFacts, listFiles, planRender, readManifest, removeManifest, serviceGroupKeys, snapshotGroupKeys, writeManifest,
  type LedgerFacts, type SiteManifest,
} from './incremental.ts';

const ASTRO_LOG = path.join(import.meta.dirname, 'astro-log.mjs');

export interface BuildSiteOptions {
  /** Folder of `<id>.json` snapshots. */
  snapshotsDir: string;
  /**
   * Where the static site is written. Replaced whole, so it must be missing, empty or a
   * site this build wrote (src/site/output.ts); never the config's folder, the ledger or a git root.
   */
  outDir: string;
  /** The config's folder: the output folder may not be or hold it (nor the git work tree root above it). */
  configDir?: string;
  /** Organisation name for the ledger-wide pages; day pages show the name their snapshot recorded. */
  /** robots.txt: `disallow` (default) or `allow` (config `site.robots`). */
  robots?: 'allow' | 'disallow';
  /** How `/snapshots/` publishes each snapshot (config `site.snapshotCopies`): `gzip` (default), `json` or `none`. */
  snapshotCopies?: SnapshotCopies;
  siteName?: string;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
  /** Astro's error log lines too, stacks and all (`--debug`); without it a failed build is only the one-line error it throws (astro-log.mjs). */
  debug?: boolean;
  /**
   * Reuse the previous build's per-day pages whose inputs did not change
   * (src/site/incremental.ts). Needs the previous `outDir` and `cacheDir`;
   * without them (or after a code change) it builds everything and fills the cache.
   */
  incremental?: boolean;
  /** Where incremental builds keep their manifest and the cross-day index builder's state (default: `<outDir>/../.<outDir name>-cache`). Keep it between nightly runs together with `outDir`. */
  cacheDir?: string;
}

export interface BuildSiteResult {
  /** Pages (`index.html`) in the output. */
  pages: number;
  /** Pages Astro rendered in this build (all of them unless an incremental build reused some). */
  rendered: number;
  /** Pages kept from the previous build. */
  reused: number;
  /** Snapshots read in full to build the cross-day index (incremental builds read only new ones). */
  snapshotsRead: number;
}

/** The default cache folder of an incremental build: beside the output, never inside it (it is published). */
export function defaultCacheDir(outDir: string): string {
  const resolved = path.resolve(outDir);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}-cache`);
}

export async function buildSite(options: BuildSiteOptions): Promise<BuildSiteResult> {
  const snapshotsDir = path.resolve(options.snapshotsDir);
  const incremental = options.incremental === true;
  const copies = options.snapshotCopies ?? 'gzip';
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir(options.outDir));
  // Refused before anything is read or written (exit 2); then what a killed build left beside it is cleaned up.
  const outDir = await checkOutput(options.outDir, { snapshotsDir, configDir: options.configDir, cacheDir });
  await recoverOutput(outDir);
  await disableAstroTelemetry();
  const { build } = await import('astro');

  // The cross-day index is computed here, beside Astro's bundling, for full and incremental builds alike (same code path, same bytes).
  const ids = await listSnapshotIds(snapshotsDir);
  const fingerprint = await generatorFingerprint({ siteName: options.siteName ?? null });
  // Chain hashes from the links (cheap), for the content keys and the footers; link hints are kept only with a cache.
  const facts = await ledgerFacts(snapshotsDir, ids, incremental ? cacheDir : null);
  // Astro writes its temporary prerender bundle inside outDir when outDir is under the current
  // directory, and to a shared `<cwd>/.astro/` otherwise (getOutDirWithinCwd in
  // astro/dist/core/build/common.js), where two concurrent builds break each other. So the
  // build goes to a private folder under the current directory, is moved into a staging folder
  // beside the output and swapped in whole (src/site/output.ts).
  // The bundle's chunks import Astro's own dependencies by bare name, so they must sit under the
  // package root (where node_modules is), wherever the ledger and the caller's folder are: the
  // build runs with the package root as its current directory (restored afterwards).
  const stagingParent = path.join(SITE_ROOT, '.astro');
  const callerCwd = process.cwd();
  if (callerCwd !== SITE_ROOT) process.chdir(SITE_ROOT);
  await mkdir(stagingParent, { recursive: true });
  const staging = await mkdtemp(path.join(stagingParent, 'release-ledger-build-'));
  // Handed to the pages in memory (site/handover.ts), not written and parsed again; the keys are the files they would read.
  const indexFile = `${staging}.index.json`;
  const chainsFile = `${staging}.chains.json`;
  // Astro bundles the pages first, which leaves the main thread mostly idle (about a second a night):
  // the index pass runs meanwhile, and the pages read nothing handed over before `ready` (data.ts).
  const ready = deferred();
  const releases = [handOver(`${chainsFile}.ready`, ready.promise)];
  // The copies are written beside the staging folder while Astro builds, so `/snapshots/` and the footers can give their sizes.
  const copiesDir = `${staging}.copies`;
  let copying: Promise<unknown> = Promise.resolve();
  let stopCopies = () => {};
  const config = siteConfig({ snapshotsDir, indexFile, chainsFile, copySnapshots: true, snapshotCopies: copies, ...(options.siteName !== undefined ? { siteName: options.siteName } : {}), ...(options.robots ? { robots: options.robots } : {}) });
  let result: Omit<BuildSiteResult, 'snapshotsRead'> | undefined;
  let site: string | null = null;
  let manifest: SiteManifest | null = null;
  let astro: Promise<unknown> = Promise.resolve();
  let read = 0;
  try {
    astro = build({
      ...config,
      // Everything comes from siteConfig(); a stray astro.config.* must not change a ledger's pages.
      configFile: false,
      outDir: staging,
      // One cache per output folder, under Astro's default node_modules/.astro, so concurrent builds never share one.
      cacheDir: path.join(SITE_ROOT, 'node_modules', '.astro', 'release-ledger', sha256Hex(outDir).slice(0, 16)),
      logLevel: options.logLevel ?? 'warn',
      ...(options.debug ? {} : { logger: { entrypoint: ASTRO_LOG } }),
      mode: 'production',
    });
    // Awaited below; a failure meanwhile must wait there, not crash the process as unhandled.
    astro.catch(() => {});
    const previous = incremental ? await usableManifest(cacheDir, fingerprint, outDir) : null;
    // Compressed on a thread of their own (level 9 takes ~110 ms a 6 MB snapshot, two minutes of CPU at three years),
    // starting now, on the second core while the index pass holds the first: started after it, beside the rendering,
    // they held back every page that shows the newest copy's size (the home page, `/snapshots/`), which Astro renders
    // first, and so all four pages in flight (docs/scale.md). Which copies a night writes depends on the snapshots'
    // keys alone, so the plan made below from all the keys renders the same ones.
    const copyWork = writeCopies(snapshotsDir, copiesDir, previous ? planRender(snapshotGroupKeys(facts, fingerprint, copies), previous).only.snapshots : ids, copies);
    copying = copyWork.done;
    stopCopies = copyWork.stop;
    // Handled here so a failure waits for `await copying` below instead of crashing the process as unhandled.
    copying.catch(() => {});
    const pass = await indexPass(snapshotsDir, facts, incremental ? cacheDir : null, fingerprint);
    read = pass.read;
    const keys = new Map([
      ...groupKeys(facts, fingerprint, options.siteName ?? pass.index.organisation, copies),
      ...serviceGroupKeys(pass.index, pass.serviceDigests, fingerprint, options.siteName ?? null),
      ...auditGroupKeys(facts, pass.changeIndex, fingerprint, options.siteName ?? pass.index.organisation),
    ]);
    const plan = previous ? planRender(keys, previous) : null;
    // The files a night keeps must still be there (a page deleted by hand makes a full build): checked while Astro renders.
    const keptCheck = plan ? missingFiles(outDir, plan.kept) : null;
    const sizes = new Map<string, Promise<number>>(copyWork.sizes);
    // Kept copies (incremental builds): the size of the file the previous build wrote, which is the one published.
    // Synchronous: a night keeps a thousand copies, and awaiting each stat left the main thread idle ~0.1 s before the handover.
    for (const id of ids) {
      if (sizes.has(id) || copies === 'none') continue;
      const kept = statSync(path.join(outDir, 'snapshots', copyFileName(id, copies)), { throwIfNoEntry: false });
      if (!kept) {
        // Deleted by hand: build everything (below), with no manifest to trust.
        await removeManifest(cacheDir);
        throw new KeptFileMissing(`snapshots/${copyFileName(id, copies)}`);
      }
      sizes.set(id, Promise.resolve(kept.size));
    }
    releases.push(
      handOver(indexFile, pass.index),
      handOver(`${indexFile}.changes`, pass.changeIndex),
      handOver(`${indexFile}.rows`, pass.changeRows),
      handOver(`${indexFile}.approvals`, pass.changeApprovals),
      // Each snapshot's export part, kept in the cache: a closing night assembles its period files from them (data.ts `periodExport`).
      handOver(`${indexFile}.parts`, pass.exportPart),
      handOver(chainsFile, Object.fromEntries([...facts.identity].map(([id, identity]) => [id, identity.split(':')[0]!]))),
      // The file hashes `/snapshots/` lists (data.ts `snapshotListing`), hashed only for new files when a cache is kept.
      handOver(`${chainsFile}.files`, Object.fromEntries(facts.files)),
      // The newest snapshot, already parsed and validated by ledgerFacts: its day page, the home page and
      // its change pages take it from here instead of reading and validating its file once more.
      handOver(`${chainsFile}.head`, facts.head),
      // The sha256 of the bytes of each snapshot the index pass validated and found plain (store.ts `readSnapshotFile`):
      // the pages read those files once more, and parse the same bytes without validating them twice.
      handOver(`${chainsFile}.validated`, pass.validated),
      handOver(`${chainsFile}.copies`, sizes),
      // What an incremental build renders (data.ts `renders`); null renders everything.
      handOver(`${chainsFile}.only`, plan?.only ?? null),
    );
    ready.resolve();
    await astro;
    // Every copy written (a failed one fails the build with its own error, even if no page asked for it).
    await copying;
    const written = await readdir(path.join(copiesDir, 'snapshots')).catch(() => []);
    if (written.length > 0) await mkdir(path.join(staging, 'snapshots'), { recursive: true });
    for (const name of written) await moveInto(path.join(copiesDir, 'snapshots', name), path.join(staging, 'snapshots', name));
    site = await openStaging(outDir);
    if (plan && previous) {
      const missing = await keptCheck;
      const { manifest: planned, moves, removes, ...counts } = await stageNight(staging, site, outDir, cacheDir, previous, keys, plan.groups, ids.at(-1) ?? null, fingerprint, missing ? new Set(missing) : null);
      manifest = planned;
      result = counts;
      // From here the journal owns the staged folder: a failure or a kill is finished by the next build.
      const staged = site;
      site = null;
      await updateInPlace(outDir, staged, moves, removes);
    } else {
      if (incremental) await removeManifest(cacheDir);
      const files = await listFiles(staging);
      for (const name of await readdir(staging)) await moveInto(path.join(staging, name), path.join(site, name));
      const pages = files.filter(isPage).length;
      result = { pages, rendered: pages, reused: 0 };
      if (incremental) {
        const groups: SiteManifest['groups'] = {};
        for (const [group, list] of groupFiles(files)) groups[group] = { key: keys.get(group) ?? '', files: list };
        for (const [group, key] of keys) groups[group] ??= { key, files: [] };
        // Written after the swap: a manifest must never describe a site that is not in place.
        manifest = { format: CACHE_FORMAT, fingerprint, head: ids.at(-1) ?? null, groups };
      }
      await swapIn(site, outDir);
      site = null;
    }
    if (manifest) await writeManifest(cacheDir, manifest);
  } catch (error) {
    // A page of the previous site was deleted by hand: its manifest is already removed, so build everything (below).
    if (error instanceof KeptFileMissing) result = undefined;
    else {
      const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
      throw new LedgerError(`the site build over ${options.snapshotsDir} failed: ${message}; run \`release-ledger verify\`, then retry with --debug`, { cause: error });
    }
  } finally {
    // Whatever stopped the build, Astro is done before its folders go: pages still waiting for the handover fail
    // (no effect once it is handed over), and a failed build's Astro is awaited to its end.
    ready.reject(new Error('the build stopped before the index pass handed over its results'));
    await astro.catch(() => {});
    // Nothing may still be writing into the folders removed below (after a failure, the copies under way only).
    stopCopies();
    await copying.catch(() => {});
    if (process.cwd() !== callerCwd) process.chdir(callerCwd);
    await rm(staging, { recursive: true, force: true });
    await rm(copiesDir, { recursive: true, force: true });
    // A failed build leaves the previous site as it was and no staged one beside it.
    if (site) await rm(site, { recursive: true, force: true });
    for (const release of releases) release();
  }
  if (!result) return buildSite(options);
  return { ...result, snapshotsRead: read };
}

/** A promise settled from outside, already handled: a rejection nobody awaits yet must not crash the process. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve: () => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The cross-day index and the change index in one pass over the snapshots
 * either has not seen (all of them without a cache): each snapshot is read,
 * parsed and validated once, not once per index (at 500 services a read is
 * 0.1–0.2 s of a full build's time per snapshot).
 */
async function indexPass(snapshotsDir: string, facts: LedgerFacts, cacheDir: string | null, fingerprint: string) {
  const ledger = await openLedgerIndex(facts, cacheDir, fingerprint);
  const changes = await openChangeIndex(facts.ids, facts.identity, cacheDir, fingerprint);
  const chainOf = (id: string) => facts.identity.get(id)?.split(':')[0];
  const validated = new Map<string, string>();
  for (let i = Math.min(ledger.from, changes.from); i < facts.ids.length; i++) {
    const id = facts.ids[i]!;
    // The head was parsed and hashed by ledgerFacts.
    const known = facts.head && i === facts.ids.length - 1 ? { snapshot: facts.head, sha256: chainOf(id)!, plain: false, fileSha256: undefined } : null;
    const entry = known ?? (await readSnapshotFile(snapshotsDir, id, chainOf(id), { vouch: true }));
    const { snapshot, sha256 } = entry;
    // Validated and plain: the pages' read of the same bytes parses them without the schema pass (data.ts `snapshotEntry`).
    if (!known && entry.plain && entry.fileSha256) validated.set(id, entry.fileSha256);
    if (i >= ledger.from) ledger.add(id, snapshot);
    if (i >= changes.from) await changes.add(id, snapshot, sha256, facts.files.get(id)?.sha256 ?? null);
  }
  await setImmediate();
  return { ...(await ledger.finish()), changeIndex: await changes.finish(), changeRows: changes.rows, changeApprovals: changes.approvals, exportPart: changes.partOf, validated };
}

/** A file the previous build's manifest lists is no longer in its output. */
class KeptFileMissing extends Error {}

/**
 * Starts writing the published copies of `ids` (config `site.snapshotCopies`)
 * under `into/snapshots/`: `ID.json.gz`, a gzip of the ledger file's bytes
 * (ledger/gzip-copy.ts), or `ID.json`, the bytes copied
 * (`SiteOptions.copySnapshots`), or none. They are written in id order on a
 * thread of their own (snapshot-copies-worker.mjs), which needs nothing of the
 * main thread while the index pass and the rendering hold it. `sizes` has a
 * promise of each copy's size, settled as it is written, and `done` settles
 * when all are (rejecting with the first failure) or, after `stop()`, when
 * the one under way is.
 */
function writeCopies(snapshotsDir: string, into: string, ids: readonly string[], copies: SnapshotCopies): { sizes: Map<string, Promise<number>>; done: Promise<void>; stop: () => void } {
  const sizes = new Map<string, Promise<number>>();
  if (ids.length === 0 || copies === 'none') return { sizes, done: Promise.resolve(), stop: () => {} };
  const settle = new Map<string, { resolve: (n: number) => void; reject: (e: unknown) => void }>();
  for (const id of ids) {
    const size = new Promise<number>((resolve, reject) => settle.set(id, { resolve, reject }));
    // Marked handled here: a failure is thrown by `done` (and by any page awaiting the size).
    size.catch(() => {});
    sizes.set(id, size);
  }
  // Named by its published address: a failed write's own message names no file ("ENOSPC: no space left on device, write").
  const failed = (id: string, message: string, cause?: unknown) =>
    new Error(`the copy /snapshots/${copyFileName(id, copies)} of ${id}.json could not be made: ${message.replace(/\s+/g, ' ')}`, { cause });
  // Whatever ends the copies, every page still awaiting a size gets the reason: left unsettled, it would keep the build waiting for ever.
  let failure: Error | null = null;
  const end = (error: Error) => {
    failure ??= error;
    for (const { reject } of settle.values()) reject(failure);
    settle.clear();
  };
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const done = mkdir(path.join(into, 'snapshots'), { recursive: true }).then(
    () =>
      new Promise<void>((resolve, reject) => {
        const jobs = ids.map((id) => ({ id, from: path.join(snapshotsDir, `${id}.json`), to: path.join(into, 'snapshots', copyFileName(id, copies)) }));
        const worker = new Worker(COPIES_WORKER, { workerData: { jobs, gzip: copies === 'gzip', stop } });
        worker.on('message', (written: { id: string; size: number } | { id: string; message: string }) => {
          if ('message' in written) return end(failed(written.id, written.message));
          settle.get(written.id)?.resolve(written.size);
          settle.delete(written.id);
        });
        worker.on('error', (error) => end(failed(ids.find((id) => settle.has(id)) ?? ids[0]!, error.message, error)));
        // Ended: every copy written, or the first failure, or stopped after the copy under way.
        worker.on('exit', () => {
          if (settle.size > 0) end(new Error(`the snapshot copies stopped before ${[...settle.keys()][0]}.json was copied`));
          if (failure) reject(failure);
          else resolve();
        });
      }),
  );
  return { sizes, done, stop: () => Atomics.store(stop, 0, 1) };
}

const COPIES_WORKER = path.join(import.meta.dirname, 'snapshot-copies-worker.mjs');

const isPage = (file: string) => file === 'index.html' || file.endsWith('/index.html');

/** The previous build's manifest, if it was made by this generator and its output is still there. */
async function usableManifest(cacheDir: string, fingerprint: string, outDir: string): Promise<SiteManifest | null> {
  const manifest = await readManifest(cacheDir, fingerprint);
  if (!manifest) return null;
  const present = await stat(path.join(outDir, 'index.html')).then(() => true, () => false);
  return present ? manifest : null;
}

/**
 * Stages a night (src/site/output.ts `updateInPlace`): the freshly rendered
 * files go into `site`, a folder beside the output (same file system), and
 * the files of the previous output that no longer belong to the site are
 * listed for removal; unchanged files stay where they are. The previous
 * output is not touched here. The manifest is removed first and returned, to
 * be written once the site is updated, so an interrupted build makes the next
 * one a full one.
 */
async function stageNight(
  staging: string, site: string, outDir: string, cacheDir: string, previous: SiteManifest, keys: Map<string, string>, rendered: Set<string>, head: string | null, fingerprint: string,
  missing: ReadonlySet<string> | null,
): Promise<Omit<BuildSiteResult, 'snapshotsRead'> & { manifest: SiteManifest; moves: string[]; removes: string[] }> {
  await removeManifest(cacheDir);
  const fresh = groupFiles(await listFiles(staging));
  const groups: SiteManifest['groups'] = {};
  // Rendered this time: the cross-day pages and assets, and every group whose key changed.
  for (const [group, files] of fresh) groups[group] = { key: keys.get(group) ?? '', files };
  for (const group of rendered) groups[group] ??= { key: keys.get(group)!, files: [] };
  // Kept: unchanged per-day groups, which must still be there (`missing`, checked while Astro rendered, else here: a page deleted by hand makes a full build).
  for (const [group, key] of keys) if (!groups[group] && previous.groups[group]?.key === key) groups[group] = previous.groups[group]!;
  const kept = Object.entries(groups).flatMap(([group, { files }]) => (fresh.has(group) ? [] : files));
  const gone = missing ?? new Set(kept.filter((file) => !existsSync(path.join(outDir, file))));
  for (const file of kept) if (gone.has(file)) throw new KeptFileMissing(file);
  const moves: string[] = [];
  let renderedPages = 0;
  const into = folderMaker(site);
  for (const files of fresh.values()) {
    for (const file of files) {
      await moveInto(path.join(staging, file), into(file));
      moves.push(file);
      if (isPage(file)) renderedPages++;
    }
  }
  const now = new Set(Object.values(groups).flatMap((g) => g.files));
  const removes = Object.values(previous.groups).flatMap((g) => g.files).filter((file) => !now.has(file));
  const pages = [...now].filter(isPage).length;
  return { pages, rendered: renderedPages, reused: pages - renderedPages, manifest: { format: CACHE_FORMAT, fingerprint, head, groups }, moves, removes };
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
