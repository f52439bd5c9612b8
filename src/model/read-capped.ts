/**
 * Reads a text file only if it fits its cap (src/model/input-limits.ts): the
 * size is checked on the open handle (`fstat`) before any byte is read, and
 * the read itself stops one byte past the cap, so a file that grows between
 * the two checks is refused too. Opened non-blocking, so a FIFO named as a
 * config does not hang the run; anything but a regular file is refused.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeUtf8, overCap } from './input-limits.ts';

export type CappedRead = { ok: true; text: string; bytes: number } | { ok: false; reason: string };

export interface Cap {
  /** The cap in bytes. */
  bytes: number;
  /** What the cap is on, e.g. "one inventory file". */
  what: string;
  /** What to do about it, e.g. "split it into several files in a folder". */
  advice: string;
}

/**
 * The file's text, or a one-line reason (over the cap, not a regular file,
 * not UTF-8). `shown` is the name used in messages. File-system errors
 * (ENOENT, EACCES, EISDIR …) are thrown as they are, for the caller's wording.
 */
export async function readCappedText(absolute: string, shown: string, cap: Cap): Promise<CappedRead> {
  const handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error(`EISDIR: ${shown}`), { code: 'EISDIR' });
    if (!info.isFile()) return { ok: false, reason: `${shown}: not a regular file (a device, pipe or socket); point at a YAML file` };
    if (info.size > cap.bytes) return { ok: false, reason: overCap(shown, info.size, cap.bytes, cap.what, cap.advice) };
    // One byte more than the size: reading it means the file grew after fstat.
    const buffer = Buffer.allocUnsafe(info.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) return { ok: false, reason: `${shown}: the file grew while it was read; try again when it is written` };
    }
    const decoded = decodeUtf8(buffer.subarray(0, filled), shown);
    return decoded.ok ? { ok: true, text: decoded.text, bytes: filled } : decoded;
  } finally {
    await handle.close();
  }
}
