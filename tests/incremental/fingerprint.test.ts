/**
 * The generator fingerprint covers what decides a page's bytes and nothing
 * else: editing an init template or a collector must not render three years
 * of site again, while a view, the model or a page component must.
 */
import { describe, expect, it } from 'vitest';
import { pageSources } from '../../src/site/fingerprint.ts';

describe('generator fingerprint inputs', () => {
  it('follows the site layer into what it imports, and no further', async () => {
    const files = await pageSources();
    for (const needed of ['src/pages/index.astro', 'src/components/Matrix.astro', 'src/views/matrix.ts', 'src/model/build.ts', 'src/ledger/diff.ts', 'src/model/version.ts', 'src/styles/site.css', 'public/favicon.svg'])
      expect(files, needed).toContain(needed);
    const outside = files.filter((f) => /^(collectors\/|src\/(cli|init|collect|report|docs)\/|tests\/|scripts\/)/.test(f));
    expect(outside).toEqual([]);
    expect(files).not.toContain('src/init/templates.ts');
  });
});
