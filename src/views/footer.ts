/** The footer of a day page: what the page depends on, so an auditor can check it. */
import type { Snapshot, SnapshotCopies } from '../model/index.ts';
import { paths } from './links.ts';
import { copyPath, downloadLabel, HASH_LABEL, verifyCommand } from './snapshots.ts';

export interface FooterLine {
  label: string;
  value: string;
  /** A path inside the site (the caller prefixes the base). */
  path?: string;
}

/**
 * The snapshot, its download (config `site.snapshotCopies`: a gzip of the
 * ledger file, the file, or where it is when the site publishes none), both
 * hashes named, and the command that checks a download against either
 * (docs/guarantees.md, "Tamper-evident").
 */
export function dayFooter(
  snapshot: Snapshot, hashes: { chain: string; file: string; bytes: number; copyBytes: number | null }, copies: SnapshotCopies, siteGenerator: string,
): FooterLine[] {
  const copy = copyPath(snapshot.id, copies);
  return [
    { label: 'Snapshot', value: snapshot.id, path: paths.snapshotRow(snapshot.id) },
    { label: 'Raw snapshot', value: downloadLabel(snapshot.id, hashes.bytes, hashes.copyBytes, copies), ...(copy ? { path: copy } : {}) },
    { label: HASH_LABEL.chain, value: hashes.chain },
    { label: HASH_LABEL.file, value: hashes.file },
    // The sentence that tells the two apart is said once, on /snapshots/, not on every page (issue 23).
    { label: 'Which is which', value: 'the two hashes explained', path: paths.snapshots() },
    { label: copies === 'none' ? 'Check the file' : 'Check a download', value: verifyCommand(snapshot.id, copies) },
    { label: 'Previous snapshot', value: snapshot.previous ? `${snapshot.previous.id} sha256 ${snapshot.previous.sha256}` : 'none (first snapshot)' },
    { label: 'Collected by', value: `${snapshot.generator.name} ${snapshot.generator.version} (rules ${snapshot.generator.rulesVersion})` },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}

/** The footer of pages built from the whole ledger (home, stats, services, changes). */
/** A service's history page: the last snapshot that changed what it shows (it is not re-rendered on nights that change nothing there). */
export function serviceFooter(lastChangeId: string | null, siteGenerator: string): FooterLine[] {
  return [
    { label: 'Last changed by snapshot', value: lastChangeId ?? 'none', ...(lastChangeId ? { path: paths.snapshotRow(lastChangeId) } : {}) },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}

export function ledgerFooter(lastId: string | null, siteGenerator: string): FooterLine[] {
  return [
    { label: 'As of snapshot', value: lastId ?? 'none', ...(lastId ? { path: paths.snapshotRow(lastId) } : {}) },
    { label: 'Every snapshot, with both hashes', value: 'snapshots', path: paths.snapshots() },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}
