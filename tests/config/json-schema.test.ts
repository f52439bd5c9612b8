import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_ID, configJsonSchema, configJsonSchemaText } from '../../src/model/index.ts';

const committed = new URL('../../schema/config.schema.json', import.meta.url);

describe('schema/config.schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` if this fails)', async () => {
    const onDisk = await readFile(committed, 'utf8').catch(() => '');
    const fresh = configJsonSchemaText();
    if (onDisk !== fresh) expect.fail('schema/config.schema.json is stale: run `npm run schema` (node --import tsx scripts/write-schema.ts) and commit it');
    expect(onDisk.endsWith('}\n')).toBe(true);
  });

  it('has its identity and describes what a person writes', () => {
    const schema = configJsonSchema() as { $schema: string; $id: string; title: string; required: string[]; properties: Record<string, { description?: string }> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
    expect(schema.title).toMatch(/Release Ledger/);
    // io: 'input' — fields with defaults are optional for the author.
    expect(schema.required.sort()).toEqual(['environments', 'name']);
  });

  it('carries a description for every property', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const [key, value] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
        if (!(value as { description?: string }).description) missing.push(`${at}.${key}`);
        walk(value, `${at}.${key}`);
      }
      for (const key of ['items', 'additionalProperties']) walk(n[key], `${at}[]`);
      for (const key of ['anyOf', 'oneOf', 'allOf']) ((n[key] as unknown[]) ?? []).forEach((option, i) => walk(option, `${at}|${i}`));
    };
    walk(configJsonSchema(), '');
    expect(missing).toEqual([]);
  });
});
