/**
 * The index pass's revision keys on a second core (revision-keys-worker.ts).
 * What the worker answers is used only when it keyed the very bytes the main
 * thread validated (same sha256); for anything else — no worker, a worker
 * that failed to start, a file that changed in between — the main thread
 * computes the keys itself (`LedgerIndexBuilder.add` without keys), with the
 * same functions, so the index never depends on the worker being there.
 */
import { Worker } from 'node:worker_threads';
import type { RevisionKeys } from '../views/revisions.ts';
import type { KeysReply, KeysRequest } from './revision-keys-worker.ts';

/** Below this many snapshots to read (a night reads one), starting a thread costs more than it saves. */
export const WORKER_FROM = 8;

export class RevisionKeysWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<string, { fileSha256: string; resolve: (keys: RevisionKeys | null) => void }>();
  #failed = false;

  constructor() {
    this.#worker = new Worker(new URL('./revision-keys-worker.ts', import.meta.url));
    this.#worker.on('message', (reply: KeysReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id);
      waiting.resolve('error' in reply || reply.fileSha256 !== waiting.fileSha256 ? null : { services: new Map(reply.services), environments: new Map(reply.environments) });
    });
    // A worker that cannot start or dies: the main thread keys every snapshot from here on.
    this.#worker.on('error', () => this.#fail());
    this.#worker.on('exit', () => this.#fail());
  }

  /** The keys of snapshot `id` as read from `dir`, if they are of the bytes whose sha256 is `fileSha256`; else null. */
  keys(dir: string, id: string, chain: string | undefined, fileSha256: string): Promise<RevisionKeys | null> {
    if (this.#failed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiting.set(id, { fileSha256, resolve });
      this.#worker.postMessage({ dir, id, chain } satisfies KeysRequest);
    });
  }

  async close(): Promise<void> {
    this.#fail();
    await this.#worker.terminate();
  }

  #fail(): void {
    this.#failed = true;
    for (const { resolve } of this.#waiting.values()) resolve(null);
    this.#waiting.clear();
  }
}
