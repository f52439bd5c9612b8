/** Temp ledger folders for the ledger tests, and a byte-exact picture of one. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temp folder per call, removed after the test. Returns `<tmp>/ledger-xxxx/snapshots` (not created). */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ledger-'));
    made.push(root);
    return path.join(root, 'snapshots');
  };
}

/** Every file in `dir` -> sha256 of its bytes, sorted by name; `{}` when the folder does not exist. */
export async function folderState(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Record<string, string> = {};
  for (const name of names.sort()) out[name] = createHash('sha256').update(await readFile(path.join(dir, name))).digest('hex');
  return out;
}

/** An error's message with the temp folder replaced by `<dir>`, for inline snapshots. */
export async function messageOf(promise: Promise<unknown>, dir: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message.split(dir).join('<dir>')}`;
  }
  throw new Error('expected a rejection');
}
