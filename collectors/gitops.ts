/**
 * The `gitops` source: what is *declared* in a GitOps repository. For every
 * service that lists the source and every environment, it resolves the
 * `files` patterns and reads the image tag (Helm values, Kustomize `images:`,
 * plain manifests), and the `configFiles` patterns for config values.
 *
 * - Reads a local clone (`path`, relative to the config file) at `ref`
 *   (default HEAD) through the `git` CLI with `execFile` (no shell). Files are
 *   read from the commit (`git cat-file blob REV:./path`), never from the work
 *   tree, so uncommitted edits do not count.
 * - Only paths listed by `git ls-tree` at that commit are ever read, and
 *   patterns are validated (`src/sources/gitops/paths.ts`), so no pattern,
 *   service or environment name can reach outside the repository.
 * - Each value records the GitOps commit it was read at, and who last changed
 *   the file and when (`git log -1 REV -- file`): the author's name, and the
 *   committer time (when the change entered the repository).
 * - `repo` (through the GitHub contents API) is not implemented yet: every
 *   cell gets a gap saying so.
 * - Every failure is a gap for exactly the service and environment it hits.
 *
 * git runs with the environment given to `collect` (`context.env`, for PATH),
 * minus the variables that would point it at another repository (GIT_DIR, …).
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Collector, Declared, Evidence, Gap, GitOpsSourceConfig, RawConfigRecord, RawValue } from '../src/model/index.ts';
import { emptyEvidence } from '../src/model/index.ts';
import { mapLimit } from '../src/sources/pool.ts';
import { expandPattern, extractConfigValues, extractImage, selectFiles } from '../src/sources/gitops/index.ts';

/** Largest file read from the repository. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** git processes at once. */
const CONCURRENCY = 4;
/** Variables that would make git read another repository than the one configured. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

type GitResult = { ok: true; stdout: string } | { ok: false; stderr: string };
type Git = (args: string[]) => Promise<GitResult>;

function gitIn(cwd: string, contextEnv: Readonly<Record<string, string | undefined>>): Git {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(contextEnv)) if (value !== undefined && !REPOSITORY_VARIABLES.includes(key)) env[key] = value;
  Object.assign(env, { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' });
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
  const git = gitIn(root, context.env);
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

  const contents = new Map<string, Promise<GitResult>>();
  const read = (file: string) => {
    if (!contents.has(file)) contents.set(file, git(['cat-file', 'blob', `${revision}:./${file}`]));
    return contents.get(file)!;
  };
  const changes = new Map<string, Promise<LastChange>>();
  const lastChange = (file: string) => {
    if (!changes.has(file)) {
      changes.set(
        file,
        git(['log', '-1', '--format=%an%x00%ct', revision, '--', `./${file}`]).then((r): LastChange => {
          const [by, seconds] = r.ok ? r.stdout.trim().split('\0') : [];
          if (!by || !seconds || !/^\d+$/.test(seconds)) return {};
          return { changedBy: by, changedAt: new Date(Number(seconds) * 1000).toISOString() };
        }),
      );
    }
    return changes.get(file)!;
  };

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

  const declaredFor = async (cell: Cell): Promise<Declared | Gap> => {
    const { files, none } = filesFor(settings.files, cell);
    if (files.length === 0) return gap(cell, 'declared', none);
    const failures: string[] = [];
    for (const { file, shared } of files) {
      const text = await read(file);
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
        ...(await lastChange(file)),
        source: name,
      };
    }
    return gap(cell, 'declared', failures.join('; '));
  };

  const configFor = async (cell: Cell): Promise<RawConfigRecord | Gap | null> => {
    if (settings.configFiles.length === 0) return null;
    const { files, none } = filesFor(settings.configFiles, cell);
    if (files.length === 0) return gap(cell, 'config', none);
    const values: Record<string, RawValue> = {};
    let newest: LastChange = {};
    for (const { file } of files) {
      const text = await read(file);
      if (!text.ok) return gap(cell, 'config', `${file}: cannot read at ${short}: ${text.stderr}`);
      const result = extractConfigValues(text.stdout, file, cell.service);
      if (!result.ok) return gap(cell, 'config', result.reason);
      Object.assign(values, result.values); // later patterns override earlier ones
      const change = await lastChange(file);
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

  const results = await mapLimit(cells, CONCURRENCY, async (cell) => [await declaredFor(cell), await configFor(cell)] as const);
  for (const [declared, config] of results) {
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
