/**
 * `collect`: runs every configured source, assembles one snapshot and appends
 * it to the ledger. Sources run concurrently; a source that throws becomes a
 * recorded gap (never a crash, never silent). The time of the snapshot is an
 * argument, so tests and backfills are deterministic.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LedgerError, LedgerWriteError } from '../src/errors.ts';
import { appendSnapshot, readHead, snapshotIdFor } from '../src/ledger/index.ts';
import type { LoadedConfig } from '../src/model/load-config.ts';
import { emptyEvidence, type Evidence, type SourceContext } from '../src/model/evidence.ts';
import type { Snapshot } from '../src/model/snapshot.ts';
import { assembleSnapshot, type SourceOutcome } from '../src/snapshot/assemble.ts';
import { loadCollector, type CollectorRegistry } from './registry.ts';

export interface CollectOptions {
  loaded: LoadedConfig;
  /** The snapshot time. */
  at: Date;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof globalThis.fetch;
  progress?: (message: string) => void;
  /** Replaces the built-in collectors (tests). */
  registry?: Partial<CollectorRegistry>;
}

export interface CollectResult {
  snapshot: Snapshot;
  file: string;
  sha256: string;
}

let generatorVersion: string | undefined;
async function readGeneratorVersion(): Promise<string> {
  generatorVersion ??= (JSON.parse(await readFile(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  return generatorVersion;
}

/** A thrown error's message, safe to store: one line, no stack, bounded length. */
function safeReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]?.trim() || 'unknown error';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export async function collect(options: CollectOptions): Promise<CollectResult> {
  const { loaded, at } = options;
  const progress = options.progress ?? (() => {});
  const { config, snapshotsDir } = loaded;
  const id = snapshotIdFor(at);
  // Refuse before any source runs: a backfill must never rewrite or precede history.
  const head = await readHead(snapshotsDir);
  if (head && head.snapshot.id >= id) {
    throw new LedgerWriteError(
      head.snapshot.id === id
        ? `a snapshot ${id} already exists in ${snapshotsDir}; snapshots are never rewritten (nothing was written)`
        : `the ledger's newest snapshot is ${head.snapshot.id}, later than --at ${id}; snapshots are append-only and cannot be inserted before the head (nothing was written)`,
    );
  }

  const names = Object.keys(config.sources);
  progress(`collecting ${id} from ${names.length} source${names.length === 1 ? '' : 's'}: ${names.join(', ') || 'none'}`);
  const outcomes: SourceOutcome[] = await Promise.all(
    names.map(async (name): Promise<SourceOutcome> => {
      const settings = config.sources[name]!;
      const context: SourceContext = {
        name,
        settings,
        config,
        services: config.services.filter((s) => s.sources.includes(name)),
        configDir: loaded.dir,
        now: at,
        env: options.env,
        fetch: options.fetch ?? globalThis.fetch,
        progress: (message) => progress(`${name}: ${message}`),
      };
      let evidence: Evidence;
      try {
        const collector = await loadCollector(settings.type, options.registry);
        evidence = await collector(context as never);
      } catch (error) {
        evidence = emptyEvidence();
        evidence.gaps.push({ source: name, evidence: 'all', reason: `the ${settings.type} source failed: ${safeReason(error)}` });
      }
      progress(`${name}: ${evidence.deployments.length} deployments, ${evidence.gaps.length} gaps`);
      return { name, type: settings.type, evidence };
    }),
  );

  const snapshot = assembleSnapshot({
    config,
    outcomes,
    id,
    takenAt: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    previous: head,
    generator: { name: 'release-ledger', version: await readGeneratorVersion() },
  });
  try {
    const written = await appendSnapshot(snapshotsDir, snapshot);
    progress(`wrote ${written.file} (sha256 ${written.sha256})`);
    return { snapshot, ...written };
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw new LedgerWriteError(`could not write the snapshot to ${snapshotsDir}: ${safeReason(error)}`, { cause: error });
  }
}
