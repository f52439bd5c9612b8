/**
 * The thread that writes the site's snapshot copies (build.ts `writeCopies`):
 * each job's ledger file read, compressed (ledger/gzip-copy.ts) or copied,
 * and written, one after the other, each size posted back as it is written.
 * Its own thread, because zlib's asynchronous API hands every 16 KB of output
 * back to the main thread, which the index pass keeps busy: a 6 MB snapshot's
 * copy took 1.3 s there instead of 0.11 s (docs/scale.md).
 *
 * JavaScript, not TypeScript: a worker is started by its path, and an installed
 * copy (under node_modules, where Node strips no types) registers tsx for the
 * TypeScript it imports, as bin/release-ledger.mjs does.
 */
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const gzipCopyUrl = new URL('../ledger/gzip-copy.ts', import.meta.url).href;
if (!process.features.typescript || import.meta.url.includes('/node_modules/')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { gzipCopy } = await import(gzipCopyUrl);

/** @type {{ jobs: { id: string; from: string; to: string }[]; gzip: boolean; stop: Int32Array }} */
const { jobs, gzip, stop } = workerData;
for (const { id, from, to } of jobs) {
  // Set by the build once it has stopped: the copy under way ends, no other starts.
  if (Atomics.load(stop, 0) === 1) break;
  try {
    let size;
    if (gzip) {
      const bytes = gzipCopy(readFileSync(from));
      writeFileSync(to, bytes);
      size = bytes.length;
    } else {
      // A copy, not a hard link: nothing done to the site's files can reach the ledger's.
      copyFileSync(from, to);
      size = statSync(to).size;
    }
    parentPort.postMessage({ id, size });
  } catch (error) {
    parentPort.postMessage({ id, message: error instanceof Error ? error.message : String(error) });
    break;
  }
}
