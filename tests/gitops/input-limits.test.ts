/**
 * The gitops source's caps in clone mode (issue 17, items 5 and 8): sizes come
 * from `git cat-file --batch-check` before anything is read; a file over a cap,
 * not UTF-8, or an alias bomb is a gap naming it, and the other cells count.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import { extractConfigValues } from '../../collectors/gitops/index.ts';
import type { ConfigInput, GitOpsSourceConfig } from '../../src/model/index.ts';
import { aliasBomb, encode, writeSparse } from '../helpers/adversarial-yaml.ts';
import { ALICE, makeGitRepo, type GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const MiB = 1024 * 1024;
const ENV = { PATH: process.env['PATH'] };
const values = (service: string, tag: string) => `image:\n  repository: ghcr.io/acme/${service}\n  tag: "${tag}"\nenv:\n  LOG_LEVEL: info\n`;

function collect(repo: GitRepo, services: string[]) {
  const configDir = join(repo.dir, '..');
  const config: ConfigInput = {
    name: 'Acme',
    environments: [{ name: 'prod', production: true }],
    sources: { declared: { type: 'gitops', path: relative(configDir, repo.dir), configFiles: ['environments/{environment}/{service}/values.yaml'] } as never },
    services: services.map((name) => ({ name, sources: ['declared'] })),
  };
  return collectGitOps(sourceContext<GitOpsSourceConfig>(config, 'declared', { configDir, env: ENV }));
}

/** Writes raw bytes (or a sparse file) into the work tree and commits them. */
async function commitRaw(repo: GitRepo, files: Record<string, Buffer | { sparse: string; size: number }>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(repo.dir, path);
    await mkdir(join(full, '..'), { recursive: true });
    if (Buffer.isBuffer(content)) await writeFile(full, content);
    else await writeSparse(full, content.sparse, content.size);
    await repo.git('add', '--', path);
  }
  await repo.commit({ files: {}, author: ALICE, date: '2026-03-02T10:00:00Z', message: 'raw files' });
}

describe('gitops clone mode: caps and encodings', () => {
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await makeGitRepo([
      {
        files: {
          'environments/prod/api/values.yaml': values('api', '1.0.0'),
          'environments/prod/bomb/values.yaml': `${values('bomb', '1.0.0')}${aliasBomb(9, 9)}`,
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
    ]);
    await commitRaw(repo, {
      'environments/prod/latin/values.yaml': encode(`${values('latin', '1.0.0')}  NOTE: caf\u00e9\n`, 'latin1'),
      'environments/prod/wide/values.yaml': encode(values('wide', '1.0.0'), 'utf16le-bom'),
      'environments/prod/huge/values.yaml': { sparse: values('huge', '1.0.0'), size: 64 * MiB },
    });
  });
  afterAll(() => repo.cleanup());

  it('each bad file is a gap naming it; the good cell is read', async () => {
    const evidence = await collect(repo, ['api', 'bomb', 'huge', 'latin', 'wide']);
    expect(evidence.declared.map((d) => `${d.service}:${d.version}`)).toEqual(['api:1.0.0']);
    expect(evidence.configs.map((c) => c.service)).toEqual(['api']);
    const short = repo.shas[1]!.slice(0, 12);
    const reasons = Object.fromEntries(evidence.gaps.filter((g) => g.evidence === 'declared').map((g) => [g.service, g.reason]));
    expect(reasons).toEqual({
      bomb: expect.stringMatching(/^environments\/prod\/bomb\/values\.yaml: unparsable YAML at line \d+: the alias \*a\d takes the file past 2 MiB once aliases are expanded/),
      huge: `environments/prod/huge/values.yaml: cannot read at ${short}: 64 MiB, over the 2 MiB cap on one file a source reads; not read`,
      latin: `environments/prod/latin/values.yaml: cannot read at ${short}: line 6: not UTF-8: byte 0xE9 at byte offset ${Buffer.byteLength(values('latin', '1.0.0')) + 11} is not valid UTF-8 (Latin-1 or Windows-1252 text?); save the file as UTF-8`,
      wide: `environments/prod/wide/values.yaml: cannot read at ${short}: the file is UTF-16LE (byte-order mark FF FE), not UTF-8; save it as UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)`,
    });
  });

  it('files past the 32 MiB total of one source are gaps; the files before them are read', async () => {
    // 17 files of 1.95 MiB: the 17th would take the total past 32 MiB.
    const services = Array.from({ length: 17 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
    const padding = `# ${'x'.repeat(Math.floor(1.95 * MiB))}\n`;
    const big = await makeGitRepo([
      {
        files: Object.fromEntries(services.map((s) => [`environments/prod/${s}/values.yaml`, `${values(s, '2.0.0')}${padding}`])),
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
    ]);
    try {
      const evidence = await collect(big, services);
      expect(evidence.declared.map((d) => d.service)).toEqual(services.slice(0, 16));
      expect(evidence.gaps.map((g) => `${g.service} ${g.evidence}: ${g.reason}`)).toEqual(
        ['config', 'declared'].map(
          (kind) =>
            `svc16 ${kind}: environments/prod/svc16/values.yaml: cannot read at ${big.shas[0]!.slice(0, 12)}: not read: the files this source reads would total more than 32 MiB, the cap on one source; split the patterns over two gitops sources`,
        ),
      );
    } finally {
      await big.cleanup();
    }
  });
});

describe('gitops config files: __proto__ keys are refused, never dropped', () => {
  it.each([
    ['app.env', 'A=1\n__proto__=x\n', 'app.env: line 2: the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it'],
    ['app.properties', '__proto__: x\n', 'app.properties: line 1: the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it'],
    ['values.yaml', 'env:\n  A: 1\n  __proto__: x\n', 'values.yaml: unparsable YAML at line 3: the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it'],
  ])('%s', (file, text, reason) => {
    expect(extractConfigValues(text, file, 'api')).toEqual({ ok: false, reason });
  });

  it('constructor and toString keys are data', () => {
    expect(extractConfigValues('constructor=a\ntoString=b\n', 'app.env', 'api')).toEqual({ ok: true, values: { constructor: 'a', toString: 'b' } });
  });
});
