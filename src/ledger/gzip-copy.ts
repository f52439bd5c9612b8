/**
 * A snapshot's published copy in gzip form (config `site.snapshotCopies`,
 * docs/site.md "Snapshot copies"): made here for the site, read back here by
 * `verify --file`, so the two agree on one format.
 *
 * - Deterministic: level 9, no file name, mtime 0 (Node's zlib writes no name
 *   and mtime 0), and the OS byte pinned to 255 "unknown" (RFC 1952 §2.3.1),
 *   which zlib otherwise sets per platform (3 on Unix, 19 on macOS, 10 on
 *   Windows). The deflate stream itself is the bundled zlib's
 *   (`process.versions.zlib`): the same Node gives the same bytes.
 * - What is hashed and listed is always the content (the ledger file's bytes),
 *   never the compressed bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { formatBytes } from '../model/input-limits.ts';

/** The two magic bytes every gzip member starts with (RFC 1952 §2.3.1). */
const MAGIC = [0x1f, 0x8b] as const;
/** The header's OS byte (offset 9): 255 is "unknown". */
const OS_OFFSET = 9;
const OS_UNKNOWN = 255;

/** The gzip copy of a ledger file's bytes. */
export function gzipCopy(bytes: Uint8Array): Buffer {
  const out = gzipSync(bytes, { level: 9 });
  // No FHCRC flag (zlib never sets it), so the header byte is not covered by any check.
  out[OS_OFFSET] = OS_UNKNOWN;
  return out;
}

/** Whether `bytes` start as a gzip file does (by content, never by name: a browser may rename a download). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === MAGIC[0] && bytes[1] === MAGIC[1];
}

/**
 * The content of a gzip copy, or the one-line reason it cannot be had.
 * Decompression stops as soon as the output passes `cap` (zlib's
 * `maxOutputLength`), so a gzip bomb costs `cap` bytes, not what it expands to.
 */
export function gunzipCopy(bytes: Uint8Array, cap: number): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  try {
    return { ok: true, bytes: gunzipSync(bytes, { maxOutputLength: cap }) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      return { ok: false, reason: `is a gzip that expands past ${formatBytes(cap)}, more than any snapshot; refused without expanding it further (a snapshot copy from the site is a few MB)` };
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    return { ok: false, reason: `is a damaged gzip (${message}): download it again, or check it with \`gunzip -t\`` };
  }
}
