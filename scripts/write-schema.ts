/**
 * Writes `schema/config.schema.json`, the configuration reference in
 * docs/configuration.md (from the zod config schema) and the rules reference in
 * docs/rules.md (from RULE_DOCS). Run: `npm run schema`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS, withGeneratedBlocks } from '../src/docs/readme-reference.ts';
import { configJsonSchemaText } from '../src/model/json-schema.ts';

const target = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url));
await mkdir(fileURLToPath(new URL('../schema/', import.meta.url)), { recursive: true });
await writeFile(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
for (const doc of new Set(Object.values(GENERATED_DOCS))) {
  const file = fileURLToPath(new URL(`../${doc}`, import.meta.url));
  await writeFile(file, withGeneratedBlocks(await readFile(file, 'utf8'), doc));
  process.stdout.write(`wrote the generated reference in ${doc}\n`);
}
