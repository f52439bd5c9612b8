/** Multi-document YAML (or JSON) to plain values, with one-line errors naming the file and line. */
import { parseAllDocuments } from 'yaml';

export type Docs = { ok: true; docs: unknown[] } | { ok: false; reason: string };

/**
 * `failsafe` keeps every scalar a string (so an image tag `2.10` stays
 * "2.10", not the number 2.1); `core` gives numbers and booleans, for config
 * values. https://eemeli.org/yaml/#data-schemas
 */
export function parseYamlDocs(text: string, file: string, schema: 'failsafe' | 'core'): Docs {
  const docs: unknown[] = [];
  for (const doc of parseAllDocuments(text, { schema, prettyErrors: true })) {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos ? ` at line ${error.linePos[0].line}` : '';
      const what = (error.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
      return { ok: false, reason: `${file}: unparsable YAML${where}: ${what}` };
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) docs.push(value);
  }
  return { ok: true, docs };
}

export const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
