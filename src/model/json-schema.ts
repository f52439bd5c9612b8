/**
 * The JSON Schema of `release-ledger.config.yaml`, generated from the zod
 * schema so editors complete and check the config (e.g. VS Code's YAML
 * extension: `# yaml-language-server: $schema=./node_modules/release-ledger/schema/config.schema.json`).
 * Committed as `schema/config.schema.json`; a test fails when it is stale
 * (`npm run schema` rewrites it).
 *
 * `io: 'input'` describes what a person writes (defaults optional), not the
 * parsed result: https://zod.dev/json-schema#io. Cross-field checks
 * (unique names, references, cycles) cannot be expressed in JSON Schema and
 * are only reported by `release-ledger` itself.
 */
import { z } from 'zod';
import { configSchema } from './config.ts';

/** The schema's `$id`: a stable name, not a download location. */
export const CONFIG_SCHEMA_ID = 'urn:release-ledger:config:1';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-2020-12',
    // `expires` also accepts a YAML date object at runtime; to an editor it is a YYYY-MM-DD string.
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string; options?: { _zod: { def: { type: string } } }[] } } })._zod.def;
      if (def.type === 'union' && def.options?.some((o) => o._zod.def.type === 'date')) {
        delete ctx.jsonSchema.anyOf;
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date';
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Release Ledger configuration (release-ledger.config.yaml)',
    description: 'What Release Ledger tracks: environments (the promotion path), sources, services, policies and exceptions.',
    ...rest,
  };
}

/** The file's exact text: 2-space JSON and a trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
