/**
 * A deterministic synthetic ledger at scale, and what it costs.
 *
 *   node --import tsx scripts/bench-ledger.ts --days 1095 --services 500 --envs 6 --out /tmp/ledger [--seed 1] [--direct]
 *
 * Writes `<out>/release-ledger.config.yaml` and `<out>/content/snapshots/`:
 * one snapshot a day at 02:00 UTC, every one schema-valid and hash-chained,
 * built in memory from a seeded PRNG (same arguments, same bytes). Each day a
 * few services release to the lowest environment and releases move up the
 * path; production deployments carry approvals; every service has ~10 config
 * keys per environment (two of them secrets, stored redacted); changes list
 * the pull requests behind each new deployment; a few findings a day.
 *
 * Snapshots go through `appendSnapshot` (schema check, chain check against
 * the head, atomic write) unless `--direct`, which writes the same bytes with
 * `serializeSnapshot` and keeps the chain hash in memory — the generator is
 * then not measuring the store. `verify` afterwards checks either.
 *
 * Then measures: generation time, snapshot sizes (mean bytes, mean gzipped),
 * `verify` over the whole ledger and `show --at` (both through the CLI,
 * in-process). `generateLedger` is exported for the site benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { main } from '../src/cli/index.ts';
import { appendSnapshot, canonicalJson, serializeSnapshot, sha256Hex, snapshotIdFor } from '../src/ledger/index.ts';
import type { Snapshot } from '../src/model/snapshot.ts';
import { RULES_VERSION } from '../src/rules/index.ts';

export interface GenerateOptions {
  days: number;
  services: number;
  environments: number;
  /** Ledger root: the config goes here, snapshots to `content/snapshots/`. Emptied first. */
  outDir: string;
  seed?: number;
  /** First day, `YYYY-MM-DD` (default 2023-01-01). */
  startDate?: string;
  /** Write with `serializeSnapshot` instead of `appendSnapshot` (see the file comment). */
  direct?: boolean;
  /** Called after each day (progress). */
  onDay?: (day: number, id: string) => void;
  /**
   * The first `kept` days are already in `outDir`, written by this generator with the same
   * options and seed: they are generated again in memory (the state and the random sequence
   * must run through them) but not written, and the folder is not emptied (the bench extends a
   * kept ledger by a day this way).
   */
  kept?: number;
}

export interface GenerateResult {
  configFile: string;
  snapshotsDir: string;
  ids: string[];
  head: { id: string; sha256: string };
  /** Wall time of the generation, milliseconds. */
  ms: number;
  /** Sum of the snapshot files' sizes. */
  bytes: number;
}

/** mulberry32: small, fast, good enough for synthetic data; same seed, same sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENVIRONMENT_NAMES = ['dev', 'test', 'qa', 'staging', 'preprod', 'prod', 'dr', 'perf', 'sandbox', 'canary'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter'];
const TEAMS = ['payments', 'checkout', 'identity', 'ledger', 'risk', 'search', 'catalog', 'notify', 'platform', 'data', 'mobile', 'growth'];
const WORDS = ['cache', 'retry', 'timeout', 'schema', 'index', 'login', 'refund', 'export', 'metrics', 'logging', 'pagination', 'webhook', 'currency', 'rounding', 'locale'];
const LIBRARIES = ['core-lib', 'auth-client', 'http-kit', 'metrics-lib'];

const commitOf = (label: string) => createHash('sha1').update(label).digest('hex');
const secretHash = (label: string) => createHash('sha256').update(label).digest('hex');
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

interface Cell {
  version: number;
  at: number;
  by: string;
  /** When each version was first seen in this environment (for promotion evidence). */
  firstSeen: Map<number, number>;
}

function configYaml(name: string, environments: string[], services: string[], owners: string[], deps: string[][]): string {
  const lines = [
    '# Synthetic ledger written by scripts/bench-ledger.ts (deterministic).',
    `name: ${name}`,
    'environments:',
    ...environments.map((e, i) => `  - { name: ${e}${i === environments.length - 1 ? ', production: true, requiredApprovals: 1' : i === environments.length - 2 ? ', requiredApprovals: 1' : ''} }`),
    'sources:',
    '  github: { type: github }',
    'services:',
    ...LIBRARIES.map((l) => `  - { name: ${l}, kind: library, repo: example/${l}, owner: team-platform }`),
    ...services.map(
      (s, i) =>
        `  - { name: ${s}, repo: example/${s}, owner: team-${owners[i]}, sources: [github], dependsOn: { ${deps[i]!.map((d) => `${d}: "^1.0.0"`).join(', ')} }, envSpecificKeys: [LOG_LEVEL, REPLICAS, DATABASE_URL, DB_PASSWORD, API_TOKEN] }`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** A deployment's approver, fixed for that deployment (a snapshot records the same approval every day it runs). */
function approverOf(service: string, environment: string, version: number): string {
  return PEOPLE[Number.parseInt(commitOf(`${service}@${environment}@${version}`).slice(0, 8), 16) % PEOPLE.length]!;
}

export async function generateLedger(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const environments = ENVIRONMENT_NAMES.slice(0, Math.max(1, Math.min(options.environments, ENVIRONMENT_NAMES.length)));
  if (options.environments > ENVIRONMENT_NAMES.length) throw new RangeError(`at most ${ENVIRONMENT_NAMES.length} environments`);
  const E = environments.length;
  const serviceNames = Array.from({ length: options.services }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  const owners = serviceNames.map(() => pick(TEAMS));
  const deps = serviceNames.map(() => LIBRARIES.filter(() => random() < 0.4));

  const snapshotsDir = path.join(options.outDir, 'content', 'snapshots');
  const kept = options.kept ?? 0;
  if (kept === 0) await rm(options.outDir, { recursive: true, force: true });
  await mkdir(snapshotsDir, { recursive: true });
  const configFile = path.join(options.outDir, 'release-ledger.config.yaml');
  // A kept ledger has its config (the same bytes).
  if (kept === 0) await writeFile(configFile, configYaml('Synthetic Org', environments, serviceNames, owners, deps));

  const environmentConfigs = environments.map((name, i) => ({
    name,
    production: i === E - 1,
    requiredApprovals: i >= E - 2 && E > 1 ? 1 : 0,
  }));
  const serviceConfigs = [
    ...LIBRARIES.map((name) => ({ name, repo: `example/${name}`, owner: 'team-platform', kind: 'library' as const, sources: [], dependsOn: {}, versionUrl: {}, configFiles: {}, envSpecificKeys: [], secretKeys: [] })),
    ...serviceNames.map((name, i) => ({
      name,
      repo: `example/${name}`,
      owner: `team-${owners[i]}`,
      kind: 'service' as const,
      sources: ['github'],
      dependsOn: Object.fromEntries(deps[i]!.map((d) => [d, '^1.0.0'])),
      versionUrl: {},
      configFiles: {},
      envSpecificKeys: ['LOG_LEVEL', 'REPLICAS', 'DATABASE_URL', 'DB_PASSWORD', 'API_TOKEN'],
      secretKeys: [],
    })),
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  const policies = {
    maxDriftDays: 14,
    secretKeys: ['*password*', '*passwd*', '*secret*', '*token*', '*api_key*', '*apikey*', '*private_key*', '*credential*', '*_key'],
    ticketPattern: '[A-Z][A-Z0-9]+-[0-9]+',
    rules: {},
  };

  // State: every service starts with version 1 everywhere, deployed a year before the first day.
  const start = Date.parse(`${options.startDate ?? '2023-01-01'}T02:00:00Z`);
  const cells = serviceNames.map(() =>
    environments.map((): Cell => ({ version: 1, at: start - 365 * 86_400_000, by: 'ci-bot', firstSeen: new Map([[1, start - 365 * 86_400_000]]) })),
  );
  const libVersions = Object.fromEntries(LIBRARIES.map((l) => [l, 1]));
  let prNumber = 1000;
  /** Per service: each version made, with the pull requests it brought. */
  const versionPrs: [number, Snapshot['changes'][number]['pullRequests']][][] = serviceNames.map(() => []);
  const findingSince = new Map<string, string>();

  let previous: { id: string; sha256: string } | null = null;
  const ids: string[] = [];
  let bytes = 0;
  for (let day = 0; day < options.days; day++) {
    const takenAt = start + day * 86_400_000;
    const id = snapshotIdFor(new Date(takenAt));
    const changes: Snapshot['changes'] = [];
    if (random() < 0.02) libVersions[pick(LIBRARIES)]! += 1;

    // Releases: a few new versions enter the lowest environment; versions move up one step at a time.
    for (const [s, name] of serviceNames.entries()) {
      const row = cells[s]!;
      for (let e = E - 1; e >= 0; e--) {
        const cell = row[e]!;
        const source = e === 0 ? null : row[e - 1]!;
        const promote = e === 0 ? random() < 0.04 : source!.version > cell.version && random() < 0.25;
        if (!promote) continue;
        const from = cell.version;
        const at = takenAt - Math.floor(random() * 20 * 3_600_000) - 3_600_000;
        // Occasionally a hotfix goes straight to an upper environment (a bypass finding).
        const hotfix = e > 0 && random() < 0.01;
        cell.version = e === 0 || hotfix ? cell.version + (hotfix ? 1000 : 1) : source!.version;
        if (e === 0) cell.version = Math.max(cell.version, from + 1);
        cell.at = at;
        cell.by = e === 0 ? 'ci-bot' : pick(PEOPLE);
        if (!cell.firstSeen.has(cell.version)) cell.firstSeen.set(cell.version, at);
        // A new version (in the first environment, or a hotfix) brings its own pull requests; a promotion
        // carries those of every version it moves past, as GitHub's compare of the two commits would.
        let made: Snapshot['changes'][number]['pullRequests'] = [];
        if (e === 0 || hotfix) {
          made = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
            const ticket = `${owners[s]!.toUpperCase().slice(0, 3)}-${100 + Math.floor(random() * 900)}`;
            return {
              number: ++prNumber,
              title: `${ticket} ${pick(WORDS)}: fix ${pick(WORDS)} ${pick(WORDS)}`,
              author: pick(PEOPLE),
              mergedBy: pick(PEOPLE),
              mergedAt: iso(at - 3_600_000),
              reviewers: [pick(PEOPLE)],
              branch: `${hotfix ? 'hotfix' : 'feature'}/${ticket.toLowerCase()}`,
            };
          });
          versionPrs[s]!.push([cell.version, made]);
        }
        // A hotfix brings only its own; a promotion the pull requests of every version it moves past.
        const prs = hotfix ? made : versionPrs[s]!.filter(([v]) => v > from && v <= cell.version).flatMap(([, list]) => list);
        changes.push({
          service: name,
          environment: environments[e]!,
          commit: commitOf(`${name}@${cell.version}`),
          version: `1.${cell.version}.0`,
          fromCommit: commitOf(`${name}@${from}`),
          fromVersion: `1.${from}.0`,
          deployedAt: iso(at),
          pullRequests: prs,
          tickets: [...new Set(prs.map((p) => p.title.split(' ')[0]!))].sort(),
          source: 'github',
        });
      }
    }

    const deployments: Snapshot['deployments'] = [];
    const configs: Snapshot['configs'] = [];
    for (const [s, name] of serviceNames.entries()) {
      for (const [e, env] of environments.entries()) {
        const cell = cells[s]![e]!;
        const commit = commitOf(`${name}@${cell.version}`);
        const sightings = environments.slice(0, e + 1).map((pathEnv, k) => {
          const seen = cells[s]![k]!.firstSeen.get(cell.version);
          return seen === undefined ? null : { environment: pathEnv, at: iso(seen), source: 'github' };
        });
        const previousSighting = e === 0 ? null : sightings[e - 1]!;
        const approvalsNeeded = environmentConfigs[e]!.requiredApprovals;
        deployments.push({
          service: name,
          environment: env,
          version: `1.${cell.version}.0`,
          commit,
          ref: `refs/tags/v1.${cell.version}.0`,
          deployedAt: iso(cell.at),
          deployedBy: cell.by,
          source: 'github',
          url: `https://github.com/example/${name}/deployments/${env}`,
          status: 'success',
          approvals:
            approvalsNeeded > 0
              ? [{ by: approverOf(name, env, cell.version), at: iso(cell.at - 300_000), state: 'approved' as const, kind: 'deployment' as const, url: `https://github.com/example/${name}/actions/runs/${cell.version}` }]
              : [],
          components: Object.fromEntries(deps[s]!.map((d) => [d, `1.${libVersions[d]}.0`])),
          promotion: { previousEnvironment: e === 0 ? null : environments[e - 1]!, previous: previousSighting, path: sightings.filter((x) => x !== null) },
        });
        configs.push({
          service: name,
          environment: env,
          source: 'github',
          origin: 'github:variables',
          values: {
            LOG_LEVEL: e === E - 1 ? 'warn' : 'debug',
            REPLICAS: e === E - 1 ? 6 : 2,
            DATABASE_URL: `postgres://db.${env}.internal:5432/${name}`,
            DB_PASSWORD: { redacted: true, sha256: secretHash(`${name}/${env}/db`) },
            API_TOKEN: { redacted: true, sha256: secretHash(`${name}/${env}/api/${Math.floor(day / 90)}`) },
            FEATURE_NEW_CHECKOUT: (s + e) % 3 === 0,
            TIMEOUT_MS: 3000,
            CACHE_TTL_SECONDS: 300,
            REGION: 'eu-west-1',
            MAX_CONNECTIONS: 50,
          },
        });
      }
    }

    // A few findings a day: version drift between the two highest environments, the odd bypass.
    const findings: Snapshot['findings'] = [];
    for (const [s, name] of serviceNames.entries()) {
      const row = cells[s]!;
      if (E >= 2 && row[E - 1]!.version !== row[E - 2]!.version && takenAt - row[E - 1]!.at > 14 * 86_400_000 && s % 7 === day % 7) {
        const fid = `drift.version/${name}/${environments[E - 1]}`;
        if (!findingSince.has(fid)) findingSince.set(fid, iso(takenAt));
        findings.push({
          id: fid,
          rule: 'drift.version',
          severity: 'medium',
          service: name,
          environment: environments[E - 1]!,
          message: `${name} has run 1.${row[E - 1]!.version}.0 in ${environments[E - 1]} while ${environments[E - 2]} runs 1.${row[E - 2]!.version}.0 for more than 14 days.`,
          resolution: `Promote 1.${row[E - 2]!.version}.0 to ${environments[E - 1]}, or record an exception.`,
          evidence: { lower: `1.${row[E - 2]!.version}.0`, higher: `1.${row[E - 1]!.version}.0`, since: iso(row[E - 1]!.at) },
          since: findingSince.get(fid)!,
        });
      }
      if (row.some((c) => c.version > 1000) && s % 11 === day % 11) {
        const fid = `promotion.bypass/${name}/${environments[E - 1]}`;
        if (!findingSince.has(fid)) findingSince.set(fid, iso(takenAt));
        findings.push({
          id: fid,
          rule: 'promotion.bypass',
          severity: 'high',
          service: name,
          environment: environments[E - 1]!,
          message: `${name} reached an upper environment without passing the one before it.`,
          resolution: 'Deploy the commit to the previous environment first, or record an exception.',
          evidence: { commit: commitOf(`${name}@${row[E - 1]!.version}`) },
          since: findingSince.get(fid)!,
        });
      }
    }

    const snapshot: Snapshot = {
      schemaVersion: 1,
      id,
      takenAt: iso(takenAt),
      generator: { name: 'release-ledger', version: 'bench', rulesVersion: RULES_VERSION },
      previous,
      name: 'Synthetic Org',
      environments: environmentConfigs,
      services: serviceConfigs,
      policies,
      exceptions: [],
      sources: [{ name: 'github', type: 'github' }],
      deployments,
      observed: [],
      declared: [],
      configs,
      // One service in ten keeps a release branch, which moves about once a month.
      branches: serviceNames
        .filter((_, s) => s % 10 === 0)
        .map((name, k) => {
          const month = Math.floor((day + k) / 30);
          return { service: name, name: 'release/1.x', aheadBy: month % 3, behindBy: 3, lastCommitAt: iso(start + (month * 30 - k - 1) * 86_400_000), source: 'github' };
        }),
      changes: changes.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.environment < b.environment ? -1 : 1)),
      gaps: [],
      findings: findings.sort((a, b) => (a.id < b.id ? -1 : 1)),
    };

    if (day < kept) {
      // Already written: its chain hash from the file, which must be this day's.
      const file = path.join(snapshotsDir, `${id}.json`);
      if (day === kept - 1) previous = { id, sha256: sha256Hex(canonicalJson(JSON.parse(await readFile(file, 'utf8')))) };
      bytes += (await stat(file)).size;
    } else if (options.direct) {
      const text = serializeSnapshot(snapshot);
      await writeFile(path.join(snapshotsDir, `${id}.json`), text, { flag: 'wx' });
      previous = { id, sha256: sha256Hex(canonicalJson(JSON.parse(text))) };
      bytes += Buffer.byteLength(text);
    } else {
      const written = await appendSnapshot(snapshotsDir, snapshot);
      previous = { id, sha256: written.sha256 };
      bytes += (await stat(written.file)).size;
    }
    ids.push(id);
    options.onDay?.(day, id);
  }
  return { configFile, snapshotsDir, ids, head: previous!, ms: performance.now() - started, bytes };
}

/** `--name value` and bare `--flag` pairs; shared by the bench scripts. */
export function parseFlags(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[arg.slice(2)] = true;
    else {
      out[arg.slice(2)] = next;
      i++;
    }
  }
  return out;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timeCli(argv: string[], cwd: string): Promise<{ ms: number; code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const t = performance.now();
  const code = await main(argv, { env: {}, cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { ms: performance.now() - t, code, stdout, stderr };
}

async function cli(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const known = new Set(['days', 'services', 'envs', 'out', 'seed', 'direct', 'start']);
  for (const key of Object.keys(flags)) if (!known.has(key)) throw new Error(`unknown flag --${key} (known: ${[...known].map((k) => `--${k}`).join(' ')})`);
  const num = (key: string, fallback: number) => {
    const value = flags[key] === undefined ? fallback : Number(flags[key]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} must be a positive whole number`);
    return value;
  };
  const days = num('days', 1095);
  const services = num('services', 500);
  const environments = num('envs', 6);
  const outDir = path.resolve(typeof flags.out === 'string' ? flags.out : path.join('/tmp', `release-ledger-bench-${days}x${services}x${environments}`));
  const rssStart = process.memoryUsage().rss;
  let peakRss = rssStart;
  const result = await generateLedger({
    days,
    services,
    environments,
    outDir,
    seed: num('seed', 1),
    startDate: typeof flags.start === 'string' ? flags.start : undefined,
    direct: flags.direct === true,
    onDay: (day) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if ((day + 1) % 50 === 0) process.stderr.write(`  ${day + 1}/${days} days\n`);
    },
  });

  // Gzipped size from a sample: every file for small ledgers, ~40 evenly spaced for large ones.
  const files = (await readdir(result.snapshotsDir)).filter((f) => f.endsWith('.json')).sort();
  const step = Math.max(1, Math.floor(files.length / 40));
  let sampled = 0;
  let gz = 0;
  let raw = 0;
  for (let i = 0; i < files.length; i += step) {
    const bytes = await readFile(path.join(result.snapshotsDir, files[i]!));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 6 }).length;
    sampled++;
  }

  const verify = await timeCli(['verify', '--config', result.configFile], outDir);
  const middle = result.ids[Math.floor(result.ids.length / 2)]!.slice(0, 10);
  const show = await timeCli(['show', '--config', result.configFile, '--at', middle], outDir);
  const showEnv = await timeCli(['show', '--config', result.configFile, '--at', middle, '--env', 'prod', '--json'], outDir);

  const report = {
    shape: { days, services, environments, direct: flags.direct === true },
    out: outDir,
    generation: { seconds: result.ms / 1000, perDayMs: result.ms / days, peakRssMB: peakRss / 1024 / 1024 },
    size: {
      ledgerBytes: result.bytes,
      meanSnapshotBytes: result.bytes / files.length,
      meanSnapshotGzipBytes: gz / sampled,
      gzipRatio: raw / gz,
    },
    verify: { seconds: verify.ms / 1000, code: verify.code, out: (verify.stdout || verify.stderr).trim() },
    show: { at: middle, seconds: show.ms / 1000, code: show.code, envJsonSeconds: showEnv.ms / 1000 },
  };
  process.stdout.write(
    [
      `ledger ${days} days × ${services} services × ${environments} environments → ${outDir}`,
      `generation   ${seconds(result.ms)} (${report.generation.perDayMs.toFixed(0)} ms/day, ${flags.direct === true ? 'direct write' : 'appendSnapshot'}), peak RSS ${mb(peakRss)}`,
      `size         ${mb(result.bytes)} on disk; mean snapshot ${kb(report.size.meanSnapshotBytes)}, gzipped ${kb(report.size.meanSnapshotGzipBytes)} (×${report.size.gzipRatio.toFixed(1)})`,
      `verify       ${seconds(verify.ms)} (exit ${verify.code}): ${report.verify.out.split('\n')[0]}`,
      `show --at    ${seconds(show.ms)} (exit ${show.code}, ${middle}); --env prod --json ${seconds(showEnv.ms)}`,
      '',
      JSON.stringify(report),
      '',
    ].join('\n'),
  );
  if (verify.code !== 0 || show.code !== 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await cli();
}
