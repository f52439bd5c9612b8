/**
 * A production-population export (environments: those marked production)
 * assembled from per-snapshot parts instead of re-reading its snapshots:
 * what the site's period files use on the night that closes a month or a
 * quarter (src/site/data.ts `periodExport`; docs/scale.md, issue 23). The
 * bytes and manifest are exactly `exportPopulation`'s (extract.ts); the test
 * tests/export/parts.test.ts compares them. Pure: the caller reads and keeps
 * the parts (src/site/audit-index.ts writes one per snapshot its index pass reads).
 *
 * Why a part suffices: the export emits, at each snapshot of the period, its
 * production deployments in the period not emitted before. One that was a
 * production deployment of the previous snapshot too was emitted there
 * already, when that snapshot is in the period's selection and the deployment
 * in the period. So a part keeps the rows of the deployments that are new
 * against the previous snapshot, and also those it shares with it but
 * deployed after that snapshot's day (recorded before they happened, by a
 * source's clock): the first snapshot of a period follows one taken on an
 * earlier day, so these are the only shared ones a period can need there.
 */
import { createHash } from 'node:crypto';
import { changeId } from '../model/change-id.ts';
import type { Snapshot } from '../model/index.ts';
import { manifestGaps, manifestOf, type Manifest } from './extract.ts';
import { exportHead, exportRow, exportTail, type ExportFormat } from './format.ts';
import { rowsOf, snapshotsForPeriod, WHOLE_LEDGER, type ChangeRow } from './population.ts';

/** What one snapshot contributes to any production-population export. */
export interface SnapshotPart {
  id: string;
  /** Chain hash (canonical JSON). */
  sha256: string;
  /** sha256 of the file's bytes. */
  fileSha256: string;
  /** Its deployment gaps in production environments, as the manifest lists them. */
  gaps: Manifest['deploymentGaps'];
  /** Rows it may add (see above), in `rowsOf` order. */
  rows: ChangeRow[];
}

/** The previous snapshot as a part needs it: its id and the change ids of its production deployments (`productionChanges`). */
export interface PreviousProduction {
  id: string;
  changes: ReadonlySet<string>;
}

/** The change ids of a snapshot's deployments in the environments it marks production. */
export function productionChanges(snapshot: Snapshot): Set<string> {
  const production = new Set(snapshot.environments.filter((e) => e.production).map((e) => e.name));
  return new Set(snapshot.deployments.filter((d) => production.has(d.environment)).map(changeId));
}

/** A snapshot's part, given the ledger's previous snapshot (null for the first). */
export function snapshotPart(id: string, snapshot: Snapshot, sha256: string, fileSha256: string, previous: PreviousProduction | null): SnapshotPart {
  const previousDay = previous?.id.slice(0, 10) ?? '';
  // Emitted before whenever this snapshot's period reaches back to the previous one's day.
  const carried = new Set(snapshot.deployments.filter((d) => previous?.changes.has(changeId(d)) && d.deployedAt.slice(0, 10) <= previousDay).map(changeId));
  return { id, sha256, fileSha256, gaps: manifestGaps(id, snapshot, null), rows: rowsOf(snapshot, sha256, WHOLE_LEDGER, carried) };
}

/** What `assembleExport` writes: the file's text, its manifest and its rows. */
export interface AssembledExport {
  text: string;
  manifest: Manifest;
  rows: ChangeRow[];
}

/**
 * `exportPopulation` for a production period as of `asOf`, from the parts of
 * the snapshots `snapshotsForPeriod` selects (`partOf` gives each; `ids` is
 * the ledger's, oldest first). Null when a part is missing: then the caller
 * extracts from the ledger.
 */
export function assembleExport(request: {
  ids: readonly string[];
  period: { from: string; to: string };
  asOf: string;
  format: ExportFormat;
  name: string | null;
  extractedAt: Date;
  generator: { name: string; version: string };
  partOf: (id: string) => SnapshotPart | undefined;
}): AssembledExport | null {
  const { ids, period, format } = request;
  const head = request.partOf(request.asOf);
  if (ids.length === 0 || !head) return null;
  const selection = snapshotsForPeriod(ids, period, request.asOf);
  const parts: SnapshotPart[] = [];
  for (const id of selection.ids) {
    const part = request.partOf(id);
    if (!part || part.id !== id) return null;
    parts.push(part);
  }
  const inPeriod = (row: ChangeRow) => row.deployedAt.slice(0, 10) >= period.from && row.deployedAt.slice(0, 10) <= period.to;
  const seen = new Set<string>();
  const rows: ChangeRow[] = [];
  let text = exportHead(format);
  for (const part of parts) {
    // As `rowsOf` does: what the snapshot adds is judged against what came before it, then remembered.
    const fresh = part.rows.filter((r) => inPeriod(r) && !seen.has(r.id));
    for (const row of fresh) {
      seen.add(row.id);
      text += exportRow(format, row, rows.length);
      rows.push(row);
    }
  }
  text += exportTail(format, rows.length);
  const derived = {
    rows: rows.length,
    snapshots: parts.map((p) => ({ id: p.id, sha256: p.sha256, fileSha256: p.fileSha256 })),
    deploymentGaps: parts.flatMap((p) => p.gaps),
    closed: selection.closed,
    beforeLedger: period.from < ids[0]!.slice(0, 10),
    head: { id: request.asOf, sha256: head.sha256 },
  };
  const bytes = Buffer.from(text, 'utf8');
  const manifest = manifestOf({ period: { ...period, environments: null }, format, extractedAt: request.extractedAt, generator: request.generator }, derived, request.name, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  return { text, manifest, rows };
}
