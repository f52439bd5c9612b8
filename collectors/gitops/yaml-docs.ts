/** Multi-document YAML (or JSON) to plain values, with one-line errors naming the file and line. */
import { LineCounter, parseAllDocuments } from 'yaml';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { isTooDeepForParser, TOO_DEEP, yamlProblem, type YamlTally } from '../../src/model/yaml-guard.ts';

export type Docs = { ok: true; docs: unknown[] } | { ok: false; reason: string };

/**
 * `failsafe` keeps every scalar a string (so an image tag `2.10` stays
 * "2.10", not the number 2.1); `core` gives numbers and booleans, for config
 * values. https://eemeli.org/yaml/#data-schemas
 *
 * Aliases, nesting, `__proto__` and repeated keys are checked by
 * `yamlProblem` (src/model/yaml-guard.ts), with one budget for all the
 * documents of the file (the cap on one file a source reads).
 */
export function parseYamlDocs(text: string, file: string, schema: 'failsafe' | 'core'): Docs {
  const docs: unknown[] = [];
  const lineCounter = new LineCounter();
  const tally: YamlTally = { aliases: 0, expanded: 0 };
  const fail = (offset: number, what: string): Docs => ({ ok: false, reason: `${file}: unparsable YAML at line ${lineCounter.linePos(offset).line}: ${what}` });
  for (const doc of parseAllDocuments(text, { schema, prettyErrors: true, uniqueKeys: false, lineCounter })) {
    const error = doc.errors[0];
    if (error) {
      const what = (error.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
      return fail(error.pos[0], isTooDeepForParser(what) ? TOO_DEEP : what);
    }
    const problem = yamlProblem(doc, INPUT_LIMITS.sourceFileBytes, tally);
    if (problem) return fail(problem.offset, problem.message);
    let value: unknown;
    try {
      // Aliases are bounded by `yamlProblem` above; the yaml package's own count is off.
      value = doc.toJS({ maxAliasCount: -1 });
    } catch (error) {
      return { ok: false, reason: `${file}: cannot be turned into data: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` };
    }
    if (value !== null && value !== undefined) docs.push(value);
  }
  return { ok: true, docs };
}

export const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
