/**
 * `releasesDir`: a folder of release files beside the config, each
 * `releases: [...]` (docs/releases.md), validated like the config itself:
 * every failure is one line naming the file, the line and the field. Files are
 * read in name order; each is capped like a config file.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { releaseFileSchema, type Config, type ReleaseConfig } from './config.ts';
import { parseYamlWithSchema } from './friendly-errors.ts';
import { INPUT_LIMITS } from './input-limits.ts';
import { readCappedText } from './read-capped.ts';

/** How many release files one folder may hold. */
const MAX_FILES = 1000;

/** The releases of `config.releasesDir` (resolved against `dir`); `shownDir` is how messages name the folder. */
export async function loadReleaseFiles(config: Config, dir: string, configShown: string): Promise<ReleaseConfig[]> {
  if (!config.releasesDir) return [];
  const folder = path.resolve(dir, config.releasesDir);
  const shownDir = path.join(path.dirname(configShown), config.releasesDir);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${configShown}: releasesDir: ${shownDir} ${code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? 'error'})`}; create it or correct the path`, configShown, { cause: error });
  }
  if (names.length > MAX_FILES) throw new ConfigError(`${shownDir}: ${names.length} release files, more than ${MAX_FILES}; keep several releases in one file`, configShown);
  const known = {
    services: new Set(config.services.map((s) => s.name)),
    environments: new Set(config.environments.map((e) => e.name)),
    taken: new Set(config.releases.map((r) => r.name)),
  };
  const out: ReleaseConfig[] = [];
  for (const name of names) {
    const shown = path.join(shownDir, name);
    const read = await readCappedText(path.join(folder, name), shown, { bytes: INPUT_LIMITS.configBytes, what: 'a release file', advice: 'split it into several files' }).catch(
      (error: unknown) => ({ ok: false as const, reason: `${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` }),
    );
    if (!read.ok) throw new ConfigError(read.reason, shown);
    const parsed = parseYamlWithSchema(releaseFileSchema(known), read.text, shown, {
      expectTop: 'a mapping with `releases:` (a list of releases)',
      maxBytes: INPUT_LIMITS.configBytes,
      references: { service: () => [...known.services], environment: () => [...known.environments] },
    });
    if (!parsed.ok) throw new ConfigError(parsed.message, shown);
    for (const r of parsed.data.releases) known.taken.add(r.name);
    out.push(...parsed.data.releases);
  }
  return out;
}
