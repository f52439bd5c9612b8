/**
 * The `file` source: a declared inventory in YAML for systems with no API.
 * `path` (relative to the config folder) is one file, or a folder whose
 * `*.yaml` / `*.yml` files (not hidden, not in sub-folders) are read in
 * code-point order of their names and merged.
 *
 * This file only finds and reads files; what they mean is decided by the
 * plain functions in `src/sources/inventory.ts` (see the rules there). It
 * never throws: a missing path or a bad file is a recorded gap.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Collector, FileSourceConfig } from '../src/model/index.ts';
import { emptyEvidence } from '../src/model/index.ts';
import { inventoryEvidence, type InventoryFile } from '../src/sources/inventory.ts';

export const collectFile: Collector<FileSourceConfig> = async (context) => {
  const root = path.resolve(context.configDir, context.settings.path);
  const shown = (file: string) => path.relative(context.configDir, file).split(path.sep).join('/') || '.';
  const label = shown(root);
  const gapAll = (reason: string) => {
    const evidence = emptyEvidence();
    evidence.gaps.push({ source: context.name, evidence: 'all', reason });
    return evidence;
  };

  let names: string[];
  try {
    const info = await stat(root);
    names = info.isDirectory()
      ? (await readdir(root, { withFileTypes: true }))
          .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name) && !entry.name.startsWith('.'))
          .map((entry) => path.join(root, entry.name))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      : [root];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return gapAll(
      code === 'ENOENT'
        ? `${label}: inventory not found (sources.${context.name}.path is relative to the config folder)`
        : `${label}: inventory cannot be read (${code ?? 'unknown error'})`,
    );
  }
  if (names.length === 0) return gapAll(`${label}: no *.yaml or *.yml inventory files in this folder`);

  context.progress(`${context.name}: reading ${names.length} inventory file${names.length === 1 ? '' : 's'}`);
  const files: InventoryFile[] = await Promise.all(
    names.map(async (file): Promise<InventoryFile> => {
      try {
        return { file: shown(file), text: await readFile(file, 'utf8') };
      } catch (error) {
        return { file: shown(file), readError: `${shown(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})` };
      }
    }),
  );
  return inventoryEvidence(files, {
    source: context.name,
    config: context.config,
    services: context.services,
    environments: context.settings.environments,
    now: context.now,
    label,
  });
};
