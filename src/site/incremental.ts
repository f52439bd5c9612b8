/**
 * Incremental site builds: a nightly build renders only the pages whose
 * inputs changed and keeps every other file of the previous output.
 *
 * Why not Astro's `experimental.incrementalBuild` (Astro 7.2+,
 * https://docs.astro.build/en/reference/experimental-flags/incremental-build/)?
 * Measured (docs/incremental-build.md): it still calls `getStaticPaths` for
 * every page, which needs the whole ledger, and restores every unchanged page
 * by copying it from `node_modules/.astro` into the emptied output folder, so
 * adding one day costs time proportional to the whole history. Here:
 *
 * - The cross-day index (service histories, pull requests, stats) is built
 *   before Astro starts, resumed from the index builder's state saved in
 *   `cacheDir` (`ledger-index.json`), so only new snapshots are read.
 * - Every per-day page group has a content key: the generator fingerprint
 *   (release-ledger's version and the hash of the site's source), the chain
 *   hashes of the day's snapshots and of the previous day's last one (a chain
 *   hash covers every byte of a snapshot; the successor records it, so it is
 *   read from the successor's `previous` field without hashing 6 MB files);
 *   `/days/D/next/` (where the next day is) is keyed by the next day's date
 *   and the organisation name its header shows, not by any snapshot, so a new
 *   day never renders the previous day's page again.
 * - Astro renders only the groups whose key changed (`RenderOnly`, read by
 *   `getStaticPaths` through `renders()` in data.ts) plus every cross-day
 *   page; the new files and the previous output's unchanged ones (hard-linked)
 *   make a staged site that replaces the previous one whole (output.ts), so
 *   files that no longer belong to the site are not carried over.
 *   `site-manifest.json` records each group's key and files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, open, readdir, readFile, rename, rm, mkdir, truncate, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { readSnapshotEntry, readSnapshotFile } from '../ledger/index.ts';
import { byService, groupBy, groupDays, LedgerIndexBuilder, serviceRevisions, serviceThrough, type DayGroup, type LedgerIndex, type LedgerIndexBuilderState } from '../views/index.ts';
import type { Snapshot, SnapshotCopies } from '../model/index.ts';
import type { RenderOnly } from './config.ts';
import { RENDER_GROUPS, renderGroupOf, type RenderGroup } from '../views/routes.ts';
import { generatorFingerprint as fingerprintOf } from './fingerprint.ts';

const MANIFEST = 'site-manifest.json';
const INDEX_STATE = 'ledger-index.json';
const LINKS = 'ledger-links.json';
const FILES = 'ledger-files.json';
export const CACHE_FORMAT = 8;
const FORMAT = CACHE_FORMAT;

/** The generator fingerprint (fingerprint.ts) with this cache format. */
export function generatorFingerprint(extra: unknown): Promise<string> {
  return fingerprintOf(extra, FORMAT);
}

const LINK = /^\n {2}"previous": (null|\{\s*"id": "([^"\\]+)",\s*"sha256": "([0-9a-f]{64})"\s*\})/;

/**
 * The `previous` field of a snapshot file, read from its tail: files are
 * canonical JSON pretty-printed with sorted keys, so the top-level
 * `"previous"` is near the end (after it come `schemaVersion`, `services`,
 * `sources`, `takenAt`). `hint` is where the last build found it (bytes from
 * the end): then a 300-byte read suffices, so a nightly build over three years
 * reads about 300 KB, not 300 MB. Falls back to parsing the whole file.
 */
async function readPreviousLink(file: string, hint: number | undefined): Promise<{ link: { id: string; sha256: string } | null | undefined; fromEnd: number | null }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (typeof hint === 'number' && Number.isInteger(hint) && hint > 0 && hint <= size) {
      const length = Math.min(hint, 300);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - hint);
      const match = LINK.exec(buffer.toString('utf8'));
      if (match) return { link: match[1] === 'null' ? null : { id: match[2]!, sha256: match[3]! }, fromEnd: hint };
    }
    // After `previous` come `schemaVersion`, `services` (about 500 bytes a service) and two short fields:
    // 256 KiB covers most ledgers; a larger tail is read only when it does not.
    for (const tail of [256 * 1024, 4 * 1024 * 1024]) {
      const length = Math.min(size, tail);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('latin1');
      const at = text.lastIndexOf('\n  "previous": ');
      if (at >= 0) {
        const match = LINK.exec(text.slice(at));
        // latin1 keeps one character per byte, so `at` is a byte offset (the link itself is ASCII).
        if (match) return { link: match[1] === 'null' ? null : { id: match[2]!, sha256: match[3]! }, fromEnd: length - at };
      }
      if (length === size) break;
    }
  } finally {
    await handle.close();
  }
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { previous?: { id: string; sha256: string } | null };
  return { link: parsed.previous, fromEnd: null };
}

export interface LedgerFacts {
  ids: string[];
  days: DayGroup[];
  /** Snapshot id → chain hash (sha256 of its canonical JSON) joined with its file size. */
  identity: Map<string, string>;
  /** The newest snapshot, parsed: its hash had to be computed from it, and the index reads it next. */
  head: Snapshot | null;
  /** Snapshot id → sha256 of the file's bytes and its size: what `/snapshots/` lists beside the chain hash. */
  files: Map<string, SnapshotFileFacts>;
}

export interface SnapshotFileFacts {
  /** sha256 of the file's bytes (what `sha256sum` prints for the download). */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
}

/** A snapshot file's `previous` link as read by the last build, and the file as it was then. */
interface KnownLink {
  size: number;
  mtimeMs: number;
  ino: number;
  /** Where the link sat, in bytes from the end of the file. */
  fromEnd: number;
  link: { id: string; sha256: string } | null;
}

/** Chain hashes of every snapshot: from each successor's `previous` link, the head's by reading it. */
export async function ledgerFacts(snapshotsDir: string, ids: string[], cacheDir: string | null = null): Promise<LedgerFacts> {
  const identity = new Map<string, string>();
  const stats = await Promise.all(ids.map((id) => stat(path.join(snapshotsDir, `${id}.json`))));
  // Each file's link as the last build read it, with the file's size, mtime and inode then: a file
  // that still matches all three is not opened again (snapshots are never rewritten; one that was
  // gets a new mtime). Otherwise where its link sat is a hint for the read, checked on every read.
  const linksFile = cacheDir ? path.join(cacheDir, LINKS) : null;
  let known: Record<string, KnownLink> = {};
  if (linksFile) known = (JSON.parse(await readFile(linksFile, 'utf8').catch(() => '{}')) as Record<string, KnownLink>) ?? {};
  const found: Record<string, KnownLink> = {};
  let head: Snapshot | null = null;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let chain: string | undefined;
    if (i + 1 < ids.length) {
      const next = ids[i + 1]!;
      const file = { size: stats[i + 1]!.size, mtimeMs: stats[i + 1]!.mtimeMs, ino: stats[i + 1]!.ino };
      const was = known[next];
      const same = typeof was === 'object' && was !== null && was.size === file.size && was.mtimeMs === file.mtimeMs && was.ino === file.ino;
      const { link, fromEnd } = same ? was : await readPreviousLink(path.join(snapshotsDir, `${next}.json`), typeof was === 'object' && was !== null ? was.fromEnd : undefined);
      if (fromEnd !== null && link !== undefined) found[next] = { ...file, fromEnd, link };
      if (link && link.id === id) chain = link.sha256;
    }
    // The head (or a broken link, which `verify` reports): hash it directly.
    if (chain === undefined) {
      const entry = await readSnapshotEntry(snapshotsDir, id);
      chain = entry.sha256;
      if (i === ids.length - 1) head = entry.snapshot;
    }
    identity.set(id, `${chain}:${stats[i]!.size}`);
  }
  if (linksFile) {
    await mkdir(cacheDir!, { recursive: true });
    await writeFile(`${linksFile}.tmp`, JSON.stringify(found));
    await rename(`${linksFile}.tmp`, linksFile);
  }
  const files = await fileHashes(snapshotsDir, ids, stats, cacheDir);
  return { ids, days: groupDays(ids), identity, head, files };
}

/**
 * The sha256 of every snapshot file's bytes, for `/snapshots/`. A nightly
 * build hashes only new or changed files: each hash is remembered in
 * `ledger-files.json` with the file's size, mtime and inode, as the links are
 * (a file rewritten in place gets a new mtime, so it is hashed again).
 */
async function fileHashes(snapshotsDir: string, ids: string[], stats: readonly { size: number; mtimeMs: number; ino: number }[], cacheDir: string | null): Promise<Map<string, SnapshotFileFacts>> {
  type Known = { size: number; mtimeMs: number; ino: number; sha256: string };
  const cache = cacheDir ? path.join(cacheDir, FILES) : null;
  let known: Record<string, Known> = {};
  if (cache) known = (JSON.parse(await readFile(cache, 'utf8').catch(() => '{}')) as Record<string, Known> | null) ?? {};
  const out = new Map<string, SnapshotFileFacts>();
  const kept: Record<string, Known> = {};
  for (const [i, id] of ids.entries()) {
    const { size, mtimeMs, ino } = stats[i]!;
    const was = known[id];
    const same = typeof was === 'object' && was !== null && was.size === size && was.mtimeMs === mtimeMs && was.ino === ino && /^[0-9a-f]{64}$/.test(String(was.sha256));
    const sha256 = same ? was.sha256 : createHash('sha256').update(await readFile(path.join(snapshotsDir, `${id}.json`))).digest('hex');
    kept[id] = { size, mtimeMs, ino, sha256 };
    out.set(id, { sha256, bytes: size });
  }
  if (cache) {
    await mkdir(cacheDir!, { recursive: true });
    await writeFile(`${cache}.tmp`, JSON.stringify(kept));
    await rename(`${cache}.tmp`, cache);
  }
  return out;
}

/**
 * The builder state's lists that only ever grow (new items are appended, none
 * is changed): saved in files of their own (`ledger-index-NAME.GEN.json`,
 * the items joined by commas) to which a night appends its new items, instead
 * of writing 60 MB again at three years × 500 services.
 */
const APPENDED = ['events', 'lineage', 'prs', 'seenChanges'] as const;
type Appended = (typeof APPENDED)[number];

interface IndexCache {
  format: number;
  fingerprint: string;
  /** The snapshots the saved builder has seen, in order, each with its identity then. */
  covered: [string, string][];
  /** The state without the `APPENDED` lists (empty here). */
  state: LedgerIndexBuilderState;
  /** Names the part files; a build that starts over writes new ones, so a part is never rewritten under a head that describes it. */
  generation: string;
  /** Each appended list: how many of its items, in how many bytes from the start of its file, this head covers (bytes after them are a killed night's and are cut). */
  parts: Record<Appended, { items: number; bytes: number }>;
  /** Per service, a digest of its deployment events and pull requests in the index (`serviceGroupKeys`). */
  serviceDigests: [string, string][];
}

const partFile = (cacheDir: string, name: Appended, generation: string) => path.join(cacheDir, `ledger-index-${name}.${generation}.json`);

/** The saved state, whole, or null when there is none or it does not hold together. */
async function readIndexCache(cacheDir: string, file: string): Promise<IndexCache | null> {
  try {
    const cache = JSON.parse(await readFile(file, 'utf8')) as IndexCache;
    if (typeof cache.generation !== 'string' || !/^[0-9a-f]+$/.test(cache.generation)) return null;
    for (const name of APPENDED) {
      const { items, bytes } = cache.parts[name];
      const text = (await readFile(partFile(cacheDir, name, cache.generation))).subarray(0, bytes).toString('utf8');
      const list = JSON.parse(`[${text}]`) as unknown[];
      if (list.length !== items) return null;
      (cache.state as unknown as Record<Appended, unknown[]>)[name] = list;
    }
    return cache;
  } catch {
    return null;
  }
}

/**
 * Saves `state`: the appended lists' new items (those after `saved`, the
 * head read at the start, when its parts are reused) go at the end of their
 * files, cut first to what that head covered; the rest is the head, written
 * last and whole (renamed into place), so a killed save leaves the previous
 * head and the bytes it covers.
 */
async function writeIndexCache(cacheDir: string, file: string, head: Omit<IndexCache, 'generation' | 'parts' | 'state'>, state: LedgerIndexBuilderState, saved: IndexCache | null): Promise<void> {
  const generation = saved?.generation ?? randomBytes(6).toString('hex');
  const parts = {} as IndexCache['parts'];
  for (const name of APPENDED) {
    const list = state[name] as unknown[];
    const from = saved?.parts[name] ?? { items: 0, bytes: 0 };
    const added = list.length > from.items ? JSON.stringify(list.slice(from.items)).slice(1, -1) : '';
    const text = from.items > 0 && added !== '' ? `,${added}` : added;
    const target = partFile(cacheDir, name, generation);
    if (saved) {
      await truncate(target, from.bytes);
      await appendFile(target, text);
    } else await writeFile(target, text);
    parts[name] = { items: list.length, bytes: from.bytes + Buffer.byteLength(text) };
  }
  const rest = { ...state, events: [], lineage: [], prs: [], seenChanges: [] };
  const next: IndexCache = { ...head, state: rest, generation, parts };
  await writeFile(`${file}.tmp`, JSON.stringify(next));
  await rename(`${file}.tmp`, file);
  // Parts of other generations (a build that started over) are no longer described by any head.
  for (const name of await readdir(cacheDir)) if (/^ledger-index-[a-zA-Z]+\.[0-9a-f]+\.json$/.test(name) && !name.includes(`.${generation}.`)) await rm(path.join(cacheDir, name), { force: true });
}

/**
 * The cross-day index. With a cache folder, the index builder's state after
 * the last build is saved (`ledger-index.json`) and, when every snapshot it
 * covered is unchanged and still first in line, resumed: only new snapshots
 * are read. A changed or removed older snapshot makes it start over from the
 * files. (Saving per-snapshot summaries instead and replaying them cost about
 * 4 ms a snapshot every night — seconds at three years.) tests/incremental
 * proves the resumed index equals the one built from every snapshot.
 */
export async function computeLedgerIndex(
  snapshotsDir: string, facts: LedgerFacts, cacheDir: string | null, fingerprint: string,
): Promise<{ index: LedgerIndex; read: number; serviceDigests: Map<string, string> }> {
  const pass = await openLedgerIndex(facts, cacheDir, fingerprint);
  const chainOf = (id: string) => facts.identity.get(id)?.split(':')[0];
  for (const id of facts.ids.slice(pass.from)) {
    const known = facts.head && id === facts.ids.at(-1) ? facts.head : null;
    pass.add(id, known ?? (await readSnapshotFile(snapshotsDir, id, chainOf(id))).snapshot);
  }
  return pass.finish();
}

/**
 * `computeLedgerIndex` as a pass over the snapshots from `from` on (those
 * the saved builder has not seen): `buildSite` feeds it and the change index
 * (audit-index.ts) the same snapshots, each read once.
 */
export async function openLedgerIndex(
  facts: LedgerFacts, cacheDir: string | null, fingerprint: string,
): Promise<{ from: number; add: (id: string, snapshot: Snapshot) => void; finish: () => Promise<{ index: LedgerIndex; read: number; serviceDigests: Map<string, string> }> }> {
  const { ids } = facts;
  let builder = new LedgerIndexBuilder();
  let covered: [string, string][] = [];
  let digests = new Map<string, string>();
  const file = cacheDir ? path.join(cacheDir, INDEX_STATE) : null;
  let saved: IndexCache | null = null;
  if (file) {
    const cache = await readIndexCache(cacheDir!, file);
    if (
      cache &&
      cache.format === FORMAT &&
      cache.fingerprint === fingerprint &&
      cache.covered.length <= ids.length &&
      cache.covered.every(([id, identity], i) => ids[i] === id && facts.identity.get(id) === identity)
    ) {
      await setImmediate();
      builder = LedgerIndexBuilder.fromState(cache.state);
      covered = cache.covered;
      digests = new Map(cache.serviceDigests);
      saved = cache;
    }
  }
  const from = covered.length;
  const add = (id: string, snapshot: Snapshot) => {
    if (id !== ids[covered.length] || snapshot.id !== id) throw new Error(`openLedgerIndex: ${id} is not the next snapshot (${ids[covered.length] ?? 'none'})`);
    builder.add(snapshot);
    covered.push([id, facts.identity.get(id) ?? '']);
  };
  const finish = async () => {
    const index = builder.finish();
    // Each long step gives the event loop a turn: Astro bundles meanwhile (build.ts) and waits on the main thread between its steps.
    await setImmediate();
    // Only the services the new snapshots touched are digested again: stringifying every service's
    // events and pull requests was over half a second a night at three years.
    const grouped = byService(index);
    for (const service of index.services) {
      if (digests.has(service) && !builder.touched.has(service)) continue;
      const content = JSON.stringify({ events: grouped.events.get(service) ?? [], pullRequests: grouped.pullRequests.get(service) ?? [] });
      digests.set(service, createHash('sha256').update(content).digest('hex'));
    }
    const read = covered.length - from;
    await setImmediate();
    if (file && read > 0) {
      await mkdir(cacheDir!, { recursive: true });
      const head = { format: FORMAT, fingerprint, covered, serviceDigests: [...digests].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
      await writeIndexCache(cacheDir!, file, head, builder.toState(), saved);
    }
    return { index, read, serviceDigests: digests };
  };
  return { from, add, finish };
}

/** Output files are grouped by what they depend on: the route table's render groups (src/views/routes.ts). */
export function groupOf(relativeFile: string): string {
  return renderGroupOf(relativeFile.split(path.sep).join('/'));
}

/**
 * The content key of every per-day group. `organisation` is the name the
 * ledger-wide header shows (the option, else the newest snapshot's), which the
 * `/days/D/next/` pages carry: they read no snapshot of their own. `copies`
 * (config `site.snapshotCopies`) decides the snapshot copies' form and what
 * every day page's footer links and says of it, so switching it renders those
 * again and the copies of the other form are not carried over.
 */
export function groupKeys(facts: LedgerFacts, fingerprint: string, organisation: string | null, copies: SnapshotCopies): Map<string, string> {
  const keys = new Map<string, string>();
  const h = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');
  facts.days.forEach((day, i) => {
    const own = day.ids.map((id) => `${id}=${facts.identity.get(id)}`).join(',');
    const before = i > 0 ? `${facts.days[i - 1]!.lastId}=${facts.identity.get(facts.days[i - 1]!.lastId)}` : '-';
    keys.set(`day/${day.date}`, h(fingerprint, 'day', copies, own, before));
    keys.set(`next/${day.date}`, h(fingerprint, 'next', facts.days[i + 1]?.date ?? '-', organisation ?? '-'));
    keys.set(`sub/${day.date}`, h(fingerprint, 'sub', copies, own, before));
    keys.set(`compare/${day.date}`, h(fingerprint, 'compare', copies, own, before));
  });
  for (const [group, key] of snapshotGroupKeys(facts, fingerprint, copies)) keys.set(group, key);
  return keys;
}

/** The content key of each snapshot's published copy: its identity and form only, known before the index pass. */
export function snapshotGroupKeys(facts: Pick<LedgerFacts, 'ids' | 'identity'>, fingerprint: string, copies: SnapshotCopies): Map<string, string> {
  const h = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');
  return new Map(facts.ids.map((id) => [`snapshots/${id}`, h(fingerprint, 'snapshot', copies, facts.identity.get(id)!)]));
}

/**
 * The content key of each service's cross-day pages (`/services/NAME/`, its
 * `revisions.json`, `/changes/services/NAME.json`): everything of the index
 * they show — the service's deployments, pull requests, revision days and
 * last recorded day — and the path and organisation name. They say nothing
 * of "now", so a night that does not touch a service keeps its pages.
 */
export function serviceGroupKeys(index: LedgerIndex, serviceDigests: ReadonlyMap<string, string>, fingerprint: string, siteName: string | null): Map<string, string> {
  const keys = new Map<string, string>();
  const revisions = serviceRevisions(index.days);
  const lastIdOf = new Map(index.days.map((d) => [d.date, d.lastId]));
  for (const service of index.services) {
    const days = revisions.get(service) ?? [];
    const content = JSON.stringify({
      // The service's deployment events and pull requests (computeLedgerIndex digests them).
      eventsAndPullRequests: serviceDigests.get(service) ?? null,
      revisions: days.map((d) => [d, lastIdOf.get(d)]),
      through: serviceThrough(index, service),
      environments: index.environments,
      organisation: siteName ?? index.organisation,
    });
    keys.set(`services/${service}`, createHash('sha256').update(`${fingerprint}\nservice\n${content}`).digest('hex'));
  }
  return keys;
}

export interface SiteManifest {
  format: number;
  fingerprint: string;
  /** The newest snapshot of the build. */
  head: string | null;
  groups: Record<string, { key: string; files: string[] }>;
}

export async function readManifest(cacheDir: string, fingerprint: string): Promise<SiteManifest | null> {
  try {
    const manifest = JSON.parse(await readFile(path.join(cacheDir, MANIFEST), 'utf8')) as SiteManifest;
    return manifest.format === FORMAT && manifest.fingerprint === fingerprint ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * Every file the manifest in `cacheDir` says an earlier build wrote, whatever generator wrote it,
 * or null. Sites built before the output marker (src/site/output.ts) carry none; their manifest
 * still lists their files, so an incremental CI cache keeps working after an upgrade.
 */
export async function manifestFiles(cacheDir: string): Promise<Set<string> | null> {
  try {
    const manifest = JSON.parse(await readFile(path.join(cacheDir, MANIFEST), 'utf8')) as Partial<SiteManifest>;
    if (typeof manifest.groups !== 'object' || manifest.groups === null) return null;
    return new Set(Object.values(manifest.groups).flatMap((g) => (Array.isArray(g?.files) ? g.files.filter((f): f is string => typeof f === 'string') : [])));
  } catch {
    return null;
  }
}

export async function removeManifest(cacheDir: string): Promise<void> {
  await rm(path.join(cacheDir, MANIFEST), { force: true });
}

export async function writeManifest(cacheDir: string, manifest: SiteManifest): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, MANIFEST);
  await writeFile(`${file}.tmp`, JSON.stringify(manifest));
  await rename(`${file}.tmp`, file);
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Groups of files from a list of output files. */
export function groupFiles(files: string[]): Map<string, string[]> {
  return groupBy(files, groupOf);
}

/**
 * Which keyed groups to render: those whose key changed (`groups`, and by
 * render kind in `only`). `kept` lists the previous build's files of all the
 * others, which stay as they are and so must still be in the site.
 */
export function planRender(keys: Map<string, string>, previous: SiteManifest): { only: RenderOnly; groups: Set<string>; kept: string[] } {
  // A past compare page reads the cross-day index only as of its own snapshot (`prPresence`'s
  // `asOf`), so a deployment recorded later — even backdated — leaves it as it was: its key suffices.
  const groups = new Set<string>();
  const kept: string[] = [];
  for (const [group, key] of keys) {
    if (previous.groups[group]?.key !== key) groups.add(group);
    else kept.push(...previous.groups[group]!.files);
  }
  const only = Object.fromEntries(RENDER_GROUPS.map((g) => [g, [] as string[]])) as RenderOnly;
  for (const g of [...groups].sort()) {
    const [kind, value] = [g.slice(0, g.indexOf('/')), g.slice(g.indexOf('/') + 1)] as [RenderGroup, string];
    only[kind].push(value);
  }
  return { only, groups, kept };
}
