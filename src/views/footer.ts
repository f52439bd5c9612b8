/** The footer of a day page: what the page depends on, so an auditor can check it. */
import type { Snapshot, SnapshotCopies } from '../model/index.ts';
import { paths } from './links.ts';
import { copyPath, downloadLabel, HASH_LABEL } from './snapshots.ts';

export interface FooterLine {
  label: string;
  value: string;
  /** A path inside the site (the caller prefixes the base). */
  path?: string;
}

/**
 * What a printed page needs to name its evidence: the snapshot (linked to its
 * row on /snapshots/, which holds both hashes, the previous snapshot's and the
 * command that checks a download), its download (config `site.snapshotCopies`:
 * a gzip of the ledger file, the file, or where it is when the site publishes
 * none), its chain hash (what the next snapshot records and `verify
 * --expect-sha256` accepts; docs/guarantees.md, "Tamper-evident") and what made
 * it. The file hash, the verify command and the previous hash are said once,
 * on /snapshots/, not on each of ~195,000 pages (issue 23).
 */
export function dayFooter(
  snapshot: Snapshot, hashes: { chain: string; bytes: number; copyBytes: number | null }, copies: SnapshotCopies, siteGenerator: string,
): FooterLine[] {
  const copy = copyPath(snapshot.id, copies);
  return [
    { label: 'Snapshot', value: snapshot.id, path: paths.snapshotRow(snapshot.id) },
    { label: 'Raw snapshot', value: downloadLabel(snapshot.id, hashes.bytes, hashes.copyBytes, copies), ...(copy ? { path: copy } : {}) },
    { label: HASH_LABEL.chain, value: hashes.chain },
    { label: 'Made by', value: `${snapshot.generator.name} ${snapshot.generator.version} (rules ${snapshot.generator.rulesVersion}); page by release-ledger ${siteGenerator}` },
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
