/**
 * The `gitops` source: what is *declared* in a GitOps repository. For every
 * service that lists the source and every environment, it resolves the
 * `files` patterns and reads the image tag (Helm values, Kustomize `images:`,
 * plain manifests), and the `configFiles` patterns for config values.
 *
 * - Reads a local clone (`path`, relative to the config file) at `ref`
 *   (default HEAD) through the `git` CLI (`execFile`/`spawn`, never a shell).
 *   Files are read from the commit (`git cat-file --batch` with `REV:./path`),
 *   never from the work tree, so uncommitted edits do not count. All files
 *   are read by one process and dated by one `git log` walk, so 50 services
 *   x 4 environments take about a second, not one process per file.
 * - Only paths listed by `git ls-tree` at that commit are ever read, and
 *   patterns are validated (`src/sources/gitops/paths.ts`), so no pattern,
 *   service or environment name can reach outside the repository.
 * - Each value records the GitOps commit it was read at, and who last changed
 *   the file and when (as `git log -1 REV -- file` says): the author's name,
 *   and the committer time (when the change entered the repository).
 * - `repo` (through the GitHub contents API) is not implemented yet: every
 *   cell gets a gap saying so.
 * - Every failure is a gap for exactly the service and environment it hits.
 *
 * git runs with the environment given to `collect` (`context.env`, for PATH),
 * minus the variables that would point it at another repository (GIT_DIR, …).
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Collector, Declared, Evidence, Gap, GitOpsSourceConfig, RawConfigRecord, RawValue } from '../src/model/index.ts';
import { emptyEvidence } from '../src/model/index.ts';
import { expandPattern, extractConfigValues, extractImage, selectFiles } from '../src/sources/gitops/index.ts';

/** Largest file read from the repository. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
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
      execFile('git', args, { cwd, env, encoding: 'utf8', maxBuffer: MAX_FILE_BYTES, windowsHide: true }, (error, stdout, stderr) => {
        if (!error) return done({ ok: true, stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return done({ ok: false, stderr: 'the git command was not found on PATH' });
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return done({ ok: false, stderr: `larger than ${MAX_FILE_BYTES} bytes` });
        done({ ok: false, stderr: firstLine(stderr) || 'git failed' });
      });
    });
}

const firstLine = (text: string) => (text.split('\n').find((l) => l.trim() !== '') ?? '').replace(/^(fatal|error): /, '').trim();

/**
 * The blobs of `files` at `revision`, through one `git cat-file --batch`
 * process instead of one process per file
 * (https://git-scm.com/docs/git-cat-file#_batch_output).
 */
function readBlobs(cwd: string, env: Record<string, string>, revision: string, files: readonly string[]): Promise<Map<string, GitResult>> {
  const result = new Map<string, GitResult>();
  const asked = files.filter((file) => {
    if (!file.includes('\n')) return true;
    result.set(file, { ok: false, stderr: 'a file name with a line break cannot be read' });
    return false;
  });
  if (asked.length === 0) return Promise.resolve(result);
  return new Promise((done) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const failAll = (message: string) => {
      for (const file of asked) if (!result.has(file)) result.set(file, { ok: false, stderr: message });
      done(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => failAll(error.code === 'ENOENT' ? 'the git command was not found on PATH' : `git failed (${error.code ?? 'error'})`));
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      let pos = 0;
      for (const file of asked) {
        const end = out.indexOf(0x0a, pos);
        if (end === -1) break;
        const header = out.subarray(pos, end).toString('utf8');
        pos = end + 1;
        const [, type, size] = /^\S+ (\S+) (\d+)$/.exec(header) ?? [];
        if (!type || !size) {
          result.set(file, { ok: false, stderr: header.endsWith(' missing') ? 'not in this commit' : `not readable (${header.slice(-40)})` });
          continue;
        }
        const length = Number(size);
        const body = out.subarray(pos, pos + length);
        pos += length + 1;
        if (type !== 'blob') result.set(file, { ok: false, stderr: `is a ${type}, not a file` });
        else if (length > MAX_FILE_BYTES) result.set(file, { ok: false, stderr: `larger than ${MAX_FILE_BYTES} bytes` });
        else result.set(file, { ok: true, stdout: body.toString('utf8') });
      }
      failAll(firstLine(stderr) || 'git cat-file stopped early');
    });
    child.stdin.on('error', () => {}); // git may exit before reading everything; `close` reports it
    child.stdin.end(asked.map((file) => `${revision}:./${file}\n`).join(''));
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

export const collectGitOps: Collector<GitOpsSourceConfig> = async (context) => {
  const { settings, name } = context;
  const evidence: Evidence = emptyEvidence();
  const cells: Cell[] = context.services.flatMap((service) =>
    context.config.environments.map((e) => ({ service: service.name, environment: e.name, sourceEnvironment: settings.environments[e.name] ?? e.name })),
  );
  const gap = (cell: Cell, kind: string, reason: string): Gap => ({ source: name, service: cell.service, environment: cell.environment, evidence: kind, reason });
  const failAll = (reason: string) => {
    evidence.gaps.push(...cells.map((cell) => gap(cell, 'all', reason)));
    return finish(evidence, context.progress, `${name}: ${reason}`);
  };

  if (!settings.path) return failAll('gitops via GitHub API is not supported yet; use a local clone (path)');
  const root = resolve(context.configDir, settings.path);
  const where = `GitOps repository "${settings.path}"`;
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) return failAll(`${where} not found; clone it there or fix sources.${name}.path`);
  const env = gitEnv(context.env);
  const git = gitIn(root, env);
  const inside = await git(['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) {
    const dubious = inside.stderr.includes('dubious ownership');
    return failAll(`${where} ${dubious ? `is refused by git (dubious ownership); add it to safe.directory` : 'is not a git repository'}`);
  }
  const ref = settings.ref ?? 'HEAD';
  if (ref.startsWith('-') || /[\0\s]/.test(ref)) return failAll(`sources.${name}.ref "${ref}" is not a valid git ref`);
  const resolved = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (!resolved.ok) return failAll(`${where} has no commit at ref "${ref}"${ref === 'HEAD' ? ' (empty repository?)' : ''}`);
  const revision = resolved.stdout.trim();
  const short = revision.slice(0, 12);
  // Paths relative to `path` (git lists the subtree of the current folder when `path` is inside a larger repository).
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', revision]);
  if (!listed.ok) return failAll(`${where}: cannot list files at ${short}: ${listed.stderr}`);
  const tree = new Set(listed.stdout.split('\0').filter(Boolean));

  /** The files the patterns name for a cell, in pattern order, and the problems met. */
  const filesFor = (patterns: readonly string[], cell: Cell) => {
    const files: { file: string; shared: boolean }[] = [];
    const problems: string[] = [];
    const wanted: string[] = [];
    for (const pattern of patterns) {
      const expanded = expandPattern(pattern, { environment: cell.sourceEnvironment, service: cell.service });
      if (!expanded.ok) {
        problems.push(expanded.reason);
        continue;
      }
      wanted.push(expanded.path);
      for (const file of selectFiles(expanded, tree)) {
        if (!files.some((f) => f.file === file)) files.push({ file, shared: !pattern.includes('{service}') });
      }
    }
    const none = problems.length > 0 ? problems.join('; ') : `no file at ${short} matches ${wanted.join(', ')}`;
    return { files, none };
  };

  // Which files each cell needs, then every file read and dated in two git processes.
  const plans = cells.map((cell) => ({ cell, images: filesFor(settings.files, cell), configs: settings.configFiles.length > 0 ? filesFor(settings.configFiles, cell) : null }));
  const needed = [...new Set(plans.flatMap((p) => [...p.images.files, ...(p.configs?.files ?? [])].map((f) => f.file)))].sort();
  const blobs = await readBlobs(root, env, revision, needed);
  const changes = await lastChanges(root, env, revision, needed);
  const read = (file: string): GitResult => blobs.get(file) ?? { ok: false, stderr: 'not read' };
  const lastChange = (file: string): LastChange => changes.get(file) ?? {};

  const declaredFor = (cell: Cell, { files, none }: ReturnType<typeof filesFor>): Declared | Gap => {
    if (files.length === 0) return gap(cell, 'declared', none);
    const failures: string[] = [];
    for (const { file, shared } of files) {
      const text = read(file);
      if (!text.ok) {
        failures.push(`${file}: cannot read at ${short}: ${text.stderr}`);
        continue;
      }
      // A file shared by several services (no {service} in its pattern) must name this one.
      const result = extractImage(text.stdout, file, cell.service, { fallbackToFirst: !shared });
      if (!result.ok) {
        failures.push(result.reason);
        continue;
      }
      return {
        service: cell.service,
        environment: cell.environment,
        version: result.found.tag,
        image: result.found.image,
        ...(result.found.digest ? { artifact: result.found.digest } : {}),
        file,
        revision,
        ...lastChange(file),
        source: name,
      };
    }
    return gap(cell, 'declared', failures.join('; '));
  };

  const configFor = (cell: Cell, planned: ReturnType<typeof filesFor> | null): RawConfigRecord | Gap | null => {
    if (!planned) return null;
    const { files, none } = planned;
    if (files.length === 0) return gap(cell, 'config', none);
    const values: Record<string, RawValue> = {};
    let newest: LastChange = {};
    for (const { file } of files) {
      const text = read(file);
      if (!text.ok) return gap(cell, 'config', `${file}: cannot read at ${short}: ${text.stderr}`);
      const result = extractConfigValues(text.stdout, file, cell.service);
      if (!result.ok) return gap(cell, 'config', result.reason);
      Object.assign(values, result.values); // later patterns override earlier ones
      const change = lastChange(file);
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
  };

  for (const plan of plans) {
    const declared = declaredFor(plan.cell, plan.images);
    const config = configFor(plan.cell, plan.configs);
    if ('reason' in declared) evidence.gaps.push(declared);
    else evidence.declared.push(declared);
    if (config && 'reason' in config) evidence.gaps.push(config);
    else if (config) evidence.configs.push(config);
  }
  return finish(
    evidence,
    context.progress,
    `${name}: read ${settings.path} at ${short}: ${evidence.declared.length} declared image(s), ${evidence.configs.length} config record(s), ${evidence.gaps.length} gap(s)`,
  );
};

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
