import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { RULE_IDS } from '../../src/model/config.ts';
import { GENERATED_DOCS, withGeneratedBlocks, generatedBlocks } from '../../src/docs/readme-reference.ts';

it('the configuration and rules references in docs/ are generated from the current code (run `npm run schema` if this fails)', async () => {
  for (const doc of new Set(Object.values(GENERATED_DOCS))) {
    const text = await readFile(new URL(`../../${doc}`, import.meta.url), 'utf8');
    expect(withGeneratedBlocks(text, doc), doc).toBe(text);
  }
  const blocks = generatedBlocks();
  // The reference covers nested fields and source variants, not only the top level.
  expect(blocks['CONFIG-REFERENCE']).toContain('`services[].dependsOn`');
  expect(blocks['CONFIG-REFERENCE']).toContain('(type: github).baseUrl');
  expect(blocks['CONFIG-REFERENCE']).toContain('`exceptions[].expires`');
  // A section per rule.
  for (const rule of RULE_IDS) expect(blocks['RULES-REFERENCE']).toContain(`### \`${rule}\``);
});
