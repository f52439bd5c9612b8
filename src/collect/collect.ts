/**
 * `collect`: runs every configured source, assembles one snapshot and appends
 * it to the ledger. Sources run concurrently; a source that throws becomes a
 * recorded gap (never a crash, never silent). The time of the snapshot is an
 * argument, so tests and backfills are deterministic.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LedgerError, LedgerWriteError } from '../errors.ts';
import { appendSnapshot, readHead, snapshotIdFor, verifyLedger } from '../ledger/index.ts';
import type { LoadedConfig } from '../model/load-config.ts';
import { emptyEvidence, type Evidence, type SourceContext } from '../model/evidence.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { assembleSnapshot, type SourceOutcome } from './assemble.ts';
import { rawConfigRedactor } from '../model/redact.ts';
import type { SecretKey } from '../model/secret-fingerprint.ts';
import { credentialsOf, refuseCredentials, scrubMessage, type Credentials } from '../../collectors/shared/credentials.ts';
import { snapshotFile } from '../ledger/store.ts';
import { loadCollector, type CollectorRegistry } from '../../collectors/registry.ts';
import {
  SHARD_FORMAT,
  SHARD_FORMAT_VERSION,
  configHash,
  evidenceForShard,
  mergeOutcomes,
  readShards,
  shardFileName,
  shardOf,
  shardsDir,
  shardServiceNames,
  writeShardFile,
  type ShardFile,
  type ShardSpec,
} from './shard.ts';

export interface CollectOptions {
  loaded: LoadedConfig;
  /** The snapshot time. */
  at: Date;
  /** The clock (default: the system's): `at` may not be later than this plus `CLOCK_SKEW_MS`. */
  now?: Date;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof globalThis.fetch;
  progress?: (message: string) => void;
  /** Replaces the built-in collectors (tests). */
  registry?: Partial<CollectorRegistry>;
  /** The ledger key that fingerprints secret values (`secretKeyEnv`); null or absent: no fingerprints. */
  secretKey?: SecretKey | null;
}

export interface CollectResult {
  snapshot: Snapshot;
  file: string;
  sha256: string;
}

let generatorVersion: string | undefined;
/** This release-ledger's version (package.json), stamped into every snapshot and printed by `--version`. */
export async function readGeneratorVersion(): Promise<string> {
  generatorVersion ??= (JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  return generatorVersion;
}

/** A thrown error's message, safe to store: one line, no stack, no credential, bounded length. */
function safeReason(error: unknown, credentials: Credentials): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = scrubMessage(message.split('\n')[0]?.trim() || 'unknown error', credentials);
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * How far `--at` may run ahead of this machine's clock: two CI runners' clocks
 * can disagree by seconds to minutes. More is refused: a future snapshot
 * becomes the head, and every real collect until then would be "older than
 * the head" and refused (issue 17 item 4).
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Why `at` is too far in the future to record, or null. */
function futureTimeRefusal(at: Date, now: Date): string | null {
  if (at.getTime() <= now.getTime() + CLOCK_SKEW_MS) return null;
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  // parseAt reads a date alone as the end of that day.
  const endOfDay = at.toISOString().endsWith('T23:59:59.999Z') ? ' (a date alone means the end of that day, UTC)' : '';
  return `--at ${iso(at)} is later than now (${iso(now)}) by more than ${CLOCK_SKEW_MS / 60_000} minutes of clock skew${endOfDay}; a snapshot records what already ran, so its time cannot be in the future (nothing was written)`;
}

/**
 * Refuses (before any source runs) a time in the future, a head that does
 * not verify, or a time that is not after the ledger head: a backfill never
 * rewrites or precedes history.
 */
async function refuseTime(snapshotsDir: string, at: Date, now: Date | undefined) {
  const future = futureTimeRefusal(at, now ?? new Date());
  if (future) throw new LedgerWriteError(future);
  // The head this snapshot will link to must hold: its own content, and its link to the one before it.
  const checked = await verifyLedger(snapshotsDir, { last: 1 });
  if (!checked.ok) {
    throw new LedgerWriteError(`cannot append onto the ledger: ${checked.file} ${checked.reason}; run release-ledger verify and restore it from git (nothing was written)`);
  }
  const id = snapshotIdFor(at);
  const head = await readHead(snapshotsDir);
  if (head && head.snapshot.id >= id) {
    throw new LedgerWriteError(
      head.snapshot.id === id
        ? `a snapshot ${id} already exists in ${snapshotsDir}; snapshots are never rewritten (nothing was written)`
        : `the ledger's newest snapshot is ${head.snapshot.id}, later than --at ${id}; snapshots are append-only and cannot be inserted before the head (nothing was written)`,
    );
  }
  return head;
}

/**
 * Runs every configured source concurrently, in config order. `services`
 * narrows each source's `context.services` (a shard); a source that throws
 * becomes a gap.
 */
async function runSources(options: CollectOptions, id: string, services?: ReadonlySet<string>): Promise<SourceOutcome[]> {
  const { loaded, at } = options;
  const progress = options.progress ?? (() => {});
  const { config } = loaded;
  // The boundary: every source's evidence and progress lines pass the one scrubber (collectors/shared/credentials.ts).
  const credentials = credentialsOf(config, options.env);
  const names = Object.keys(config.sources);
  progress(`collecting ${id} from ${names.length} source${names.length === 1 ? '' : 's'}: ${names.join(', ') || 'none'}`);
  return Promise.all(
    names.map(async (name): Promise<SourceOutcome> => {
      const settings = config.sources[name]!;
      const context: SourceContext = {
        name,
        settings,
        config,
        services: config.services.filter((s) => s.sources.includes(name) && (services === undefined || services.has(s.name))),
        configDir: loaded.dir,
        now: at,
        env: options.env,
        fetch: options.fetch ?? globalThis.fetch,
        progress: (message) => progress(scrubMessage(`${name}: ${message}`, credentials)),
      };
      let evidence: Evidence;
      try {
        const collector = await loadCollector(settings.type, options.registry);
        evidence = credentials.scrubDeep(await collector(context as never));
      } catch (error) {
        evidence = emptyEvidence();
        evidence.gaps.push({ source: name, evidence: 'all', reason: `the ${settings.type} source failed: ${safeReason(error, credentials)}` });
      }
      progress(`${name}: ${evidence.deployments.length} deployments, ${evidence.gaps.length} gaps`);
      return { name, type: settings.type, evidence };
    }),
  );
}

/** Assembles the snapshot from the sources' outcomes and appends it. */
async function assembleAndAppend(options: CollectOptions, id: string, head: { snapshot: Snapshot; sha256: string } | null, outcomes: SourceOutcome[]): Promise<CollectResult> {
  const { loaded, at } = options;
  const progress = options.progress ?? (() => {});
  const snapshot = assembleSnapshot({
    config: loaded.config,
    outcomes,
    id,
    takenAt: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    previous: head,
    generator: { name: 'release-ledger', version: await readGeneratorVersion() },
    secretKey: options.secretKey ?? null,
  });
  const credentials = credentialsOf(loaded.config, options.env);
  refuseCredentials(snapshotFile(loaded.snapshotsDir, id), snapshot, credentials);
  try {
    const written = await appendSnapshot(loaded.snapshotsDir, snapshot);
    progress(`wrote ${written.file} (sha256 ${written.sha256})`);
    return { snapshot, ...written };
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw new LedgerWriteError(`could not write the snapshot to ${loaded.snapshotsDir}: ${safeReason(error, credentials)}`, { cause: error });
  }
}

export async function collect(options: CollectOptions): Promise<CollectResult> {
  const id = snapshotIdFor(options.at);
  const head = await refuseTime(options.loaded.snapshotsDir, options.at, options.now);
  const outcomes = await runSources(options, id);
  return assembleAndAppend(options, id, head, outcomes);
}

export interface ShardResult {
  /** The shard file written. */
  file: string;
  shard: ShardSpec;
  /** The configured services this shard covers, sorted. */
  services: string[];
  /** Gaps in this shard's evidence. */
  gaps: number;
}

/**
 * `collect --shard i/n`: runs every source for this shard's services and
 * writes the partial evidence beside the ledger (see `shard.ts`). Nothing is
 * appended; `mergeShards` does that once every shard is in.
 */
export async function collectShard(options: CollectOptions & { shard: ShardSpec }): Promise<ShardResult> {
  const { loaded, at, shard } = options;
  const id = snapshotIdFor(at);
  await refuseTime(loaded.snapshotsDir, at, options.now);
  const services = shardServiceNames(loaded.config, shard);
  const owns = (name: string) => shardOf(name, shard.count) === shard.index;
  const redactRecord = rawConfigRedactor(loaded.config, options.secretKey ?? null);
  // Redacted before the shard is written: a shard file is uploaded between jobs and must hold no secret value either.
  const outcomes = (await runSources(options, id, new Set(services))).map((o) => {
    const evidence = evidenceForShard(o.evidence, owns);
    return { ...o, evidence: { ...evidence, configs: evidence.configs.map(redactRecord) as Evidence['configs'] } };
  });
  const shardFile: ShardFile = {
    format: SHARD_FORMAT,
    formatVersion: SHARD_FORMAT_VERSION,
    id,
    takenAt: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    generatorVersion: await readGeneratorVersion(),
    configHash: configHash(loaded.config),
    shard,
    services,
    secretKeyId: options.secretKey?.id ?? null,
    outcomes,
  };
  refuseCredentials(path.join(shardsDir(loaded.snapshotsDir, id), shardFileName(shard)), shardFile, credentialsOf(loaded.config, options.env));
  const file = await writeShardFile(loaded.snapshotsDir, shardFile);
  (options.progress ?? (() => {}))(`wrote shard ${shard.index}/${shard.count} (${services.length} services) to ${file}`);
  return { file, shard, services, gaps: outcomes.reduce((n, o) => n + o.evidence.gaps.length, 0) };
}

/**
 * `merge`: reads every shard of the snapshot at `at`, refuses missing,
 * duplicate, overlapping or mismatched shards, and a shard holding a
 * credential of `env` (nothing written), and appends exactly one snapshot
 * assembled by the same pipeline as `collect`, with the same final check.
 */
export async function mergeShards(options: Omit<CollectOptions, 'fetch' | 'registry'> & { count?: number }): Promise<CollectResult> {
  const { loaded } = options;
  const id = snapshotIdFor(options.at);
  const head = await refuseTime(loaded.snapshotsDir, options.at, options.now);
  const shards = await readShards(loaded.snapshotsDir, {
    id,
    configHash: configHash(loaded.config),
    generatorVersion: await readGeneratorVersion(),
    services: loaded.config.services.map((s) => s.name),
    count: options.count,
    credentials: credentialsOf(loaded.config, options.env),
  });
  // Fingerprints made under another key (or none) would not compare with this snapshot's: refuse rather than mix them.
  const keyId = options.secretKey?.id ?? null;
  const otherKey = shards.find((s) => (s.secretKeyId ?? null) !== keyId);
  if (otherKey)
    throw new LedgerWriteError(
      `cannot merge ${id}: shard ${otherKey.shard.index}/${otherKey.shard.count} fingerprinted secrets with ${otherKey.secretKeyId ? `key ${otherKey.secretKeyId}` : 'no key'}, this merge has ${keyId ? `key ${keyId}` : 'no key'}; give every job the same secretKeyEnv (nothing written)`,
    );
  (options.progress ?? (() => {}))(`merging ${shards.length} shard${shards.length === 1 ? '' : 's'} of ${id}`);
  const outcomes = mergeOutcomes(shards, Object.keys(loaded.config.sources));
  return assembleAndAppend(options, id, head, outcomes);
}
