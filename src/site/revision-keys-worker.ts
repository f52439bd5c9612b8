/**
 * A worker thread of the site build's index pass (build.ts `indexPass`): the
 * service and environment revision keys of each snapshot it is sent
 * (views/revisions.ts), on a second core while the main thread reads the
 * next snapshot and feeds the change index. They were half the pass's time
 * at 500 services, and each depends on its snapshot alone.
 *
 * It reads and validates the file itself, and says the sha256 of the bytes
 * it keyed: the main thread uses the keys only for the bytes it validated.
 * Validated, not just parsed: a key hashes the page state's JSON, whose key
 * order is the schema's, so keys made here and on the main thread (a night's
 * build makes its few there) must start from the same objects.
 */
import { parentPort } from 'node:worker_threads';
import { readSnapshotFile, sha256Hex } from '../ledger/index.ts';
import { SnapshotViews } from '../views/day-views.ts';
import { environmentStateKeys, serviceStateKeys } from '../views/revisions.ts';

/** One snapshot to key. */
export interface KeysRequest {
  dir: string;
  id: string;
  /** Its chain hash, so the canonical form is not computed again. */
  chain: string | undefined;
}

/** Its keys, or the one-line reason it has none. */
export type KeysReply = { id: string; fileSha256: string | undefined; services: [string, string][]; environments: [string, string][] } | { id: string; error: string };

parentPort?.on('message', (request: KeysRequest) => {
  void keysOf(request).then(
    (reply) => parentPort!.postMessage(reply),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies KeysReply),
  );
});

async function keysOf({ dir, id, chain }: KeysRequest): Promise<KeysReply> {
  const { snapshot, bytes } = await readSnapshotFile(dir, id, chain);
  const views = new SnapshotViews(snapshot);
  return { id, fileSha256: sha256Hex(bytes), services: [...serviceStateKeys(snapshot, views)], environments: [...environmentStateKeys(snapshot, views)] };
}
