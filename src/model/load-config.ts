/**
 * Reads `release-ledger.config.yaml` and validates it against `configSchema`.
 * Every failure is a `ConfigError` with one line naming the file, the line
 * and column, the field, what was expected and what was found, e.g.
 *
 *   release-ledger.config.yaml:12:7: services[1].dependsOn.ledger-core: expected a semver range such as ">=2.3.0 <3" or "^1.4", received "banana"
 */
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { configSchema, type Config } from './config.ts';
import { parseYamlWithSchema } from './friendly-errors.ts';
import { INPUT_LIMITS } from './input-limits.ts';
import { readCappedText } from './read-capped.ts';
import { loadReleaseFiles } from './load-releases.ts';

export interface LoadedConfig {
  /** The validated config, defaults applied. */
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of its folder; relative paths in the config resolve against it. */
  dir: string;
  /** Absolute path of the ledger folder (`snapshotsDir` resolved against `dir`). */
  snapshotsDir: string;
}

const TOP = 'a mapping with at least `name` and `environments`';

/** Names references may point at, for "did you mean" on `no service named "…"` and the like. */
const REFERENCES: Record<string, (data: unknown) => string[]> = {
  environment: (data) => namesIn(data, 'environments'),
  service: (data) => namesIn(data, 'services'),
  source: (data) => {
    const sources = (data as { sources?: unknown } | null)?.sources;
    return sources && typeof sources === 'object' ? Object.keys(sources) : [];
  },
};

function namesIn(data: unknown, field: 'environments' | 'services'): string[] {
  const list = (data as Record<string, unknown> | null)?.[field];
  return Array.isArray(list) ? list.map((item) => (item as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string') : [];
}

/**
 * Parses and validates config text. Pure: `file` is only used in messages
 * (show it as the user gave it). Throws `ConfigError`.
 */
export function parseConfig(text: string, file: string): Config {
  const result = parseYamlWithSchema(configSchema, text, file, {
    expectTop: TOP,
    emptyHint: 'run "release-ledger init" for a commented starter',
    maxBytes: INPUT_LIMITS.configBytes,
    references: REFERENCES,
  });
  if (!result.ok) throw new ConfigError(result.message, file);
  return result.data;
}

/**
 * Reads and validates the config at `file` (relative to `cwd`, default the
 * process's). Messages show `file` as given, so they match what the user typed.
 */
export async function loadConfig(file: string, options: { cwd?: string } = {}): Promise<LoadedConfig> {
  const absolute = path.resolve(options.cwd ?? process.cwd(), file);
  let read;
  try {
    // Size checked before reading (docs/guarantees.md, "Bounded input").
    read = await readCappedText(absolute, file, {
      bytes: INPUT_LIMITS.configBytes,
      what: 'a config file',
      advice: 'check that --config names the release-ledger config',
    });
  } catch (error) {
    throw new ConfigError(readFailure(file, error), file, { cause: error });
  }
  if (!read.ok) throw new ConfigError(read.reason, file);
  const parsed = parseConfig(read.text, file);
  const dir = path.dirname(absolute);
  // Release files beside the config (docs/releases.md) join `releases`, so the snapshot records them as configured.
  const config = parsed.releasesDir ? { ...parsed, releases: [...parsed.releases, ...(await loadReleaseFiles(parsed, dir, file))] } : parsed;
  return { config, file: absolute, dir, snapshotsDir: path.resolve(dir, config.snapshotsDir) };
}

function readFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `${file}: no such config file; create one with "release-ledger init", or point to yours with --config PATH`;
    case 'EISDIR':
      return `${file}: is a folder, not a config file; point --config at the YAML file inside it (e.g. ${path.join(file, 'release-ledger.config.yaml')})`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: cannot be read (permission denied); make it readable by this user`;
    default:
      return `${file}: cannot be read (${code ?? 'unknown error'}); check the path given to --config`;
  }
}
