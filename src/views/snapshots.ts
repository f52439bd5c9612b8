/**
 * `/snapshots/`: every snapshot with both of its sha256 values, so an auditor
 * can carry the evidence away and check it alone (docs/guarantees.md,
 * "Tamper-evident"). The two hashes are named once, here, for the index, its
 * JSON and the day pages' footer.
 */
import { HASH_FORM_NAME } from '../ledger/verify.ts';
import { paths } from './links.ts';

export interface SnapshotRow {
  id: string;
  bytes: number;
  chainSha256: string;
  fileSha256: string;
}

/** The two hashes' short names (footer labels, table headings). */
export const HASH_LABEL = { chain: 'Chain hash', file: 'File hash' } as const;

/** Which hash is which, in one short sentence. */
export const HASH_SENTENCE = 'The chain hash is the sha256 of the canonical JSON, which the next snapshot records; the file hash is the sha256 of the downloaded bytes, which sha256sum prints.';

/** The command that checks a downloaded snapshot against either hash. */
export function verifyCommand(id: string, hash = '<either hash>'): string {
  return `release-ledger verify --file ${id}.json --expect-sha256 ${hash}`;
}

/** "download snapshot JSON, 412 KB": the link text of a raw snapshot, so it reads as a download and says how big. */
export function downloadLabel(bytes: number): string {
  const kb = bytes / 1024;
  const size = kb < 1024 ? `${Math.max(1, Math.ceil(kb)).toLocaleString('en')} KB` : `${(kb / 1024).toFixed(1)} MB`;
  return `download snapshot JSON, ${size}`;
}

/**
 * `/snapshots/index.json`: the chain in order, oldest first, with both hashes
 * and each file's path. Deterministic (no build time): the same ledger gives
 * the same bytes. `href` adds the site's base to a path.
 */
export function snapshotsIndexJson(rows: readonly SnapshotRow[], href: (path: string) => string): string {
  return `${JSON.stringify(
    {
      description: 'Every snapshot of this ledger, oldest first, with its two sha256 values. Check a downloaded file with the command below and either hash.',
      hashes: { chain: HASH_FORM_NAME.chain, file: HASH_FORM_NAME.file },
      verify: verifyCommand('ID'),
      snapshots: rows.map((r) => ({ id: r.id, url: href(paths.snapshot(r.id)), bytes: r.bytes, sha256: { chain: r.chainSha256, file: r.fileSha256 } })),
    },
    null,
    2,
  )}\n`;
}
