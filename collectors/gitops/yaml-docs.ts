/** Multi-document YAML (or JSON) to plain values, with one-line errors naming the file and line. */
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { readYaml } from '../../src/model/yaml.ts';

export type Docs = { ok: true; docs: unknown[] } | { ok: false; reason: string };

/**
 * `failsafe` keeps every scalar a string (so an image tag `2.10` stays
 * "2.10", not the number 2.1); `core` gives numbers and booleans, for config
 * values (src/model/yaml.ts).
 *
 * Aliases, nesting, `__proto__` and repeated keys are checked by the guard
 * (src/model/yaml-guard.ts), with one budget for all the documents of the
 * file (the cap on one file a source reads).
 */
export function parseYamlDocs(text: string, file: string, schema: 'failsafe' | 'core'): Docs {
  const read = readYaml(text, { schema, maxBytes: INPUT_LIMITS.sourceFileBytes });
  if (!read.ok) return { ok: false, reason: `${file}: unparsable YAML at line ${read.position(read.offset).line}: ${read.message}` };
  return { ok: true, docs: read.yaml.documents.map((d) => d.data).filter((value) => value !== null && value !== undefined) };
}

export const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
