/**
 * The `gitops` source: what is *declared* in a GitOps repository. For every
 * service that lists the source and every environment, it resolves the
 * `files` patterns and reads the image tag (Helm values, layered in the order
 * listed as Helm layers `-f` files; Kustomize `images:`; plain manifests;
 * Flux and Argo CD objects; docs/sources.md), and the `configFiles` patterns
 * for config values.
 *
 * - Reads a local clone (`path`, relative to the config file) at `ref`
 *   (default HEAD) through the `git` CLI (`execFile`/`spawn`, never a shell).
 *   Files are read from the commit (`git cat-file --batch` with `REV:./path`),
 *   never from the work tree, so uncommitted edits do not count. All files
 *   are read by one process and dated by one `git log` walk, so 50 services
 *   x 4 environments take about a second, not one process per file.
 * - Only paths listed by `git ls-tree` at that commit are ever read, and
 *   patterns are validated (`collectors/gitops/paths.ts`), so no pattern,
 *   service or environment name can reach outside the repository.
 * - Each value records the GitOps commit it was read at, and who last changed
 *   the file and when (as `git log -1 REV -- file` says): the author's name,
 *   and the committer time (when the change entered the repository).
 * - Or reads `repo` (owner/name) through the GitHub source named in `github`
 *   (its token or App, base URL, throttling and retries): the tree in one
 *   REST request, the files and their last change in batched GraphQL, all
 *   pinned to the commit `ref` resolves to (default: the default branch);
 *   see `openGitHub` for the requests it costs. Both
 *   modes feed the same pure extractors, so the same files give the same
 *   records.
 * - Every failure is a gap for exactly the service and environment it hits.
 *
 * git runs with the environment given to `collect` (`context.env`, for PATH),
 * minus the variables that would point it at another repository (GIT_DIR, …).
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { Collector, Declared, Evidence, Gap, GitOpsSourceConfig, RawConfigRecord, RawValue, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { capStrings } from '../shared/caps.ts';
import { credentialsOf, type Credentials } from '../shared/credentials.ts';
import { decodeUtf8, formatBytes, INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { BudgetExhausted, describeError, scrub, splitRepo } from '../github/index.ts';
import { FILES_PER_QUERY, expandPattern, extractConfigFromDocs, extractConfigValues, extractImageFromDocs, hasWorkloadNamed, gitOpsFilesQuery, isHelmValues, mergeHelmValues, readGitOpsFilesAnswer, selectFiles, treeFiles } from './index.ts';
import type { ChangeAnswer, DeclaredImage, FileAnswer, ImageResult } from './index.ts';
import { parseYamlDocs } from './yaml-docs.ts';
import { postBuildSubstitutions } from './gitops-kinds.ts';
import { isOverlay, kustomize, originOf, type Kustomized, type ReadFile } from './kustomize.ts';
import { batchedQuery } from '../github/batched-query.ts';
import { createGitHubClient, type GitHubClientOptions } from '../github/client/index.ts';

/** Largest file read from the repository (one cap for both modes; src/model/input-limits.ts). */
const MAX_FILE_BYTES = INPUT_LIMITS.sourceFileBytes;
/** Largest output of a git listing (`ls-tree` of a large monorepo runs to megabytes of names). */
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;
/** Variables that would make git read another repository than the one configured. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

type GitResult = { ok: true; stdout: string } | { ok: false; stderr: string };
type Git = (args: string[]) => Promise<GitResult>;

function gitEnv(contextEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(contextEnv)) if (value !== undefined && !REPOSITORY_VARIABLES.includes(key)) env[key] = value;
  return Object.assign(env, { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' });
}

function gitIn(cwd: string, env: Record<string, string>): Git {
  return (args) =>
    new Promise((done) => {
      execFile('git', args, { cwd, env, encoding: 'utf8', maxBuffer: MAX_GIT_OUTPUT_BYTES, windowsHide: true }, (error, stdout, stderr) => {
        if (!error) return done({ ok: true, stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return done({ ok: false, stderr: 'the git command was not found on PATH' });
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return done({ ok: false, stderr: `output larger than ${formatBytes(MAX_GIT_OUTPUT_BYTES)}` });
        done({ ok: false, stderr: firstLine(stderr) || 'git failed' });
      });
    });
}

const firstLine = (text: string) => (text.split('\n').find((l) => l.trim() !== '') ?? '').replace(/^(fatal|error): /, '').trim();

/**
 * The blobs of `files` at `revision`, capped before they are read
 * (docs/guarantees.md, "Bounded input"): one `git cat-file --batch-check`
 * gives each file's object id, type and size; then one `git cat-file --batch`
 * reads, by object id, only the blobs within `INPUT_LIMITS.sourceFileBytes`
 * each and `INPUT_LIMITS.sourceTotalBytes` together, and is stopped if it
 * sends more than those sizes add up to. So a 1.2 GB values.yaml costs a line
 * of output, not its bytes. Two processes in all, not one per file
 * (https://git-scm.com/docs/git-cat-file#_batch_output).
 */
async function readBlobs(cwd: string, env: Record<string, string>, revision: string, files: readonly string[]): Promise<Map<string, GitResult>> {
  const result = new Map<string, GitResult>();
  const asked = files.filter((file) => {
    if (!file.includes('\n')) return true;
    result.set(file, { ok: false, stderr: 'a file name with a line break cannot be read' });
    return false;
  });
  if (asked.length === 0) return result;
  const failAll = (message: string) => {
    for (const file of asked) if (!result.has(file)) result.set(file, { ok: false, stderr: message });
    return result;
  };

  const input = asked.map((file) => `${revision}:./${file}\n`).join('');
  const checked = await catFile(cwd, env, '--batch-check', input, input.length + asked.length * 128);
  if (!checked.ok) return failAll(checked.stderr);
  const lines = checked.stdout.toString('utf8').split('\n');
  const wanted = new Map<string, { size: number; files: string[] }>();
  let total = 0;
  asked.forEach((file, i) => {
    const header = lines[i] ?? '';
    const [, oid, type, size] = /^([0-9a-f]+) (\S+) (\d+)$/.exec(header) ?? [];
    if (!oid || !type || !size) return result.set(file, { ok: false, stderr: header.endsWith(' missing') ? 'not in this commit' : `not readable (${header.slice(-40)})` });
    const length = Number(size);
    if (type !== 'blob') return result.set(file, { ok: false, stderr: `is a ${type}, not a file` });
    if (length > MAX_FILE_BYTES) return result.set(file, { ok: false, stderr: `${formatBytes(length)}, over the ${formatBytes(MAX_FILE_BYTES)} cap on one file a source reads; not read` });
    const known = wanted.get(oid);
    if (known) return known.files.push(file);
    if (total + length > INPUT_LIMITS.sourceTotalBytes) {
      return result.set(file, { ok: false, stderr: `not read: the files this source reads would total more than ${formatBytes(INPUT_LIMITS.sourceTotalBytes)}, the cap on one source; split the patterns over two gitops sources` });
    }
    total += length;
    wanted.set(oid, { size: length, files: [file] });
  });
  if (wanted.size === 0) return failAll('not read');

  // Exactly what --batch sends for these objects: "<oid> blob <size>\n<bytes>\n" each.
  const expected = [...wanted].reduce((sum, [oid, { size }]) => sum + `${oid} blob ${size}\n`.length + size + 1, 0);
  const batch = await catFile(cwd, env, '--batch', [...wanted.keys()].map((oid) => `${oid}\n`).join(''), expected);
  if (!batch.ok) return failAll(batch.stderr);
  const out = batch.stdout;
  let pos = 0;
  for (const [oid, { size, files: named }] of wanted) {
    const end = out.indexOf(0x0a, pos);
    if (end === -1 || out.subarray(pos, end).toString('utf8') !== `${oid} blob ${size}`) break;
    const body = out.subarray(end + 1, end + 1 + size);
    pos = end + 1 + size + 1;
    for (const file of named) {
      const decoded = decodeUtf8(body, file);
      result.set(file, decoded.ok ? { ok: true, stdout: decoded.text } : { ok: false, stderr: withoutFileName(decoded.reason, file) });
    }
  }
  return failAll('git cat-file stopped early');
}

/** `file:3: not UTF-8 …` as `line 3: not UTF-8 …`, for a gap that already names the file. */
function withoutFileName(reason: string, file: string): string {
  const rest = reason.startsWith(file) ? reason.slice(file.length) : reason;
  return rest.replace(/^:(\d+): /, 'line $1: ').replace(/^: /, '');
}

/**
 * `git cat-file MODE` with `input` on stdin; its stdout, or why not. Output
 * past `limit` bytes stops the process: git never sends more than asked, so
 * more means something is wrong, and it must not be buffered.
 */
function catFile(cwd: string, env: Record<string, string>, mode: '--batch' | '--batch-check', input: string, limit: number): Promise<{ ok: true; stdout: Buffer } | { ok: false; stderr: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: { ok: true; stdout: Buffer } | { ok: false; stderr: string }) => {
      if (!settled) resolve(result);
      settled = true;
    };
    const child = spawn('git', ['cat-file', mode], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failure ??= `git cat-file sent more than the ${formatBytes(limit)} asked for`;
        child.kill();
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code === 'ENOENT' ? 'the git command was not found on PATH' : `git failed (${error.code ?? 'error'})`;
      if (error.code === 'ENOENT') done({ ok: false, stderr: failure });
    });
    child.on('close', (code) => {
      if (failure) return done({ ok: false, stderr: failure });
      if (code !== 0 && chunks.length === 0) return done({ ok: false, stderr: firstLine(stderr) || 'git cat-file failed' });
      done({ ok: true, stdout: Buffer.concat(chunks) });
    });
    child.stdin.on('error', () => {}); // git may exit before reading everything; `close` reports it
    child.stdin.end(input);
  });
}

/**
 * Who last changed each of `files` before `revision`, and when: one
 * `git log --name-only` walk, stopped as soon as every file is found (the
 * same answer as `git log -1 REV -- file` per file, in one process).
 */
async function lastChanges(cwd: string, env: Record<string, string>, revision: string, files: readonly string[]): Promise<Map<string, LastChange>> {
  const found = new Map<string, LastChange>();
  // Chunks keep the command line short; :(literal) stops git reading a name as a glob.
  for (let i = 0; i < files.length; i += 500) {
    const wanted = new Set(files.slice(i, i + 500));
    await new Promise<void>((done) => {
      const args = ['-c', 'core.quotePath=false', 'log', '--relative', '--name-only', '--format=%x01%an%x02%ct', revision, '--', ...[...wanted].map((f) => `:(literal)${f}`)];
      const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
      child.on('error', () => done());
      child.on('close', () => done());
      let current: LastChange = {};
      let left = wanted.size;
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line.startsWith('\x01')) {
          const [by, seconds] = line.slice(1).split('\x02');
          current = by && seconds && /^\d+$/.test(seconds) ? { changedBy: by, changedAt: new Date(Number(seconds) * 1000).toISOString() } : {};
        } else if (wanted.has(line) && !found.has(line)) {
          found.set(line, current);
          if (--left === 0) child.kill();
        }
      });
    });
  }
  return found;
}

interface Cell {
  service: string;
  /** Ledger environment name. */
  environment: string;
  /** The source's name for the environment, used in patterns. */
  sourceEnvironment: string;
}

interface LastChange {
  changedBy?: string;
  changedAt?: string;
}

/**
 * How one mode reads the repository at one commit. Both modes feed the same
 * planning and the same pure extractors (`collectors/gitops/`), so the same
 * files give the same records whichever way they were read.
 */
interface Reader {
  /** The files an expanded pattern names at the commit, sorted; `problem` when a folder could not be listed. */
  select(expanded: { path: string; glob: boolean }): Promise<{ files: string[]; problem?: string }>;
  /** Called once with every file the plans need, before any `read` (the local mode reads them all in one git process). */
  prepare(files: readonly string[]): Promise<void>;
  read(file: string): Promise<GitResult>;
  lastChange(file: string): Promise<LastChange | { error: string }>;
}

interface Planned {
  files: { file: string; shared: boolean }[];
  /** The reason when no file matches. */
  none: string;
  /** Folders that could not be listed: the match may be incomplete, so the cell is a gap. */
  failed: string[];
}

/** What the steps of `collectCells` share. */
interface CellRun {
  reader: Reader;
  revision: string;
  /** The revision as shown in messages. */
  short: string;
  /** The source's name. */
  name: string;
  gap: (cell: Cell, kind: string, reason: string) => Gap;
  /** A kustomize overlay rendered, once per run. */
  buildOverlay: (file: string) => Promise<Kustomized>;
  /** What an overlay leaves unresolved that could change what it declares. */
  blocking: (built: Kustomized) => string[];
}

/** Plans every cell, reads what the plans need, and runs the extractors; records and gaps go into `evidence`. */
async function collectCells(evidence: Evidence, settings: GitOpsSourceConfig, name: string, cells: Cell[], revision: string, reader: Reader): Promise<void> {
  const short = revision.slice(0, 12);
  const gap = (cell: Cell, kind: string, reason: string): Gap => ({ source: name, service: cell.service, environment: cell.environment, evidence: kind, reason });

  // Which files each cell needs, then every file read (and dated) once.
  const plans = await Promise.all(
    cells.map(async (cell) => ({
      cell,
      images: await filesFor({ reader, short }, settings.files, cell),
      configs: settings.configFiles.length > 0 ? await filesFor({ reader, short }, settings.configFiles, cell) : null,
    })),
  );
  const needed = [...new Set(plans.flatMap((p) => [...p.images.files, ...(p.configs?.files ?? [])].map((f) => f.file)))].sort();
  await reader.prepare(needed);

  // Kustomize overlays read the files they name (bases, components, patches), each once per run.
  const overlayFiles = new Map<string, Promise<string | null>>();
  const prepared = new Set(needed);
  const readRepoFile: ReadFile = (file) => {
    let pending = overlayFiles.get(file);
    if (!pending) {
      pending = (async () => {
        const selected = await reader.select({ path: file, glob: false });
        if (!selected.files.includes(file)) return null;
        if (!prepared.has(file)) {
          prepared.add(file);
          await reader.prepare([file]);
        }
        const text = await reader.read(file);
        return text.ok ? text.stdout : null;
      })();
      overlayFiles.set(file, pending);
    }
    return pending;
  };
  const overlays = new Map<string, Promise<Kustomized>>();
  const buildOverlay = (file: string): Promise<Kustomized> => {
    let pending = overlays.get(file);
    if (!pending) overlays.set(file, (pending = kustomize(posix.dirname(file), readRepoFile)));
    return pending;
  };
  /** What an overlay leaves unresolved that could change what it declares (a secret generator is never read, by design). */
  const blocking = (built: Kustomized) => built.unresolved.filter((line) => !/secretGenerator is not read/.test(line));
  const run: CellRun = { reader, short, gap, revision, name, buildOverlay, blocking };

  const results = await Promise.all(plans.map(async (plan) => [await declaredFor(run, plan.cell, plan.images), await configFor(run, plan.cell, plan.configs)] as const));
  for (const [declared, config] of results) {
    if ('reason' in declared) evidence.gaps.push(declared);
    else evidence.declared.push(declared);
    if (config && 'reason' in config) evidence.gaps.push(config);
    else if (config) evidence.configs.push(config);
  }
}

/** The files the patterns name for a cell, in pattern order, and the problems met. */
async function filesFor(run: Pick<CellRun, 'reader' | 'short'>, patterns: readonly string[], cell: Cell): Promise<Planned> {
  const { reader, short } = run;
  const files: Planned['files'] = [];
  const problems: string[] = [];
  const failed: string[] = [];
  const wanted: string[] = [];
  for (const pattern of patterns) {
    const expanded = expandPattern(pattern, { environment: cell.sourceEnvironment, service: cell.service });
    if (!expanded.ok) {
      problems.push(expanded.reason);
      continue;
    }
    wanted.push(expanded.path);
    const selected = await reader.select(expanded);
    if (selected.problem) failed.push(selected.problem);
    for (const file of selected.files) {
      if (!files.some((f) => f.file === file)) files.push({ file, shared: !pattern.includes('{service}') });
    }
  }
  const none = problems.length > 0 ? problems.join('; ') : `no file at ${short} matches ${wanted.join(', ')}`;
  return { files, none, failed };
}

/** What a cell declares: the best image among its files, credited to the file that set it; or a gap saying why not. */
async function declaredFor(run: CellRun, cell: Cell, { files, none, failed }: Planned): Promise<Declared | Gap> {
  const { reader, short, gap, revision, name, buildOverlay, blocking } = run;
  if (failed.length > 0) return gap(cell, 'declared', failed.join('; '));
  if (files.length === 0) return gap(cell, 'declared', none);
  const failures: string[] = [];
  // Helm values files merge in the order listed, as `helm -f a -f b` merges them, into one unit at the place of the first (helm-values.ts).
  type Unit = { kind: 'file'; file: string; shared: boolean; docs: unknown[]; origins?: Map<string, string> } | { kind: 'values'; layers: { file: string; values: Record<string, unknown> }[]; shared: boolean };
  const units: Unit[] = [];
  let values: (Unit & { kind: 'values' }) | undefined;
  for (const { file, shared } of files) {
    const text = await reader.read(file);
    if (!text.ok) {
      failures.push(`${file}: cannot read at ${short}: ${text.stderr}`);
      continue;
    }
    const parsed = parseYamlDocs(text.stdout, file, 'failsafe');
    if (!parsed.ok) {
      failures.push(parsed.reason);
      continue;
    }
    if (isOverlay(parsed.docs, file)) {
      // A kustomize overlay is read as `kustomize build` renders it: its bases, components, patches and images (kustomize.ts).
      const built = await buildOverlay(file);
      const unresolved = blocking(built);
      if (unresolved.length === 0) units.push({ kind: 'file', file, shared, docs: built.resources, origins: built.origins });
      else {
        // Not fully resolved: the overlay's own `images:` still decide (kustomize applies them to whatever its bases hold); without them, the cell's gap says what was not resolved.
        units.push({ kind: 'file', file, shared, docs: parsed.docs });
        failures.push(`${file}: the overlay is not fully resolved: ${unresolved.join('; ')}`);
      }
      continue;
    }
    if (isHelmValues(parsed.docs, file)) {
      if (!values) units.push((values = { kind: 'values', layers: [], shared: true }));
      values.layers.push({ file, values: parsed.docs[0] });
      values.shared &&= shared; // one layer named for the service makes the merged values the service's
    } else units.push({ kind: 'file', file, shared, docs: parsed.docs });
  }
  // A layer that could not be read may be the override that sets the version: the merge would be wrong, so it is a gap.
  if (values && failures.length > 0) return gap(cell, 'declared', `${failures.join('; ')} (Helm values are layered: every listed file must be read)`);
  // Flux post-build variables set by any Flux Kustomization among the cell's files apply to the others' images (gitops-kinds.ts).
  const substitutions = postBuildSubstitutions(units.flatMap((u) => (u.kind === 'file' ? u.docs : [])));
  // Every unit is read; the best match wins (an image override or the workload of the service's name over the first image of the first file), then the order listed.
  const MATCH_ORDER = ['override', 'workload', 'named', 'first'];
  let chosen: { file: string; found: DeclaredImage } | undefined;
  for (const unit of units) {
    let file: string;
    let result: ImageResult;
    if (unit.kind === 'file') {
      // A file shared by several services (no {service} in its pattern) must name this one.
      result = extractImageFromDocs(unit.docs, unit.file, cell.service, { fallbackToFirst: !unit.shared, substitutions });
      // From an overlay, the evidence is the file that set the image: a base manifest, or the kustomization whose `images:` changed it.
      file = (result.ok && unit.origins && originOf(unit.origins, result.found.image)) || unit.file;
    } else {
      const layered = mergeHelmValues(unit.layers);
      result = extractImageFromDocs([layered.values], unit.layers.map((l) => l.file).join(' + '), cell.service, { fallbackToFirst: !unit.shared, substitutions });
      // The evidence is the file that set the version (the tag), not the last layer.
      file = (result.ok && result.found.versionPath && layered.origin(result.found.versionPath)) || unit.layers[unit.layers.length - 1]!.file;
    }
    if (!result.ok) {
      failures.push(result.reason);
      continue;
    }
    if (!chosen || MATCH_ORDER.indexOf(result.found.match) < MATCH_ORDER.indexOf(chosen.found.match)) chosen = { file, found: result.found };
  }
  if (chosen) {
    const { file, found } = chosen;
    const change = await reader.lastChange(file);
    if ('error' in change) return gap(cell, 'declared', `${file}: cannot find who last changed it at ${short}: ${change.error}`);
    return {
      service: cell.service,
      environment: cell.environment,
      version: found.tag,
      ...(found.image ? { image: found.image } : {}),
      ...(found.digest ? { artifact: found.digest } : {}),
      file,
      revision,
      ...change,
      source: name,
    };
  }
  return gap(cell, 'declared', failures.join('; '));
}

/** A cell's config record from its config files (layered Helm values merged, overlays rendered), or a gap. */
async function configFor(run: CellRun, cell: Cell, planned: Planned | null): Promise<RawConfigRecord | Gap | null> {
  const { reader, short, gap, revision, name, buildOverlay, blocking } = run;
  if (!planned) return null;
  const { files, none, failed } = planned;
  if (failed.length > 0) return gap(cell, 'config', failed.join('; '));
  if (files.length === 0) return gap(cell, 'config', none);
  const values: Record<string, RawValue> = {};
  let newest: LastChange = {};
  const texts: { file: string; text: string }[] = [];
  for (const { file } of files) {
    const text = await reader.read(file);
    if (!text.ok) return gap(cell, 'config', `${file}: cannot read at ${short}: ${text.stderr}`);
    texts.push({ file, text: text.stdout });
  }
  // Each YAML text parsed once (`.env` and `.properties` files are lines, read by extractConfigValues).
  const parsedTexts = texts.map((t) => ({ ...t, parsed: /\.env$/.test(t.file) || t.file.endsWith('.properties') ? null : parseYamlDocs(t.text, t.file, 'core') }));
  // Several Helm values files: merged as Helm merges them (null deletes, lists replace), then read once.
  const layers = texts.length > 1 && texts.every((t) => /\.(ya?ml|json)$/.test(t.file)) ? parsedTexts : [];
  const helm = layers.flatMap((l) => (l.parsed?.ok && isHelmValues(l.parsed.docs, l.file) ? [{ file: l.file, values: l.parsed.docs[0] }] : []));
  const layered = layers.length > 0 && helm.length === layers.length;
  if (layered) {
    const merged = mergeHelmValues(helm);
    const result = extractConfigFromDocs([merged.values], layers.map((l) => l.file).join(' + '), cell.service);
    if (!result.ok) return gap(cell, 'config', result.reason);
    Object.assign(values, result.values);
  }
  // A workload named like the service in any of the cell's files: only its env is the service's (not a CronJob's beside it).
  const onlyWorkloadNamed = !layered && parsedTexts.some((t) => /\.(ya?ml|json)$/.test(t.file) && t.parsed?.ok === true && hasWorkloadNamed(t.parsed.docs, cell.service));
  for (const { file, text, parsed } of parsedTexts) {
    if (!layered && parsed?.ok && isOverlay(parsed.docs, file)) {
      const built = await buildOverlay(file);
      const unresolved = blocking(built);
      if (unresolved.length > 0) return gap(cell, 'config', `${file}: the overlay is not fully resolved: ${unresolved.join('; ')}`);
      const result = extractConfigFromDocs(built.resources, file, cell.service);
      if (!result.ok) return gap(cell, 'config', result.reason);
      Object.assign(values, result.values);
    } else if (!layered) {
      const result = parsed === null ? extractConfigValues(text, file, cell.service, { onlyWorkloadNamed }) : parsed.ok ? extractConfigFromDocs(parsed.docs, file, cell.service, { onlyWorkloadNamed }) : parsed;
      if (!result.ok) return gap(cell, 'config', result.reason);
      Object.assign(values, result.values); // later patterns override earlier ones
    }
    const change = await reader.lastChange(file);
    if ('error' in change) return gap(cell, 'config', `${file}: cannot find who last changed it at ${short}: ${change.error}`);
    if (change.changedAt && (!newest.changedAt || change.changedAt > newest.changedAt)) newest = change;
  }
  return {
    service: cell.service,
    environment: cell.environment,
    source: name,
    values: Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    origin: files.map((f) => f.file).join(', '),
    revision,
    ...newest,
  };
}

/** Knobs for tests; production uses the defaults. */
export interface GitOpsCollectorOptions {
  /** Passed to the GitHub client of the `repo` mode (retry and rate-limit timing). */
  github?: GitHubClientOptions;
}

/** The gitops collector with production settings. */
export const collectGitOps: Collector<GitOpsSourceConfig> = (context) => createGitOpsCollector()(context);

/** A gitops collector with injected knobs. */
export function createGitOpsCollector(options: GitOpsCollectorOptions = {}): Collector<GitOpsSourceConfig> {
  return async (context) => {
    const { settings, name } = context;
    const evidence: Evidence = emptyEvidence();
    const cells: Cell[] = context.services.flatMap((service) =>
      context.config.environments.map((e) => ({ service: service.name, environment: e.name, sourceEnvironment: settings.environments[e.name] ?? e.name })),
    );
    // Every credential the config reads, for the local mode's git messages; the repo mode's client also knows the tokens it was issued.
    const credentials = credentialsOf(context.config, context.env);
    const failAll = (reason: string) => {
      const safe = scrub(reason, credentials);
      evidence.gaps.push(...cells.map((cell): Gap => ({ source: name, service: cell.service, environment: cell.environment, evidence: 'all', reason: safe })));
      return finish(evidence, context.progress, `${name}: ${safe}`);
    };
    const ref = settings.ref;
    if (ref !== undefined && (ref.startsWith('-') || /[\0\s]/.test(ref))) return failAll(`sources.${name}.ref "${ref}" is not a valid git ref`);
    const mode = settings.path ? await openClone(context, settings.path) : await openGitHub(context, options);
    if (!mode.ok) return failAll(mode.reason);
    await collectCells(evidence, settings, name, cells, mode.revision, mode.reader);
    const counts = `${evidence.declared.length} declared image(s), ${evidence.configs.length} config record(s), ${evidence.gaps.length} gap(s)`;
    const line = `${name}: read ${mode.label} at ${mode.revision.slice(0, 12)}: ${counts}${mode.requests ? `, ${mode.requests()} request(s)` : ''}`;
    let clean = credentials.scrubDeep(evidence);
    if (mode.credentials) clean = mode.credentials.scrubDeep(clean);
    for (const gap of clean.gaps) gap.reason = scrub(gap.reason, credentials);
    // Strings from the repository (or from GitHub, in repo mode) are capped like the GitHub source's (collectors/shared/caps.ts).
    return finish(capStrings(clean), context.progress, line);
  };
}

type Opened = { ok: true; revision: string; reader: Reader; label: string; requests?: () => number; credentials?: Credentials } | { ok: false; reason: string };

/** The local-clone mode: `git` on a clone at `path`, at `ref` (default HEAD). */
async function openClone(context: SourceContext<GitOpsSourceConfig>, path: string): Promise<Opened> {
  const { settings, name } = context;
  const root = resolve(context.configDir, path);
  const where = `GitOps repository "${path}"`;
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) return { ok: false, reason: `${where} not found; clone it there or fix sources.${name}.path` };
  const env = gitEnv(context.env);
  const git = gitIn(root, env);
  const inside = await git(['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) {
    const dubious = inside.stderr.includes('dubious ownership');
    return { ok: false, reason: `${where} ${dubious ? `is refused by git (dubious ownership); add it to safe.directory` : 'is not a git repository'}` };
  }
  const ref = settings.ref ?? 'HEAD';
  const resolved = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (!resolved.ok) return { ok: false, reason: `${where} has no commit at ref "${ref}"${ref === 'HEAD' ? ' (empty repository?)' : ''}` };
  const revision = resolved.stdout.trim();
  const short = revision.slice(0, 12);
  // Paths relative to `path` (git lists the subtree of the current folder when `path` is inside a larger repository).
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', revision]);
  if (!listed.ok) return { ok: false, reason: `${where}: cannot list files at ${short}: ${listed.stderr}` };
  const tree = new Set(listed.stdout.split('\0').filter(Boolean));
  let blobs = new Map<string, GitResult>();
  let changes = new Map<string, LastChange>();
  const reader: Reader = {
    select: async (expanded) => ({ files: selectFiles(expanded, tree) }),
    // Every file read and dated in two git processes.
    // Called again for files an overlay names (kustomize.ts): what was read stays.
    prepare: async (needed) => {
      for (const [file, blob] of await readBlobs(root, env, revision, needed)) blobs.set(file, blob);
      for (const [file, change] of await lastChanges(root, env, revision, needed)) changes.set(file, change);
    },
    read: async (file) => blobs.get(file) ?? { ok: false, stderr: 'not read' },
    lastChange: async (file) => changes.get(file) ?? {},
  };
  return { ok: true, revision, reader, label: path };
}

/** Largest file the contents API returns inline (base64 in the JSON); larger ones come without content. https://docs.github.com/en/rest/repos/contents#get-repository-content */
const CONTENTS_INLINE_BYTES = 1024 * 1024;

type Contents =
  | { kind: 'file'; text: string }
  | { kind: 'dir'; entries: { name: string; type: string }[] }
  | { kind: 'other'; type: string }
  | { kind: 'missing' }
  | { kind: 'error'; reason: string };

/**
 * The `repo` mode: the repository read through the GitHub source named in
 * `github`, with its credentials, base URL, throttling and retries
 * (`createGitHubClient`). Requests:
 *  - 1 to resolve `ref` (default: the default branch) to a commit:
 *    `GET /repos/{o}/{r}/commits?sha=REF&per_page=1`;
 *  - 1 for the commit's whole tree: `GET /repos/{o}/{r}/git/trees/SHA?recursive=1`,
 *    so patterns select files as in a local clone (`**` included);
 *  - 1 GraphQL query per `FILES_PER_QUERY` files the run needs: each file's
 *    text and who changed it last, and when (the author's name and the
 *    committer time, as the local mode); see `collectors/gitops/github-files.ts`.
 * So 500 services × 6 environments (3,000 files) cost about 62 requests, not
 * 6,000. Fallbacks, each only where needed: a tree GitHub cuts (`truncated`,
 * past 100,000 entries) is listed folder by folder through the contents API
 * (`**` unsupported then), and a blob GraphQL truncates is read through the
 * contents API (`GET /repos/{o}/{r}/contents/{path}?ref=SHA`).
 * Everything is asked once per run however many cells share it, at most
 * `concurrency` (of the GitHub source) at a time, within its `maxRequests`.
 */
async function openGitHub(context: SourceContext<GitOpsSourceConfig>, options: GitOpsCollectorOptions): Promise<Opened> {
  const { settings, name } = context;
  const where = `GitOps repository ${settings.repo ?? ''}`;
  const parts = settings.repo ? splitRepo(settings.repo) : null;
  if (!parts) return { ok: false, reason: `sources.${name}.repo "${settings.repo ?? ''}" is not owner/name` };
  const github = settings.github ? context.config.sources[settings.github] : undefined;
  if (!github || github.type !== 'github') return { ok: false, reason: `sources.${name}.github must name a source of type github, which reads ${settings.repo}` };

  if (!github.app && !context.env[github.tokenEnv]) {
    return {
      ok: false,
      reason: `no GitHub token: set ${github.tokenEnv} (read by GitHub source "${settings.github}") to a token with read-only Contents and Metadata permissions on ${settings.repo}, or configure a GitHub App there`,
    };
  }
  // The same client as the GitHub source: its credentials, concurrency, timeouts, rate limits, and the budget and deadline this token shares with it.
  const client = createGitHubClient(github, context, { ...options.github, label: name });
  if (!client.ok) return { ok: false, reason: `${client.reason} (GitHub source "${settings.github}", which reads ${settings.repo})` };
  const { octokit, credentials } = client;
  const { owner, name: repo } = parts;
  const fail = (error: unknown) => describeError(error, credentials);
  const statusOf = (error: unknown) => (error as { status?: unknown }).status;

  // The commit to read: one request, and every later request pins it, so all files come from one commit.
  const refText = settings.ref ? `ref "${settings.ref}"` : 'the default branch';
  let revision: string;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits', { owner, repo, per_page: 1, ...(settings.ref ? { sha: settings.ref } : {}) });
    const sha = Array.isArray(data) ? (data[0] as { sha?: unknown } | undefined)?.sha : undefined;
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) return { ok: false, reason: `${where}: GET /repos/${owner}/${repo}/commits returned a body that is not a list of commits` };
    revision = sha;
  } catch (error) {
    if (statusOf(error) === 409) return { ok: false, reason: `${where} has no commit at ${refText} (empty repository?)` };
    const hint = statusOf(error) === 404 ? ` (no such ref, or the repository is not readable with the credentials of GitHub source "${settings.github}")` : '';
    return { ok: false, reason: `${where}: cannot resolve ${refText}: ${fail(error)}${hint}` };
  }

  const contents = new Map<string, Promise<Contents>>();
  const getContents = (path: string): Promise<Contents> => {
    let pending = contents.get(path);
    if (!pending) {
      pending = octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref: revision }).then(
        ({ data }) => toContents(data as unknown, `GET /repos/${owner}/${repo}/contents/${path}`),
        (error: unknown): Contents => (statusOf(error) === 404 ? { kind: 'missing' } : { kind: 'error', reason: fail(error) }),
      );
      contents.set(path, pending);
    }
    return pending;
  };
  const short = revision.slice(0, 12);

  // The whole tree in one request; GitHub cuts it past 100,000 entries, and then folders are listed one by one.
  let tree: Set<string> | null = null;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: revision, recursive: '1' });
    tree = treeFiles(data);
    if (!tree) context.progress(`${name}: the tree of ${owner}/${repo} at ${short} is too large for one answer; listing folders one by one`);
  } catch (error) {
    if (error instanceof BudgetExhausted) return { ok: false, reason: `${where}: ${fail(error)}` };
    context.progress(`${name}: cannot list the tree of ${owner}/${repo} at ${short} in one request (${fail(error)}); listing folders one by one`);
  }

  // Every needed file and its last change, FILES_PER_QUERY to a GraphQL query.
  const files = new Map<string, FileAnswer>();
  const lastChanges = new Map<string, ChangeAnswer>();
  const queryFiles = async (batch: string[]): Promise<void> => {
    const answer = await batchedQuery(octokit, batch, gitOpsFilesQuery(owner, repo, revision, batch), queryFiles, (file, error) => {
      files.set(file, { kind: 'error', reason: fail(error) });
      lastChanges.set(file, { error: fail(error) });
    });
    if (!answer) return;
    // GitHub's per-file error messages are text from outside: scrubbed before anything keeps them.
    const errors = answer.errors.map((e) => (typeof e.message === 'string' ? { ...e, message: scrub(e.message, credentials) } : e));
    readGitOpsFilesAnswer(answer.data, errors, batch).forEach(({ file, change }, i) => {
      files.set(batch[i]!, file);
      lastChanges.set(batch[i]!, change);
    });
  };

  const reader: Reader = {
    select: async (expanded) => {
      if (tree) return { files: selectFiles(expanded, tree) };
      if (!expanded.glob) {
        const found = await getContents(expanded.path);
        // A read error keeps the file, so the cell's gap says why it could not be read.
        return { files: found.kind === 'file' || found.kind === 'error' ? [expanded.path] : [] };
      }
      // Walk the folders segment by segment, listing only those a glob segment must match in.
      const segments = expanded.path.split('/');
      if (segments.some((segment) => segment.includes('**'))) {
        return { files: [], problem: `"${expanded.path}": ** is not supported when reading through GitHub; use * per folder level, or a local clone (path)` };
      }
      let folders = [''];
      const candidates: string[] = [];
      for (const [i, segment] of segments.entries()) {
        const last = i === segments.length - 1;
        const join = (folder: string) => (folder ? `${folder}/${segment}` : segment);
        if (!picomatch.scan(segment).isGlob) {
          if (last) candidates.push(...folders.map(join));
          else folders = folders.map(join);
          continue;
        }
        const isMatch = picomatch(segment, { dot: false });
        const next: string[] = [];
        for (const folder of folders) {
          const listing = await getContents(folder);
          if (listing.kind === 'error') return { files: [], problem: `cannot list ${folder || 'the repository root'} at ${short}: ${listing.reason}` };
          if (listing.kind !== 'dir') continue;
          for (const entry of listing.entries) {
            if (isMatch(entry.name) && entry.type === (last ? 'file' : 'dir')) next.push(folder ? `${folder}/${entry.name}` : entry.name);
          }
        }
        if (last) candidates.push(...next);
        else folders = next;
      }
      // Fixed segments after a glob were not listed: keep the candidates that exist.
      const exists = await Promise.all(candidates.map(async (file) => ((await getContents(file)).kind === 'missing' ? null : file)));
      return { files: selectFiles(expanded, new Set(exists.filter((f): f is string => f !== null))) };
    },
    prepare: async (needed) => {
      const batches: string[][] = [];
      for (let i = 0; i < needed.length; i += FILES_PER_QUERY) batches.push(needed.slice(i, i + FILES_PER_QUERY));
      await Promise.all(batches.map(queryFiles));
    },
    read: async (file) => {
      const answer = files.get(file);
      // Truncated by GraphQL (or not prepared): the contents API, which returns files up to 1 MB inline.
      if (!answer || answer.kind === 'truncated') return contentsResult(await getContents(file));
      if (answer.kind === 'text') return { ok: true, stdout: answer.text };
      return contentsResult(answer.kind === 'binary' ? { kind: 'error', reason: 'is a binary file' } : answer);
    },
    lastChange: async (file) => lastChanges.get(file) ?? { error: 'not read' },
  };
  return { ok: true, revision, reader, label: `${owner}/${repo}`, requests: client.requests, credentials };
}

/** What `read` gives for a file found (or not) by the contents API. */
function contentsResult(found: Contents): GitResult {
  switch (found.kind) {
    case 'file':
      return { ok: true, stdout: found.text };
    case 'error':
      return { ok: false, stderr: found.reason };
    case 'missing':
      return { ok: false, stderr: 'not in this commit' };
    case 'dir':
      return { ok: false, stderr: 'is a tree, not a file' };
    case 'other':
      return { ok: false, stderr: `is a ${found.type}, not a file` };
  }
}

/** A contents API answer as a file's text, a folder's entries, or why neither. */
function toContents(data: unknown, request: string): Contents {
  const malformed: Contents = { kind: 'error', reason: `${request} returned a body that is not GitHub's contents shape` };
  if (Array.isArray(data)) {
    const entries = data.map((e: unknown) => (typeof e === 'object' && e !== null ? (e as { name?: unknown; type?: unknown }) : {}));
    if (entries.some((e) => typeof e.name !== 'string' || typeof e.type !== 'string')) return malformed;
    return { kind: 'dir', entries: entries as { name: string; type: string }[] };
  }
  if (typeof data !== 'object' || data === null) return malformed;
  const { type, encoding, content, size } = data as { type?: unknown; encoding?: unknown; content?: unknown; size?: unknown };
  if (typeof type !== 'string') return malformed;
  if (type !== 'file') return { kind: 'other', type };
  if (typeof size === 'number' && size > MAX_FILE_BYTES) return { kind: 'error', reason: `larger than ${MAX_FILE_BYTES} bytes` };
  if (encoding === 'none' || (typeof size === 'number' && size > CONTENTS_INLINE_BYTES && content === '')) {
    return { kind: 'error', reason: `larger than ${CONTENTS_INLINE_BYTES} bytes, which the contents API does not return inline; use a local clone (path)` };
  }
  if (encoding !== 'base64' || typeof content !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(content)) return malformed;
  return { kind: 'file', text: Buffer.from(content, 'base64').toString('utf8') };
}

function finish(evidence: Evidence, progress: (message: string) => void, line: string): Evidence {
  const key = (x: { service?: string | undefined; environment?: string | undefined; evidence?: string }) =>
    `${x.service ?? ''}\u0000${x.environment ?? ''}\u0000${x.evidence ?? ''}`;
  const order = <T extends { service?: string; environment?: string; evidence?: string }>(a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  evidence.declared.sort(order);
  evidence.configs.sort(order);
  evidence.gaps.sort(order);
  progress(line);
  return evidence;
}
