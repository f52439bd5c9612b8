/**
 * The `file` source: a declared inventory in YAML for systems with no API.
 * `path` (relative to the config folder) is one file, or a folder whose
 * `*.yaml` / `*.yml` files (not hidden, not in sub-folders) are read in
 * code-point order of their names and merged.
 *
 * Each file may hold 1 MiB and the files of one source 4 MiB together,
 * checked before reading (src/model/input-limits.ts, docs/guarantees.md
 * "Bounded input"); a file over a cap, or not UTF-8, is a gap naming it.
 *
 * This file only finds and reads files; what they mean is decided by the
 * plain functions in `collectors/file/inventory.ts` (see the rules there). It
 * never throws: a missing path or a bad file is a recorded gap.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Collector, FileSourceConfig } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { formatBytes, INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { readCappedText } from '../../src/model/read-capped.ts';
import { inventoryEvidence, type InventoryFile } from './inventory.ts';

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
  // Each file and all of them together are capped, checked before reading (docs/guarantees.md, "Bounded input").
  const files: InventoryFile[] = [];
  let total = 0;
  for (const file of names) {
    const name = shown(file);
    const failed = (code: string | undefined) => ({ file: name, readError: `${name}: cannot be read (${code ?? 'unknown error'})` });
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      files.push(failed((error as NodeJS.ErrnoException).code));
      continue;
    }
    if (size <= INPUT_LIMITS.inventoryFileBytes && total + size > INPUT_LIMITS.inventoryTotalBytes) {
      files.push({
        file: name,
        readError: `${name}: not read: with it the inventory files of sources.${context.name} would total ${formatBytes(total + size)}, over the ${formatBytes(INPUT_LIMITS.inventoryTotalBytes)} cap on one file source; move some files to a second file source`,
      });
      continue;
    }
    try {
      const read = await readCappedText(file, name, {
        bytes: INPUT_LIMITS.inventoryFileBytes,
        what: 'one inventory file',
        advice: `split it into several files in a folder (sources.${context.name}.path may name a folder)`,
      });
      if (read.ok) total += read.bytes;
      files.push(read.ok ? { file: name, text: read.text } : { file: name, readError: read.reason });
    } catch (error) {
      files.push(failed((error as NodeJS.ErrnoException).code));
    }
  }
  return inventoryEvidence(files, {
    source: context.name,
    config: context.config,
    services: context.services,
    environments: context.settings.environments,
    now: context.now,
    label,
  });
};
