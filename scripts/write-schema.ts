/**
 * Writes `schema/config.schema.json` from the zod config schema.
 * Run: node --import tsx scripts/write-schema.ts (wired to `npm run schema`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/model/json-schema.ts';

const target = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url));
await mkdir(fileURLToPath(new URL('../schema/', import.meta.url)), { recursive: true });
await writeFile(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
