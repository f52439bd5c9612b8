/**
 * Sharded collection: `collect --shard i/n --at T` on each job of a CI matrix,
 * then `merge --at T` assembles exactly one snapshot from all shards.
 *
 * Partition. A service belongs to the shard that maximises
 * sha256(`${i}/${name}`) over i = 1..n (rendezvous, or highest-random-weight,
 * hashing). It depends only on the name and n, never on the other services:
 * adding or removing a service moves no other service, and going from n to
 * n+1 shards moves only the ~1/(n+1) of services that the new shard wins.
 *
 * Sources. Every shard runs every source, with `context.services` narrowed
 * to the shard's services that list it (a GitHub or HTTP source asks only
 * about those). What comes back is then filtered by owner:
 * - a record naming a service (configured or not) is kept only by the shard
 *   that owns that name, so a per-organisation source such as a `file`
 *   inventory, which every shard reads whole, contributes each record once;
 * - a record naming no service (a gap such as "the inventory is missing" or
 *   "the source failed as a whole") is kept by every shard, and the merge
 *   takes each distinct one as many times as the shard that has it most often:
 *   what every shard saw alike appears once, as in a single collect, and a
 *   failure in one shard still appears.
 * Records keep their relative order within a service, and the snapshot sorts
 * by service first, so a complete merge is byte-identical to a single
 * `collect` of the same inputs at the same time (tests/shard).
 *
 * Files. `<snapshotsDir>/../shards/<id>/<i>-of-<n>.json`, outside the ledger
 * folder (never read by `verify` or the site), written atomically; a retried
 * job replaces its own shard. They are intermediates: keep them out of git.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, realpath, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LedgerWriteError, UsageError } from '../errors.ts';
import { canonicalJson, sha256Hex } from '../ledger/index.ts';
import type { Config } from '../model/config.ts';
import { emptyEvidence, type Evidence } from '../model/evidence.ts';
import type { SourceOutcome } from './assemble.ts';
import { findCredential, type Credentials } from '../../collectors/shared/credentials.ts';

export const SHARD_FORMAT = 'release-ledger-shard';
export const SHARD_FORMAT_VERSION = 1;

export interface ShardSpec {
  /** 1-based shard number. */
  index: number;
  /** How many shards in all. */
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1000). */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count || count > 1000)
    throw new UsageError(`--shard must be i/n with 1 <= i <= n <= 1000, e.g. --shard 2/4 (got "${text}")`);
  return { index, count };
}

/** The shard (1..count) that owns a service name; see the file comment (rendezvous hashing). */
export function shardOf(name: string, count: number): number {
  let best = 1;
  let bestWeight = '';
  for (let i = 1; i <= count; i++) {
    const weight = createHash('sha256').update(`${i}/${name}`).digest('hex');
    if (weight > bestWeight) {
      best = i;
      bestWeight = weight;
    }
  }
  return best;
}

/** The configured service names a shard owns, sorted. */
export function shardServiceNames(config: Config, shard: ShardSpec): string[] {
  return config.services
    .map((s) => s.name)
    .filter((name) => shardOf(name, shard.count) === shard.index)
    .sort();
}

/** sha256 of the validated config's canonical JSON: shards of different configs are never merged. */
export function configHash(config: Config): string {
  return sha256Hex(canonicalJson(config));
}

const EVIDENCE_KEYS = ['deployments', 'history', 'observed', 'declared', 'configs', 'branches', 'changes', 'gaps', 'syncs'] as const satisfies readonly (keyof Evidence)[];

/** The service a record names, if it names one. */
function serviceOf(record: unknown): string | undefined {
  const service = (record as { service?: unknown } | null)?.service;
  return typeof service === 'string' ? service : undefined;
}

/**
 * Keeps the records this shard owns: those naming one of its services (or an
 * unconfigured name it owns), and every record naming no service (kept by all
 * shards; `mergeOutcomes` takes each once).
 */
export function evidenceForShard(evidence: Evidence, owns: (service: string) => boolean): Evidence {
  const out = emptyEvidence() as unknown as Record<(typeof EVIDENCE_KEYS)[number], unknown[]>;
  for (const key of EVIDENCE_KEYS) {
    out[key] = (evidence[key] as unknown[]).filter((record) => {
      const service = serviceOf(record);
      return service === undefined || owns(service);
    });
  }
  return out as unknown as Evidence;
}

const recordList = z.array(z.unknown());
const shardFileSchema = z.object({
  format: z.literal(SHARD_FORMAT),
  formatVersion: z.literal(SHARD_FORMAT_VERSION),
  id: z.string(),
  takenAt: z.string(),
  generatorVersion: z.string(),
  configHash: z.string(),
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }),
  services: z.array(z.string()),
  /** The ledger key its secrets were fingerprinted with (null: none); merge refuses a mix. */
  secretKeyId: z.string().nullable().optional(),
  outcomes: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      evidence: z.object({
        deployments: recordList,
        history: recordList,
        observed: recordList,
        declared: recordList,
        configs: recordList,
        branches: recordList,
        changes: recordList,
        gaps: recordList,
        // Argo CD's syncs for another source's deployment record (argocd `deployments: false`); absent in older shards.
        syncs: recordList.default([]),
      }),
    }),
  ),
});
export type ShardFile = z.infer<typeof shardFileSchema> & { outcomes: SourceOutcome[] };

/** `<snapshotsDir>/../shards/<id>` */
export function shardsDir(snapshotsDir: string, id: string): string {
  return path.join(path.dirname(snapshotsDir), 'shards', id);
}

export function shardFileName(shard: ShardSpec): string {
  return `${shard.index}-of-${shard.count}.json`;
}

/** Writes a shard file atomically (temp + rename; a retried job replaces its own shard). Returns its path. */
export async function writeShardFile(snapshotsDir: string, shard: ShardFile): Promise<string> {
  const dir = shardsDir(snapshotsDir, shard.id);
  const file = path.join(dir, shardFileName(shard.shard));
  const temp = path.join(dir, `.${shardFileName(shard.shard)}.${process.pid}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, `${JSON.stringify(shard)}\n`, 'utf8');
    await rename(temp, file);
  } catch (error) {
    throw new LedgerWriteError(`cannot write the shard ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`, {
      cause: error,
    });
  }
  return file;
}

export interface ShardExpectation {
  id: string;
  configHash: string;
  generatorVersion: string;
  /** Every configured service name. */
  services: readonly string[];
  /** The shard count the caller expects (`merge --shards N`); otherwise taken from the files, which must agree. */
  count?: number;
  /** The credentials of this run's environment: a shard holding one is refused (it was checked when written, but a file can be planted). */
  credentials?: Credentials;
}

/**
 * Reads and checks every shard of `id`: refuses (LedgerWriteError, exit 2)
 * missing, duplicate or overlapping shards, shards of another count, config,
 * id or generator, a shard holding anything outside its own partition
 * (`outsidePartition`), a shard holding one of `credentials` (the field is
 * named, never the credential), and a shard file or folder that is a
 * symbolic link or lies outside the ledger. Returns them in shard order.
 */
export async function readShards(snapshotsDir: string, expect: ShardExpectation): Promise<ShardFile[]> {
  const dir = shardsDir(snapshotsDir, expect.id);
  const refuse = (reason: string) => new LedgerWriteError(`cannot merge ${expect.id}: ${reason} (nothing written)`);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw refuse(`no shards in ${dir}; run "release-ledger collect --shard i/n --at ${expect.id}" for every shard first`);
    throw refuse(`cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (names.length === 0) throw refuse(`no shards in ${dir}; run "release-ledger collect --shard i/n --at ${expect.id}" for every shard first`);

  // Shards come from inside the ledger's own folder: neither the folder nor a file may lead elsewhere.
  const ledgerRoot = path.dirname(snapshotsDir);
  const realDir = await realpath(dir).catch(() => dir);
  const expectedDir = path.join(await realpath(ledgerRoot).catch(() => ledgerRoot), 'shards', expect.id);
  if (realDir !== expectedDir) throw refuse(`${dir} leads to ${realDir}, outside the ledger; shards must be files inside ${path.join(ledgerRoot, 'shards')}`);

  const shards: { name: string; shard: ShardFile }[] = [];
  for (const name of names) {
    const text = await readShardText(path.join(dir, name));
    if (text.refused !== undefined) throw refuse(`${name} in ${dir} ${text.refused}; shards must be plain files written by collect --shard: delete it and re-run that shard`);
    let raw: unknown;
    try {
      raw = JSON.parse(text.text);
    } catch {
      throw refuse(`${name} in ${dir} is not a readable JSON shard file; delete it and re-run that shard`);
    }
    const parsed = shardFileSchema.safeParse(raw);
    if (!parsed.success) throw refuse(`${name} in ${dir} is not a release-ledger shard file (${parsed.error.issues[0]?.path.join('.') || 'file'}: ${parsed.error.issues[0]?.message ?? 'invalid'}); delete it and re-run that shard`);
    const shard = parsed.data as ShardFile;
    if (shard.id !== expect.id) throw refuse(`${name} is a shard of ${shard.id}, not ${expect.id}`);
    if (shard.configHash !== expect.configHash) throw refuse(`${name} was collected with a different config (config hash ${shard.configHash.slice(0, 12)}…, now ${expect.configHash.slice(0, 12)}…); re-run every shard with this config`);
    if (shard.generatorVersion !== expect.generatorVersion) throw refuse(`${name} was collected by release-ledger ${shard.generatorVersion}, this is ${expect.generatorVersion}; re-run every shard with one version`);
    if (shard.shard.index > shard.shard.count) throw refuse(`${name} claims shard ${shard.shard.index} of ${shard.shard.count}`);
    const field = expect.credentials ? findCredential(shard, expect.credentials) : null;
    if (field) throw refuse(`${path.join(dir, name)}: ${field} holds a credential this run was given (in some encoding); delete it and re-run that shard`);
    shards.push({ name, shard });
  }

  const count = expect.count ?? shards[0]!.shard.shard.count;
  for (const { name, shard } of shards) {
    if (shard.shard.count !== count)
      throw refuse(`${name} is shard ${shard.shard.index} of ${shard.shard.count}, but ${expect.count === undefined ? `${shards[0]!.name} is of ${count}` : `--shards is ${count}`}; every shard must use the same n`);
  }
  const byIndex = new Map<number, string>();
  for (const { name, shard } of shards) {
    const other = byIndex.get(shard.shard.index);
    if (other !== undefined) throw refuse(`${other} and ${name} both claim shard ${shard.shard.index} of ${count}; delete the stale one`);
    byIndex.set(shard.shard.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw refuse(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing in ${dir}; run "release-ledger collect --shard ${missing[0]}/${count} --at ${expect.id}"`);

  const owner = new Map<string, string>();
  const configured = new Set(expect.services);
  for (const { name, shard } of shards) {
    for (const service of shard.services) {
      const other = owner.get(service);
      if (other !== undefined) throw refuse(`${other} and ${name} both cover service "${service}"; the shards overlap`);
      if (!configured.has(service)) throw refuse(`${name} covers "${service}", which is not a configured service`);
      owner.set(service, name);
    }
  }
  const uncovered = expect.services.filter((s) => !owner.has(s));
  if (uncovered.length > 0) throw refuse(`no shard covers ${uncovered.slice(0, 5).map((s) => `"${s}"`).join(', ')}${uncovered.length > 5 ? ', …' : ''}`);
  for (const { name, shard } of shards) {
    const outside = outsidePartition(shard, expect.services);
    if (outside) throw refuse(`${name} ${outside}; a shard carries only its own services' records (re-run shard ${shard.shard.index}/${count})`);
  }

  return shards.map((s) => s.shard).sort((a, b) => a.shard.index - b.shard.index);
}

/**
 * What in a shard lies outside its partition, recomputed from the names and
 * the count (`shardOf`) instead of trusted from the file: a `services` list
 * other than the configured services the shard owns, or a record naming a
 * service (configured or not) another shard owns. A record naming no service
 * (an organisation-wide gap, or a malformed record a source returned) speaks
 * for no service: every shard may carry it, and the merge takes it as a
 * single collect would (`mergeOutcomes`; assembly leaves a malformed one out
 * as a gap). The owner of a name is unique, so a record repeated in a second
 * shard is always outside that shard's partition: no shard can add to, or
 * override, another's services.
 */
function outsidePartition(shard: ShardFile, configured: readonly string[]): string | undefined {
  const { index, count } = shard.shard;
  const own = configured.filter((name) => shardOf(name, count) === index).sort();
  const listed = [...shard.services].sort();
  if (canonicalJson(listed) !== canonicalJson(own)) return `lists services ${JSON.stringify(listed).slice(0, 200)}, but shard ${index} of ${count} owns ${JSON.stringify(own).slice(0, 200)}`;
  for (const outcome of shard.outcomes) {
    for (const key of EVIDENCE_KEYS) {
      for (const record of outcome.evidence[key] as unknown[]) {
        const service = serviceOf(record);
        if (service === undefined) continue;
        const owner = shardOf(service, count);
        if (owner !== index) return `holds a ${key} record of source "${outcome.name}" for service ${JSON.stringify(service).slice(0, 110)}, which shard ${owner} of ${count} owns`;
      }
    }
  }
  return undefined;
}

/**
 * A shard file's text, opened without following a symlink (`O_NOFOLLOW`, so
 * no check-then-open race) and without waiting on a FIFO (`O_NONBLOCK`); only
 * a regular file is read.
 */
async function readShardText(file: string): Promise<{ text: string; refused?: undefined } | { refused: string }> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { refused: code === 'ELOOP' ? 'is a symbolic link' : `cannot be opened (${code ?? 'error'})` };
  }
  try {
    if (!(await handle.stat()).isFile()) return { refused: 'is not a regular file' };
    return { text: await handle.readFile('utf8') };
  } catch (error) {
    return { refused: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await handle.close();
  }
}

/**
 * One outcome per source (in `sourceNames` order), from shards in shard order:
 * records naming a service concatenated (each has one owner); records naming
 * none as a multiset union — each distinct record as often as in the shard
 * that has it most, after the owned ones, in first-seen order.
 */
export function mergeOutcomes(shards: readonly ShardFile[], sourceNames: readonly string[]): SourceOutcome[] {
  return sourceNames.map((name) => {
    const parts = shards.map((s) => s.outcomes.find((o) => o.name === name)).filter((p) => p !== undefined);
    const type = parts[0]?.type ?? 'unknown';
    const merged = emptyEvidence() as unknown as Record<(typeof EVIDENCE_KEYS)[number], unknown[]>;
    for (const key of EVIDENCE_KEYS) {
      const shared = new Map<string, { record: unknown; count: number }>();
      for (const part of parts) {
        const counts = new Map<string, number>();
        for (const record of part.evidence[key] as unknown[]) {
          if (serviceOf(record) !== undefined) {
            merged[key]!.push(record);
            continue;
          }
          const id = canonicalJson(record ?? null);
          const n = (counts.get(id) ?? 0) + 1;
          counts.set(id, n);
          const seen = shared.get(id);
          if (!seen) shared.set(id, { record, count: n });
          else seen.count = Math.max(seen.count, n);
        }
      }
      for (const { record, count } of shared.values()) for (let i = 0; i < count; i++) merged[key]!.push(record);
    }
    return { name, type, evidence: merged as unknown as Evidence };
  });
}
