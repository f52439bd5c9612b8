/**
 * Which production changes the ledger holds, and which snapshot first
 * recorded each: what the audit pages need to know before rendering
 * (docs/audit.md). Built like the cross-day index (incremental.ts
 * `computeLedgerIndex`): with a cache folder, the state after the last build
 * is resumed and only new snapshots are read, so a nightly build neither
 * re-reads the ledger nor renders the pages of changes and closed periods
 * that cannot have changed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { productionChanges, snapshotPart, type PreviousProduction, type SnapshotPart } from '../export/parts.ts';
import { rowsOf, WHOLE_LEDGER, type ChangeRow } from '../export/population.ts';
import { readSnapshotFile } from '../ledger/index.ts';
import { requiredApprovals } from '../model/approvals.ts';
import type { Snapshot } from '../model/index.ts';
import { closedPeriods } from '../views/audit.ts';
import { groupBy } from '../views/format.ts';
import type { LedgerFacts } from './incremental.ts';
import { approvalRows, type ApprovalRow } from '../views/approvals.ts';

const STATE = 'audit-index.json';
const FORMAT = 3;
/** One file a snapshot, named by its chain hash: what it adds to a period's export (export/parts.ts). */
const PARTS = 'export-parts';

/**
 * The changes that have a page: every deployment the approvals tables list
 * (views/approvals.ts: production, or an environment requiring approvals), so
 * every approvals row links its evidence and the environment pages need not
 * repeat it. Only the production ones are the audit population.
 */
export function changePagePeriod(snapshot: Snapshot) {
  const environments = snapshot.environments.filter((e) => requiredApprovals(e) > 0).map((e) => e.name).sort();
  return { ...WHOLE_LEDGER, environments };
}

/** One change with a page: its id, when it was deployed, the snapshot that first recorded it, and whether its environment was production (the audit population). */
export interface ChangeEntry {
  id: string;
  deployedAt: string;
  snapshot: string;
  production: boolean;
}

interface State {
  format: number;
  fingerprint: string;
  covered: [string, string][];
  changes: ChangeEntry[];
  /** The last covered snapshot's production change ids, for the next snapshot's export part. */
  previous: { id: string; changes: string[] } | null;
}

/** Every change with a page (`changePagePeriod`) in the export's order, reading only snapshots the cached state has not seen. */
export async function computeChangeIndex(snapshotsDir: string, ids: readonly string[], identity: ReadonlyMap<string, string> | null, cacheDir: string | null, fingerprint: string): Promise<ChangeEntry[]> {
  const pass = await openChangeIndex(ids, identity, cacheDir, fingerprint);
  for (const id of ids.slice(pass.from)) {
    const { snapshot, sha256 } = await readSnapshotFile(snapshotsDir, id, identity?.get(id)?.split(':')[0]);
    await pass.add(id, snapshot, sha256, null);
  }
  return pass.finish();
}

/**
 * The change index as a pass over the snapshots from `from` on (those the
 * saved state has not seen), so `buildSite` can feed it the snapshots it
 * reads for the cross-day index instead of reading each one twice.
 */
export async function openChangeIndex(
  ids: readonly string[], identity: ReadonlyMap<string, string> | null, cacheDir: string | null, fingerprint: string,
): Promise<{
  from: number;
  /** Adds the next snapshot; with its file's sha256, also keeps its export part (in the cache, or in memory without one). */
  add: (id: string, snapshot: Snapshot, sha256: string, fileSha256: string | null) => Promise<void>;
  finish: () => Promise<ChangeEntry[]>;
  rows: ReadonlyMap<string, ChangeRow>;
  approvals: ReadonlyMap<string, ApprovalRow | null>;
  /** A snapshot's export part written by this build or an earlier one with the same generator, by id and chain hash. */
  partOf: (id: string, sha256: string) => Promise<SnapshotPart | undefined>;
}> {
  const file = cacheDir ? path.join(cacheDir, STATE) : null;
  const partsDir = cacheDir ? path.join(cacheDir, PARTS) : null;
  let covered: [string, string][] = [];
  let changes: ChangeEntry[] = [];
  let previous: PreviousProduction | null = null;
  if (file && identity) {
    const cache = (await readFile(file, 'utf8').then((t) => JSON.parse(t) as State).catch(() => null)) ?? null;
    if (cache && cache.format === FORMAT && cache.fingerprint === fingerprint && cache.covered.length <= ids.length && cache.covered.every(([id, known], i) => ids[i] === id && identity.get(id) === known)) {
      covered = cache.covered;
      changes = cache.changes;
      previous = cache.previous ? { id: cache.previous.id, changes: new Set(cache.previous.changes) } : null;
    }
  }
  const seen = new Set(changes.map((c) => c.id));
  const from = covered.length;
  // What the pages of the changes this pass found show, so they need not read the snapshot again (a full
  // read a snapshot at 500 services): each row (it does not depend on what was seen before) and the approvals
  // table's row for it, both from the snapshot that first recorded it, as data.ts `changeRow`/`changeContext` compute them.
  const rows = new Map<string, ChangeRow>();
  const approvals = new Map<string, ApprovalRow | null>();
  if (partsDir) await mkdir(partsDir, { recursive: true });
  // Without a cache (a full build, `build --full`) the parts stay in memory (~17 KB a snapshot at 500 services):
  // without them the audit periods' exports read and validated every snapshot again, five minutes at three years.
  const kept = new Map<string, SnapshotPart>();
  const add = async (id: string, snapshot: Snapshot, sha256: string, fileSha256: string | null) => {
    if (id !== ids[covered.length]) throw new Error(`openChangeIndex: ${id} is not the next snapshot (${ids[covered.length] ?? 'none'})`);
    const production = new Set(snapshot.environments.filter((e) => e.production).map((e) => e.name));
    const found = rowsOf(snapshot, sha256, changePagePeriod(snapshot), seen);
    const byChange = found.length > 0 ? new Map(approvalRows(snapshot).map((r) => [r.change, r])) : null;
    for (const row of found) {
      changes.push({ id: row.id, deployedAt: row.deployedAt, snapshot: id, production: production.has(row.environment) });
      rows.set(row.id, row);
      approvals.set(row.id, byChange?.get(row.id) ?? null);
    }
    covered.push([id, identity?.get(id) ?? '']);
    if (fileSha256) {
      const part = snapshotPart(id, snapshot, sha256, fileSha256, previous?.id === ids[covered.length - 2] ? previous : null);
      if (partsDir) await writeFile(path.join(partsDir, `${sha256}.json`), JSON.stringify({ fingerprint, part } satisfies SavedPart));
      else kept.set(sha256, part);
    }
    previous = { id, changes: productionChanges(snapshot) };
  };
  const finish = async () => {
    if (file && identity && covered.length > from) {
      await mkdir(path.dirname(file), { recursive: true });
      const state: State = { format: FORMAT, fingerprint, covered, changes, previous: previous ? { id: previous.id, changes: [...previous.changes] } : null };
      await writeFile(`${file}.tmp`, JSON.stringify(state));
      await rename(`${file}.tmp`, file);
    }
    return changes;
  };
  const partOf = partsDir
    ? async (id: string, sha256: string) => {
        const saved = await readFile(path.join(partsDir, `${sha256}.json`), 'utf8').then((t) => JSON.parse(t) as SavedPart, () => null);
        return saved?.fingerprint === fingerprint && saved.part.id === id && saved.part.sha256 === sha256 ? saved.part : undefined;
      }
    : async (id: string, sha256: string) => {
        const part = kept.get(sha256);
        return part?.id === id ? part : undefined;
      };
  return { from, add, finish, rows, approvals, partOf };
}

/** An export part as kept in the cache: only the generator that wrote it may use it (its rows are that code's). */
interface SavedPart {
  fingerprint: string;
  part: SnapshotPart;
}

/** The key of a change page's render group: its deployment day as its id carries it (`service.env.YYYYMMDDTHHMMSSZ.hash` → `YYYYMMDD`; views/routes.ts). */
export function changeGroupDay(changeId: string): string | null {
  const time = changeId.split('.').at(-2) ?? '';
  return /^\d{8}T\d{6}Z$/.test(time) ? time.slice(0, 8) : null;
}

/**
 * The change with a page that is one deployment: `service` to `environment` at
 * `deployedAt`, first recorded by `snapshot` (the time and snapshot a pull
 * request's interval names, views/history.ts `PrInterval`), or null when that
 * deployment has no page (an environment requiring no approvals) or, with
 * names holding dots, more than one could be meant (no link is better than a
 * wrong one).
 */
export function changeOfDeployment(changes: readonly ChangeEntry[]): (service: string, environment: string, deployedAt: string, snapshot: string) => string | null {
  const byTime = groupBy(changes, (c) => `${c.deployedAt}\n${c.snapshot}`);
  return (service, environment, deployedAt, snapshot) => {
    // model/change-id.ts: `service.environment.TIME.hash`.
    const found = (byTime.get(`${deployedAt}\n${snapshot}`) ?? []).filter((c) => c.id.startsWith(`${service}.${environment}.`) && c.id.split('.').length === `${service}.${environment}`.split('.').length + 2);
    return found.length === 1 ? found[0]!.id : null;
  };
}

/**
 * Content keys of the audit groups: a closed period's files and table
 * (`audit/PERIOD`) by the snapshots it is extracted from, and the change
 * pages of a deployment day (`change/DAY`) by each change and the snapshot
 * that recorded it. Neither changes as the ledger grows, unless a gap hid a
 * deployment that a later snapshot records.
 */
export function auditGroupKeys(facts: Pick<LedgerFacts, 'ids' | 'identity'>, changes: readonly ChangeEntry[], fingerprint: string, organisation: string | null): Map<string, string> {
  const keys = new Map<string, string>();
  const h = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');
  const at = (id: string) => `${id}=${facts.identity.get(id) ?? ''}`;
  for (const period of closedPeriods(facts.ids)) {
    const read = facts.ids.filter((id) => id >= `${period.from}T000000Z` && id <= period.closingId);
    keys.set(`audit/${period.name}`, h(fingerprint, 'audit', period.name, organisation ?? '-', read.map(at).join(',')));
  }
  const byDay = new Map<string, string[]>();
  for (const c of changes) {
    const day = changeGroupDay(c.id);
    if (!day) continue;
    const list = byDay.get(day) ?? [];
    list.push(`${c.id}@${at(c.snapshot)}`);
    byDay.set(day, list);
  }
  for (const [day, list] of byDay) keys.set(`change/${day}`, h(fingerprint, 'change', organisation ?? '-', list.sort().join(',')));
  return keys;
}
