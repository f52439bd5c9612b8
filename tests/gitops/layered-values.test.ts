/**
 * Layered Helm values (issue 20, item 2): a chart's `values.yaml` and an
 * environment's override file merge in the order listed, as Helm merges
 * `-f` files (maps merge, lists replace, null deletes), and the declared
 * version and its evidence (file, author) come from the file that set the tag.
 * The layout, a chart with its defaults plus a small values file per
 * environment, follows the documented Helm practice (written here, not copied).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import { mergeHelmValues } from '../../collectors/gitops/helm-values.ts';
import type { ConfigInput, Evidence, GitOpsSourceConfig } from '../../src/model/index.ts';
import { ALICE, BOB, CAROL, makeGitRepo, type GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const DIGEST = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';
const BASE = `replicaCount: 1
image:
  repository: ghcr.io/acme/checkout
  tag: v1.0
  digest: ${DIGEST}
  pullPolicy: IfNotPresent
imagePullSecrets:
  - name: ghcr
resources:
  limits:
    cpu: 500m
    memory: 256Mi
`;

describe('mergeHelmValues', () => {
  it('merges maps key by key, replaces lists and scalars, deletes keys set to null, and remembers who set what', () => {
    const merged = mergeHelmValues([
      { file: 'values.yaml', values: { image: { repository: 'r', tag: 'v1', digest: 'd' }, list: ['a', 'b'], keep: { x: '1' } } },
      { file: 'prod.yaml', values: { image: { tag: 'v2', digest: 'null' }, list: ['c'], keep: null } },
    ]);
    expect(merged.values).toEqual({ image: { repository: 'r', tag: 'v2' }, list: ['c'] });
    expect(merged.origin(['image', 'tag'])).toBe('prod.yaml');
    expect(merged.origin(['image', 'repository'])).toBe('values.yaml');
    expect(merged.origin(['list'])).toBe('prod.yaml');
    expect(merged.origin(['keep', 'x'])).toBeUndefined();
    // A scalar replaced by a map: the map's parts belong to the file that set it.
    const replaced = mergeHelmValues([
      { file: 'a', values: { image: 'r:v1' } },
      { file: 'b', values: { image: { repository: 'r', tag: 'v3' } } },
    ]);
    expect(replaced.origin(['image', 'tag'])).toBe('b');
  });
});

describe('layered Helm values in a GitOps repository', () => {
  let repo: GitRepo;
  let evidence: Evidence;
  beforeAll(async () => {
    repo = await makeGitRepo([
      { files: { 'charts/checkout/values.yaml': BASE }, author: ALICE, date: '2026-03-01T10:00:00Z' },
      {
        files: {
          // Only the tag: the repository comes from the chart's defaults.
          'envs/prod/checkout.yaml': 'image:\n  tag: v2.0\n  digest: null\nreplicaCount: 4\nimagePullSecrets: []\n',
          // A tag in a string image replaces the whole map.
          'envs/staging/checkout.yaml': 'image: ghcr.io/acme/checkout:v1.5\n',
        },
        author: BOB,
        date: '2026-03-02T10:00:00Z',
      },
      { files: { 'envs/qa/checkout.yaml': 'resources:\n  limits:\n    cpu: null\n' }, author: CAROL, date: '2026-03-03T10:00:00Z' },
    ]);
    const input: ConfigInput = {
      name: 'Acme',
      environments: [{ name: 'qa' }, { name: 'staging' }, { name: 'prod', production: true }],
      sources: {
        gitops: {
          type: 'gitops',
          path: repo.dir,
          files: ['charts/{service}/values.yaml', 'envs/{environment}/{service}.yaml'],
          configFiles: ['charts/{service}/values.yaml', 'envs/{environment}/{service}.yaml'],
        },
      },
      services: [{ name: 'checkout', sources: ['gitops'] }],
    };
    evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it('takes the version from the file that set the tag, with its author, and keeps the base repository', () => {
    expect(evidence.gaps).toEqual([]);
    const declared = Object.fromEntries(evidence.declared.map((d) => [d.environment, d]));
    expect(declared['prod']).toMatchObject({ version: 'v2.0', image: 'ghcr.io/acme/checkout:v2.0', file: 'envs/prod/checkout.yaml', changedBy: 'Bob Example', revision: repo.shas[2] });
    // The override's `digest: null` deleted the chart's digest.
    expect(declared['prod']!.artifact).toBeUndefined();
    expect(declared['staging']).toMatchObject({ version: 'v1.5', image: 'ghcr.io/acme/checkout:v1.5', file: 'envs/staging/checkout.yaml', changedBy: 'Bob Example' });
    // qa's file changes resources only: the version (and its digest) is the chart's, credited to the chart's author.
    expect(declared['qa']).toMatchObject({ version: 'v1.0', artifact: DIGEST, file: 'charts/checkout/values.yaml', changedBy: 'Alice Example' });
  });

  it('gives the config record the same merge: lists replace, null deletes', () => {
    const config = Object.fromEntries(evidence.configs.map((c) => [c.environment, c.values]));
    expect(config['prod']).toMatchObject({ 'image.tag': 'v2.0', 'image.repository': 'ghcr.io/acme/checkout', replicaCount: 4, imagePullSecrets: '[]' });
    expect(config['prod']!['image.digest']).toBeUndefined();
    expect(config['qa']).toMatchObject({ 'resources.limits.memory': '256Mi', 'image.tag': 'v1.0' });
    expect(Object.keys(config['qa']!)).not.toContain('resources.limits.cpu');
  });
});
