/**
 * Writes `schema/config.schema.json` and the README's configuration reference
 * from the zod config schema, and the README's rules reference from RULE_DOCS. Run: `npm run schema`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withGeneratedBlocks } from '../src/docs/readme-reference.ts';
import { configJsonSchemaText } from '../src/model/json-schema.ts';

const target = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url));
await mkdir(fileURLToPath(new URL('../schema/', import.meta.url)), { recursive: true });
await writeFile(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
await writeFile(readme, withGeneratedBlocks(await readFile(readme, 'utf8')));
process.stdout.write(`wrote the configuration and rules references in ${readme}\n`);
