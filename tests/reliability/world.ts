/**
 * Shared pieces of the reliability suite: the fixed seed, temp folders, a
 * small organisation written as a real config + inventory on disk (so every
 * case goes through the real CLI and the real sources), and the figures each
 * case records for the table printed by `figures-reporter.ts`.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { TestContext } from 'vitest';

/**
 * One seed for every case. Override with RELIABILITY_SEED=<n> to explore;
 * a failure prints the seed and the run index, and the same seed replays
 * exactly the same inputs.
 */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20260314);

/** The repository root (where bin/ and package.json live). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** One row of the figures table. */
export interface Figure {
  /** Short case name, e.g. "tamper: mutated past snapshots". */
  case: string;
  /** How many generated inputs were run. */
  runs: number;
  /** What was measured, e.g. "1000/1000 detected, first bad file named". */
  result: string;
  /** The target from issue 8. */
  target: string;
  pass: boolean;
  /** Extra figures (kill timing, fault mix…), one line. */
  detail?: string;
}

/** Attach a figure to the running test: the reporter prints it, whatever the assertions then say. */
export function recordFigure(task: TestContext['task'] | { meta: object }, figure: Figure): void {
  const meta = task.meta as Record<string, unknown>;
  const list = (meta.reliability as Figure[] | undefined) ?? [];
  list.push({ ...figure, detail: [figure.detail, `seed ${SEED}`].filter(Boolean).join('; ') });
  meta.reliability = list;
  // Also on stdout, so a plain `vitest run` (without the reporter) still shows the figure.
  console.log(`[reliability] ${figure.pass ? 'PASS' : 'FAIL'} ${figure.case}: ${figure.result} (target: ${figure.target}; ${figure.detail ? `${figure.detail}; ` : ''}seed ${SEED})`);
}

/** Temp folders for this file, removed after it. */
export function useTempRoot(prefix: string): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(tmpdir(), `rl-${prefix}-`));
    made.push(dir);
    return dir;
  };
}

/** Every file under `dir` (recursively) -> sha256 of its bytes; `{}` when it does not exist. Paths are relative, with `/`. */
export async function treeState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return out;
  }
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of files) out[path.relative(dir, file).split(path.sep).join('/')] = createHash('sha256').update(await readFile(file)).digest('hex');
  return out;
}

/** A 40-hex commit derived from a label. */
export function commitOf(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

export const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'] as const;

export interface WorldOptions {
  /** Service names (must match the config name pattern). */
  services: string[];
  /** The inventory document (written as JSON, which is YAML). */
  inventory: Record<string, unknown>;
  /** Extra sources (name -> settings) besides the `inventory` file source. */
  sources?: Record<string, unknown>;
  /** Per-service extra fields (e.g. versionUrl, sources). */
  serviceExtra?: (name: string, index: number) => Record<string, unknown>;
  /** Top-level extra fields (policies, exceptions, name). */
  extra?: Record<string, unknown>;
}

/**
 * Writes `<dir>/release-ledger.config.yaml` and `<dir>/inventory.yaml` (both
 * JSON, a subset of YAML, so any string survives exactly). Returns the config path.
 */
export async function writeWorld(dir: string, options: WorldOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const config = {
    name: 'Reliability Org',
    environments: ENVIRONMENTS.map((name) => ({ name, production: name === 'prod', requiredApprovals: name === 'prod' ? 1 : 0 })),
    sources: { inventory: { type: 'file', path: 'inventory.yaml' }, ...options.sources },
    services: options.services.map((name, i) => ({
      name,
      repo: `acme/${name}`,
      owner: `team-${i % 3}`,
      sources: ['inventory'],
      ...options.serviceExtra?.(name, i),
    })),
    ...options.extra,
  };
  const file = path.join(dir, 'release-ledger.config.yaml');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  await writeInventory(dir, options.inventory);
  return file;
}

export async function writeInventory(dir: string, inventory: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(dir, 'inventory.yaml'), `${JSON.stringify(inventory, null, 2)}\n`);
}

/** A plain inventory: every service at `version(service, env)` in every environment, with a prod approval. */
export function baseInventory(services: readonly string[], version: (service: string, environment: string) => string = () => '1.0.0', deployedAt = '2026-03-01T10:00:00Z') {
  return {
    deployments: services.flatMap((service) =>
      ENVIRONMENTS.map((environment) => {
        const v = version(service, environment);
        return {
          service,
          environment,
          version: v,
          commit: commitOf(`${service}-${v}`),
          deployedAt,
          deployedBy: 'alice',
          approvals: environment === 'prod' ? [{ by: 'bob', at: deployedAt, state: 'approved' }] : [],
        };
      }),
    ),
  };
}

/** Code-point order. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
