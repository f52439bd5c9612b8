/**
 * `/snapshots/`: every snapshot with both of its sha256 values, so an auditor
 * can carry the evidence away and check it alone (docs/guarantees.md,
 * "Tamper-evident"). The two hashes are named once, here, for the index, its
 * JSON and the day pages' footer.
 */
import { HASH_FORM_NAME } from '../ledger/verify.ts';
import type { SnapshotCopies } from '../model/index.ts';
import { paths } from './links.ts';

export interface SnapshotRow {
  id: string;
  /** The ledger file's size. */
  bytes: number;
  chainSha256: string;
  fileSha256: string;
  /** The published copy's size: the gzip's (`gzip`), the file's (`json`), null when none is published. */
  copyBytes: number | null;
}

/** The two hashes' short names (footer labels, table headings). */
export const HASH_LABEL = { chain: 'Chain hash', file: 'File hash' } as const;

/** Which hash is which, in one short sentence. */
export const HASH_SENTENCE = 'The chain hash is the sha256 of the canonical JSON, which the next snapshot records; the file hash is the sha256 of the ledger file\'s bytes, which sha256sum prints.';

/** Where a snapshot's copy is on the site (config `site.snapshotCopies`), or null when the site publishes none. */
export function copyPath(id: string, copies: SnapshotCopies): string | null {
  return copies === 'none' ? null : paths.snapshot(id, copies);
}

/** Where a link to a snapshot as evidence goes: its copy, or its row on `/snapshots/` (which says where the file is) when the site publishes none. */
export function evidencePath(id: string, copies: SnapshotCopies): string {
  return copyPath(id, copies) ?? paths.snapshotRow(id);
}

/** The file name a download of the copy has (`ID.json` for `none`: the ledger file itself). */
export function copyFileName(id: string, copies: SnapshotCopies): string {
  return `${id}.json${copies === 'gzip' ? '.gz' : ''}`;
}

/** What the downloads are, in one sentence for the pages that list them. */
export const COPY_SENTENCE: Record<SnapshotCopies, string> = {
  gzip: 'Each download is a gzip of the ledger file; gunzip gives it byte for byte, so both hashes are those of the file it gives (verify --file reads the gzip as it is).',
  json: 'Each download is the ledger file itself, byte for byte.',
  none: 'This site publishes no copies of the snapshots: each is ID.json in the snapshots folder of the ledger repository this site is built from, where release-ledger verify checks the whole chain.',
};

/** The command that checks a downloaded snapshot against either hash. */
export function verifyCommand(id: string, copies: SnapshotCopies, hash = '<either hash>'): string {
  return `release-ledger verify --file ${copyFileName(id, copies)} --expect-sha256 ${hash}`;
}

function size(bytes: number): string {
  const kb = bytes / 1024;
  return kb < 1024 ? `${Math.max(1, Math.ceil(kb)).toLocaleString('en')} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

/**
 * "download snapshot JSON, 412 KB", "download snapshot (gzip of the JSON), 32 KB; 412 KB unzipped": the link text of
 * a snapshot's copy, so it reads as a download and says how big; for `none`, where the file is instead.
 */
export function downloadLabel(id: string, bytes: number, copyBytes: number | null, copies: SnapshotCopies): string {
  if (copies === 'gzip' && copyBytes !== null) return `download snapshot (gzip of the JSON), ${size(copyBytes)}; ${size(bytes)} unzipped`;
  if (copies === 'json') return `download snapshot JSON, ${size(bytes)}`;
  return `not published on this site: ${id}.json (${size(bytes)}) in the ledger repository`;
}

/**
 * `/snapshots/index.json`: the chain in order, oldest first, with both hashes
 * (of the ledger file, also for a gzip copy), each file's size, and where its
 * copy is (`url` null when the site publishes none) with the gzip's size.
 * Deterministic (no build time): the same ledger gives the same bytes. `href`
 * adds the site's base to a path.
 */
export function snapshotsIndexJson(rows: readonly SnapshotRow[], copies: SnapshotCopies, href: (path: string) => string): string {
  return `${JSON.stringify(
    {
      description: `Every snapshot of this ledger, oldest first, with its two sha256 values. ${COPY_SENTENCE[copies]} Check a downloaded file with the command below and either hash.`,
      copies,
      hashes: { chain: HASH_FORM_NAME.chain, file: HASH_FORM_NAME.file },
      verify: verifyCommand('ID', copies),
      snapshots: rows.map((r) => {
        const path = copyPath(r.id, copies);
        return {
          id: r.id,
          url: path === null ? null : href(path),
          bytes: r.bytes,
          ...(copies === 'gzip' ? { gzipBytes: r.copyBytes } : {}),
          sha256: { chain: r.chainSha256, file: r.fileSha256 },
        };
      }),
    },
    null,
    2,
  )}\n`;
}
