/**
 * The site's data path: snapshots read with `fs` and validated by the same
 * zod schema the collectors write (through the ledger's `readSnapshotEntry`),
 * in a module-level cache shared by every page of one build.
 *
 * Measured (issue 4): a `glob()` content collection over 1,100 full
 * 500-service snapshots took about 7× the build time and 5× the memory of
 * this. Nothing here holds every snapshot at once: day pages go through a
 * small LRU (pages are generated day by day, so it hits), and the cross-day
 * pages use one compact index built in a single streaming pass.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chainsFile, generatorVersion, indexFile, siteName, snapshotCopies, snapshotsCopied, snapshotsDir } from 'virtual:release-ledger/site';
import { gzipCopy, lastKnownBefore, listSnapshotIds, readSnapshotEntry, readSnapshotFile, sha256Hex, snapshotIdToDate, type LastKnownDeployment, type SnapshotEntry } from '../ledger/index.ts';
import { exportPopulation } from '../export/extract.ts';
import { assembleExport, type SnapshotPart } from '../export/parts.ts';
import { rowsOf, snapshotsForPeriod, type ChangeRow } from '../export/population.ts';
import { changeOfDeployment, changePagePeriod, computeChangeIndex, type ChangeEntry } from './audit-index.ts';
import { closedPeriods, periodFiles, type AuditPeriod, type ChangeContext } from '../views/audit.ts';
import { approvalRows, type ApprovalRow } from '../views/approvals.ts';
import { LedgerIndexBuilder, paths, prWhereDeployment, type DayGroup, type LedgerIndex, type PrEntry } from '../views/index.ts';
import type { Change, Snapshot } from '../model/index.ts';
import { RENDER_GROUPS, type RenderGroup } from '../views/routes.ts';
import type { RenderOnly } from './config.ts';
import { DayViews } from '../views/day-views.ts';
import { handedOver } from './handover.ts';
import { href } from './url.ts';

export { generatorVersion, snapshotCopies };

/**
 * `buildSite` starts Astro, whose bundling leaves the main thread mostly idle, before its
 * index pass is done, and hands everything over at once when it is (build.ts): nothing
 * handed over is read before then. Without `buildSite` (dev server, plain `astro build`) there is nothing to wait for.
 */
let handoverSettled = !chainsFile;
const handoverReady: Promise<void> = Promise.resolve(chainsFile ? handedOver<Promise<void>>(`${chainsFile}.ready`) : undefined).then(() => {
  handoverSettled = true;
});
// A failed index pass fails the pages that wait (and `buildSite` reports its own error), never the process.
handoverReady.catch(() => {});

/** A value `buildSite` handed over under `key`, once it has handed everything over. */
async function shared<T>(key: string): Promise<T | undefined> {
  await handoverReady;
  return handedOver<T>(key);
}

/** How many parsed snapshots stay in memory. A day page needs its day's snapshots and the previous day's last. */
const LRU_SIZE = 6;

let idsPromise: Promise<string[]> | null = null;
let indexPromise: Promise<LedgerIndex> | null = null;
const lru = new Map<string, Promise<SnapshotEntry & { fileSha256: string; fileBytes: number }>>();

/** Every snapshot id, oldest first. */
export function snapshotIds(): Promise<string[]> {
  // After the handover, like everything a page asks first: `renders()` may follow.
  idsPromise ??= handoverReady.then(() => listSnapshotIds(snapshotsDir));
  return idsPromise;
}

/** The days that have snapshots, oldest first: the cross-day index's days, so routes and pages share one list. */
export async function days(): Promise<DayGroup[]> {
  return (await ledgerIndex()).days;
}

/** One snapshot with its chain hash and the sha256 of its file's bytes (what `sha256sum` prints for the download). */
export function snapshotEntry(id: string): Promise<SnapshotEntry & { fileSha256: string; fileBytes: number }> {
  return remembered(lru, id, async () => {
    // `buildSite` hands over the head it parsed, with its chain hash and file hash.
    const head = chainsFile ? await shared<Snapshot | null>(`${chainsFile}.head`) : undefined;
    const file = chainsFile ? (await shared<Record<string, { sha256: string; bytes: number }>>(`${chainsFile}.files`))?.[id] : undefined;
    const chain = (await chains())?.[id];
    if (head && head.id === id && file && chain) return { snapshot: head, sha256: chain, file: path.join(snapshotsDir, `${id}.json`), fileSha256: file.sha256, fileBytes: file.bytes };
    // Bytes the index pass validated (build.ts) are parsed without the schema pass, once they hash the same.
    const validatedSha256 = chainsFile ? (await shared<ReadonlyMap<string, string>>(`${chainsFile}.validated`))?.get(id) : undefined;
    const { bytes, fileSha256, plain: _plain, ...entry } = await readSnapshotFile(snapshotsDir, id, chain, validatedSha256 ? { validatedSha256 } : {});
    return { ...entry, fileSha256: fileSha256 ?? sha256Hex(bytes), fileBytes: bytes.length };
  });
}

/** `key`'s value in a cache of the last `LRU_SIZE` asked (pages come day by day), made by `make` when it is not there. */
function remembered<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const held = cache.get(key);
  if (held !== undefined) {
    cache.delete(key);
    cache.set(key, held);
    return held;
  }
  const made = make();
  cache.set(key, made);
  while (cache.size > LRU_SIZE) cache.delete(cache.keys().next().value!);
  return made;
}

let chainsPromise: Promise<Record<string, string> | null> | null = null;

/** Chain hashes `buildSite` already knows (from each successor's `previous` link), so pages do not recompute them. */
function chains(): Promise<Record<string, string> | null> {
  chainsPromise ??= (async () => {
    if (!chainsFile) return null;
    return (await shared<Record<string, string>>(chainsFile)) ?? (JSON.parse(await readFile(chainsFile, 'utf8')) as Record<string, string>);
  })();
  return chainsPromise;
}

/** One row of `/snapshots/`: a snapshot file and its two hashes. */
export interface SnapshotListing {
  id: string;
  /** The file's size in bytes. */
  bytes: number;
  /** sha256 of its canonical JSON (the hash chain). */
  chainSha256: string;
  /** sha256 of its bytes. */
  fileSha256: string;
  /** The published copy's size (the gzip's for `gzip`), null when the site publishes none. */
  copyBytes: number | null;
}

/**
 * The size of a snapshot's published copy: `buildSite` hands over the size of
 * each copy it writes or keeps (build.ts `writeCopies`); otherwise (dev
 * server, plain `astro build`) the gzip is made again to measure it.
 */
export async function copyBytes(id: string, fileBytes: number): Promise<number | null> {
  if (snapshotCopies === 'none') return null;
  if (snapshotCopies === 'json') return fileBytes;
  // Sizes promised as `buildSite` writes the copies (beside Astro's build).
  const known = chainsFile ? (await shared<ReadonlyMap<string, Promise<number>>>(`${chainsFile}.copies`))?.get(id) : undefined;
  return known ? await known : gzipCopy(await rawSnapshot(id)).length;
}

/**
 * Every snapshot with both hashes, oldest first. `buildSite` hands over what it
 * already knows (chain hashes from the links, file hashes cached between
 * builds); otherwise (dev server, plain `astro build`) every file is read.
 */
export async function snapshotListing(): Promise<SnapshotListing[]> {
  const known = chainsFile ? await shared<Record<string, { sha256: string; bytes: number }>>(`${chainsFile}.files`) : undefined;
  const chainOf = await chains();
  const out: SnapshotListing[] = [];
  for (const id of await snapshotIds()) {
    const file = known?.[id];
    const chain = chainOf?.[id];
    if (file && chain) {
      out.push({ id, bytes: file.bytes, chainSha256: chain, fileSha256: file.sha256, copyBytes: await copyBytes(id, file.bytes) });
      continue;
    }
    const { bytes, sha256 } = await readSnapshotFile(snapshotsDir, id, chain);
    out.push({ id, bytes: bytes.length, chainSha256: sha256, fileSha256: sha256Hex(bytes), copyBytes: await copyBytes(id, bytes.length) });
  }
  return out;
}

/** The exact bytes of a snapshot file, for `/snapshots/ID.json` and its gzip. */
export function rawSnapshot(id: string): Promise<Buffer> {
  return readFile(path.join(snapshotsDir, `${id}.json`));
}

export interface DayData {
  day: DayGroup;
  /** The last snapshot of the day: the state at the end of the day. */
  snapshot: Snapshot;
  chainSha256: string;
  fileSha256: string;
  /** The snapshot file's size in bytes (the footer's download link says it). */
  fileBytes: number;
  /** Its published copy's size (`copyBytes`). */
  copyBytes: number | null;
  /** The last snapshot of the previous day with snapshots, or null for the first day. */
  previous: Snapshot | null;
  previousDay: DayGroup | null;
  /** The `changes[]` of every snapshot of the day, oldest first. */
  changeRecords: Change[];
  /** For deployments a gap hid in `previous`: the last earlier day's snapshot that knew them. */
  lastKnown: LastKnownDeployment;
  /** The views the day's pages share, computed once per day (views/day-views.ts). */
  views: DayViews;
}

export async function dayData(date: string): Promise<DayData> {
  const all = await days();
  const i = all.findIndex((d) => d.date === date);
  if (i < 0) throw new Error(`no snapshot on ${date} in ${snapshotsDir}`);
  const day = all[i]!;
  const previousDay = i > 0 ? all[i - 1]! : null;
  const last = await snapshotEntry(day.lastId);
  const previous = previousDay ? (await snapshotEntry(previousDay.lastId)).snapshot : null;
  const changeRecords: Change[] = [];
  for (const id of day.ids) changeRecords.push(...(id === day.lastId ? last.snapshot : (await snapshotEntry(id)).snapshot).changes);
  // Once per day, not per page (a day has dozens): walks back only when a gap hid something yesterday;
  // earlier snapshots are immutable, so incremental builds stay exact.
  const { known, views } = await remembered(dayMemo, day.lastId, async () => {
    const earlier = async function* () {
      for (let j = i - 2; j >= 0; j--) yield (await snapshotEntry(all[j]!.lastId)).snapshot;
    };
    const lastKnown: LastKnownDeployment = previous ? await lastKnownBefore(previous, last.snapshot, earlier()) : () => undefined;
    return { known: lastKnown, views: new DayViews({ snapshot: last.snapshot, previous, changeRecords, lastKnown }) };
  });
  return {
    day,
    snapshot: last.snapshot,
    chainSha256: last.sha256,
    fileSha256: last.fileSha256,
    fileBytes: last.fileBytes,
    copyBytes: await copyBytes(day.lastId, last.fileBytes),
    previous,
    previousDay,
    changeRecords,
    lastKnown: known,
    views,
  };
}
/**
 * A day's shared views and gap look-back, by its last snapshot's id, for the
 * last few days asked (pages come day by day). Bounded like the snapshot LRU,
 * not a WeakMap on the snapshot: a day's views hold the previous day's
 * snapshot, the key of the day before's entry, so weak keys chained every
 * snapshot of the ledger into memory (3.5 GB at three years × 100 services).
 */
const dayMemo = new Map<string, Promise<{ known: LastKnownDeployment; views: DayViews }>>();

/** The newest day, or null for an empty ledger. */
export async function latestDay(): Promise<DayData | null> {
  const all = await days();
  const last = all[all.length - 1];
  return last ? dayData(last.date) : null;
}

/** The compact cross-day index (service histories, pull requests, stats), built once per build in one pass. */
export function ledgerIndex(): Promise<LedgerIndex> {
  // `buildSite()` computes the index while Astro bundles (incrementally, resuming the builder
  // state it saved last time) and hands it over in memory (handover.ts): one code path for full and incremental builds.
  indexPromise ??= (async () => {
    if (indexFile) return (await shared<LedgerIndex>(indexFile)) ?? (JSON.parse(await readFile(indexFile, 'utf8')) as LedgerIndex);
    const builder = new LedgerIndexBuilder();
    // One snapshot at a time, outside the LRU, so the pass never holds the ledger in memory.
    for (const id of await snapshotIds()) builder.add((await readSnapshotEntry(snapshotsDir, id)).snapshot);
    return builder.finish();
  })();
  return indexPromise;
}

/** The organisation name: the option, else the newest snapshot's. */
export async function organisationName(): Promise<string> {
  if (siteName) return siteName;
  return (await ledgerIndex()).organisation ?? 'Release Ledger';
}

/**
 * Whether this build renders a keyed page (incremental builds render only
 * the groups whose content key changed; src/site/incremental.ts): per-day
 * pages by date, snapshots by id, a service's cross-day pages by name. The
 * ledger-wide pages (`/`, `/changes/`, `/stats/`, 404) do not ask: they are
 * rendered on every build. Snapshots are never rendered when `buildSite`
 * copies them itself (`SiteOptions.copySnapshots`).
 */
export function renders(kind: RenderGroup, key: string): boolean {
  if (kind === 'snapshots' && (snapshotsCopied || snapshotCopies === 'none')) return false;
  // Asked from getStaticPaths, after an accessor above has waited for the handover: a plan not yet handed over must not read as "render everything".
  if (!handoverSettled) throw new Error('renders() was asked before buildSite handed over what to render');
  renderSets ??= (() => {
    const only = chainsFile ? handedOver<RenderOnly | null>(`${chainsFile}.only`) : null;
    return only ? (Object.fromEntries(RENDER_GROUPS.map((g) => [g, new Set(only[g])])) as Record<RenderGroup, Set<string>>) : 'all';
  })();
  return renderSets === 'all' || renderSets[kind].has(key);
}
let renderSets: Record<RenderGroup, Set<string>> | 'all' | null = null;


let changeIndexPromise: Promise<ChangeEntry[]> | null = null;

/**
 * Every change with a page (a deployment to production or to an environment
 * requiring approvals; audit-index.ts `changePagePeriod`), over the whole ledger,
 * in the export's order, with the snapshot that first recorded it
 * (audit-index.ts). `buildSite` hands it over, computed incrementally;
 * otherwise (dev server, plain `astro build`) one pass over the ledger.
 */
export function changeIndex(): Promise<ChangeEntry[]> {
  changeIndexPromise ??= (async () => (indexFile ? await shared<ChangeEntry[]>(`${indexFile}.changes`) : undefined) ?? computeChangeIndex(snapshotsDir, await snapshotIds(), null, null, ''))();
  return changeIndexPromise;
}

let changeLookup: Promise<ReturnType<typeof changeOfDeployment>> | null = null;

/**
 * Where a "where is my change" cell of `service` links: the change page of the
 * deployment the cell names (search-query.ts `prWhereDeployment`, audit-index.ts
 * `changeOfDeployment`), or null. One answer for the service's page and the
 * search's `/changes/services/NAME.json`; one lookup for every service.
 */
export async function pullRequestChangeHref(service: string): Promise<(pr: PrEntry, environment: string) => string | null> {
  changeLookup ??= changeIndex().then(changeOfDeployment);
  const change = await changeLookup;
  return (pr, environment) => {
    const deployment = prWhereDeployment(pr.now[environment], pr.environments[environment]);
    const id = deployment && change(service, environment, deployment.at, deployment.snapshot);
    return id ? href(paths.change(id)) : null;
  };
}

/** A snapshot's changes with a page by id, once per snapshot: the change pages of one night share it. */
const auditRows = new WeakMap<Snapshot, Map<string, ChangeRow>>();

/** One change's row, from the snapshot that first recorded it (the same row the export writes). */
export async function changeRow(entry: ChangeEntry): Promise<ChangeRow> {
  // `buildSite` hands over the rows its index pass made from the snapshots it read.
  const known = indexFile ? (await shared<ReadonlyMap<string, ChangeRow>>(`${indexFile}.rows`))?.get(entry.id) : undefined;
  if (known) return known;
  const { snapshot, sha256 } = await snapshotEntry(entry.snapshot);
  let rows = auditRows.get(snapshot);
  if (!rows) auditRows.set(snapshot, (rows = new Map(rowsOf(snapshot, sha256, changePagePeriod(snapshot), new Set()).map((r) => [r.id, r]))));
  const row = rows.get(entry.id);
  if (!row) throw new Error(`change ${entry.id} is not in snapshot ${entry.snapshot}`);
  return row;
}

/** A snapshot's approvals rows by change id, once per snapshot (views/approvals.ts). */
const approvalsByChange = new WeakMap<Snapshot, Map<string, ApprovalRow>>();

/**
 * What a change's page says beside its row (views/audit.ts `ChangeContext`):
 * the approvals table's row for it in the snapshot that first recorded it, and
 * whether it is a production change.
 */
export async function changeContext(entry: ChangeEntry): Promise<ChangeContext> {
  // `buildSite` hands over the approvals rows its index pass found for the changes it found (null: none).
  const known = indexFile ? await shared<ReadonlyMap<string, ApprovalRow | null>>(`${indexFile}.approvals`) : undefined;
  if (known?.has(entry.id)) return { approval: known.get(entry.id) ?? null, production: entry.production };
  const { snapshot } = await snapshotEntry(entry.snapshot);
  let rows = approvalsByChange.get(snapshot);
  if (!rows) approvalsByChange.set(snapshot, (rows = new Map(approvalRows(snapshot).map((r) => [r.change, r]))));
  return { approval: rows.get(entry.id) ?? null, production: entry.production };
}

/** The closed months and quarters (views/audit.ts), newest first. */
export async function auditPeriods(): Promise<AuditPeriod[]> {
  return closedPeriods(await snapshotIds());
}

/** How many changes each closed period holds: those deployed in it and first recorded by its closing snapshot (as its export counts them). */
export async function periodCounts(): Promise<Map<string, number>> {
  const changes = await changeIndex();
  return new Map(
    (await auditPeriods()).map((p) => [p.name, changes.filter((c) => c.production && c.deployedAt.slice(0, 10) >= p.from && c.deployedAt.slice(0, 10) <= p.to && c.snapshot <= p.closingId).length]),
  );
}

const periodExports = new Map<string, Promise<{ csv: string; manifest: string; rows: ChangeRow[] }>>();

/**
 * A closed period's export and manifest, exactly as `release-ledger export
 * --from --to --as-of <closing snapshot> --out population-<period>.csv` writes
 * them, extracted as of the snapshot that closed the period and at its time:
 * the same bytes on every build however the ledger grows (docs/audit.md).
 * With its rows, for the period's table.
 */
export function periodExport(name: string): Promise<{ csv: string; manifest: string; rows: ChangeRow[] }> {
  let loading = periodExports.get(name);
  if (!loading) {
    loading = (async () => {
      const period = (await auditPeriods()).find((p) => p.name === name);
      const known = await chains();
      if (!period) throw new Error(`no closed audit period ${name}`);
      const request = { period: { from: period.from, to: period.to, environments: null }, format: 'csv' as const, asOf: period.closingId, extractedAt: snapshotIdToDate(period.closingId), generator: { name: 'release-ledger', version: generatorVersion } };
      // From the parts `buildSite` kept of each snapshot (export/parts.ts): the same bytes without reading the period's snapshots again.
      const partOf = indexFile ? await shared<(id: string, sha256: string) => Promise<SnapshotPart | undefined>>(`${indexFile}.parts`) : undefined;
      if (partOf && known) {
        const ids = await snapshotIds();
        const parts = new Map<string, SnapshotPart>();
        for (const id of snapshotsForPeriod(ids, period, period.closingId).ids) {
          const part = known[id] ? await partOf(id, known[id]) : undefined;
          if (part) parts.set(id, part);
        }
        const assembled = assembleExport({ ...request, ids, period, name: periodFiles(period).csv, partOf: (id) => parts.get(id) });
        if (assembled) return { csv: assembled.text, manifest: `${JSON.stringify(assembled.manifest, null, 2)}\n`, rows: assembled.rows };
      }
      const chunks: string[] = [];
      const rows: ChangeRow[] = [];
      const { manifest } = await exportPopulation({
        ...request,
        snapshotsDir,
        target: { write: (text) => chunks.push(text), name: periodFiles(period).csv },
        onRow: (row) => rows.push(row),
        knownSha256: (id) => known?.[id],
      });
      return { csv: chunks.join(''), manifest: `${JSON.stringify(manifest, null, 2)}\n`, rows };
    })();
    periodExports.set(name, loading);
  }
  return loading;
}
