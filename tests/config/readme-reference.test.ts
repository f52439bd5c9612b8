import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../src/model/config-reference.ts';

it('the README configuration reference is generated from the current schema (run `npm run schema` if this fails)', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = configReferenceMarkdown();
  expect(readme).toContain(block);
  // The reference covers nested fields and source variants, not only the top level.
  expect(block).toContain('`services[].dependsOn`');
  expect(block).toContain('(type: github).baseUrl');
  expect(block).toContain('`exceptions[].expires`');
});
