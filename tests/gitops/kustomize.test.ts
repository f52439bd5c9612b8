/**
 * Kustomize overlays (collectors/gitops/kustomize.ts) against the real
 * `kubectl kustomize` (kubectl 1.32, Kustomize built in, offline): for each
 * overlay of repositories laid out as public GitOps repositories are (a
 * podinfo-style base with staging and production overlays; a promotion
 * repository with per-tier and per-region components shared by its
 * environments), the images, replicas and ConfigMap data we resolve equal
 * what kustomize renders. The fixtures are written here, after the layouts.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { kustomize, type ReadFile } from '../../collectors/gitops/kustomize.ts';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import type { ConfigInput, GitOpsSourceConfig } from '../../src/model/index.ts';
import { ALICE, BOB, makeGitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

type Obj = Record<string, any>;

const DEPLOYMENT = (name: string, image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: ${name}
          image: ${image}
          envFrom:
            - configMapRef: {name: ${name}-config}
${extra}`;

/** A podinfo-style repository: kustomize/base and overlays per environment. */
const PODINFO: Record<string, string> = {
  'kustomize/base/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
  - name: podinfo-config
    literals:
      - PODINFO_UI_COLOR=#34577c
      - PODINFO_LEVEL=info
`,
  'kustomize/base/deployment.yaml': DEPLOYMENT('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.0'),
  'kustomize/base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: podinfo
spec:
  ports: [{port: 9898}]
  selector: {app: podinfo}
`,
  'kustomize/overlays/staging/kustomization.yaml': `resources:
  - ../../base
namePrefix: staging-
images:
  - name: ghcr.io/stefanprodan/podinfo
    newTag: 6.5.1
configMapGenerator:
  - name: podinfo-config
    behavior: merge
    literals:
      - PODINFO_LEVEL=debug
`,
  'kustomize/overlays/production/kustomization.yaml': `resources:
  - ../../base
namespace: podinfo-prod
images:
  - name: ghcr.io/stefanprodan/podinfo
    digest: sha256:${'a'.repeat(64)}
patchesStrategicMerge:
  - replicas.yaml
replicas:
  - name: podinfo
    count: 4
`,
  'kustomize/overlays/production/replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  template:
    spec:
      containers:
        - name: podinfo
          resources:
            limits: {memory: 512Mi}
`,
};

/** A promotion repository: one base, components per tier and per region, environments that combine them. */
const PROMOTION: Record<string, string> = {
  'base/kustomization.yaml': `resources:
  - payments.yaml
configMapGenerator:
  - name: payments-config
    envs:
      - defaults.env
`,
  'base/payments.yaml': DEPLOYMENT('payments', 'registry.example.com/acme/payments:2.3.0'),
  'base/defaults.env': `# defaults for every environment
DB_POOL=10
REGION=none
TIER=bronze
`,
  'components/tier-gold/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: payments-config
    behavior: merge
    literals:
      - TIER=gold
      - DB_POOL=50
patches:
  - target: {kind: Deployment, name: payments}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 6
`,
  'components/region-eu/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: payments-config
    behavior: merge
    literals:
      - REGION=eu-west-1
patches:
  - path: eu-env.yaml
`,
  'components/region-eu/eu-env.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  template:
    spec:
      containers:
        - name: payments
          env:
            - name: DATA_RESIDENCY
              value: eu
`,
  'components/region-us/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: payments-config
    behavior: merge
    literals:
      - REGION=us-east-1
`,
  'envs/qa/kustomization.yaml': `resources:
  - ../../base
images:
  - name: registry.example.com/acme/payments
    newTag: 2.4.0-rc.2
`,
  'envs/prod-eu/kustomization.yaml': `resources:
  - ../../base
components:
  - ../../components/tier-gold
  - ../../components/region-eu
images:
  - name: registry.example.com/acme/payments
    newName: registry.example.com/acme/payments-eu
    newTag: 2.3.1
`,
  'envs/prod-us/kustomization.yaml': `resources:
  - ../../base
components:
  - ../../components/tier-gold
  - ../../components/region-us
images:
  - name: registry.example.com/acme/payments
    newTag: 2.3.1
patches:
  - target: {kind: Deployment, name: payments}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env
        value: [{name: CANARY, value: "false"}]
`,
};

let root: string;

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}

const readerFor = (dir: string): ReadFile => async (file) => readFile(path.join(dir, file), 'utf8').catch(() => null);

/** What the ledger reads of a rendered set: images and replicas per workload, data per ConfigMap (without kustomize's content hash). */
function summary(objects: Obj[]) {
  const workloads = objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((o) => ({ name: o.metadata.name, namespace: o.metadata.namespace ?? null, replicas: o.spec.replicas ?? null, images: o.spec.template.spec.containers.map((c: Obj) => c.image), env: o.spec.template.spec.containers.flatMap((c: Obj) => (c.env ?? []).map((e: Obj) => `${e.name}=${e.value}`)) }));
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap').map((o) => ({ name: String(o.metadata.name).replace(/-[a-z0-9]{10}$/, ''), data: o.data ?? {} }));
  const refs = objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => o.spec.template.spec.containers.flatMap((c: Obj) => (c.envFrom ?? []).map((e: Obj) => String(e.configMapRef?.name).replace(/-[a-z0-9]{10}$/, ''))));
  return { workloads: workloads.sort((a, b) => a.name.localeCompare(b.name)), configMaps: configMaps.sort((a, b) => a.name.localeCompare(b.name)), refs: refs.sort() };
}

function kubectlKustomize(dir: string): Obj[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return text.split(/^---$/m).map((doc) => load(doc) as Obj).filter(Boolean);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'kustomize-'));
  await writeTree(path.join(root, 'podinfo'), PODINFO);
  await writeTree(path.join(root, 'promotion'), PROMOTION);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('kustomize overlays, as kubectl kustomize renders them', () => {
  const cases: [string, string][] = [
    ['podinfo', 'kustomize/overlays/staging'],
    ['podinfo', 'kustomize/overlays/production'],
    ['promotion', 'envs/qa'],
    ['promotion', 'envs/prod-eu'],
    ['promotion', 'envs/prod-us'],
  ];
  for (const [repo, overlay] of cases) {
    it(`${repo} ${overlay}`, async () => {
      const ours = await kustomize(overlay, readerFor(path.join(root, repo)));
      const theirs = kubectlKustomize(path.join(root, repo, overlay));
      expect(ours.unresolved).toEqual([]);
      expect(summary(ours.resources)).toEqual(summary(theirs));
    });
  }

  it('reads the per-tier and per-region settings each environment combines', async () => {
    const eu = summary((await kustomize('envs/prod-eu', readerFor(path.join(root, 'promotion')))).resources);
    expect(eu.configMaps).toEqual([{ name: 'payments-config', data: { DB_POOL: '50', REGION: 'eu-west-1', TIER: 'gold' } }]);
    expect(eu.workloads[0]).toMatchObject({ replicas: 6, images: ['registry.example.com/acme/payments-eu:2.3.1'], env: ['DATA_RESIDENCY=eu'] });
  });

  it('names every file that made the result, shared components included', async () => {
    const { files } = await kustomize('envs/prod-eu', readerFor(path.join(root, 'promotion')));
    expect(files).toEqual(expect.arrayContaining(['envs/prod-eu/kustomization.yaml', 'base/payments.yaml', 'base/defaults.env', 'components/tier-gold/kustomization.yaml', 'components/region-eu/eu-env.yaml']));
  });

  it('says what it does not resolve instead of guessing: remote bases, Helm inflation, secret generators, missing files', async () => {
    const files: Record<string, string> = {
      'apps/web/kustomization.yaml': `resources:
  - https://github.com/acme/platform//base?ref=v1.2.0
  - missing.yaml
helmCharts:
  - name: redis
    repo: https://charts.example.com
secretGenerator:
  - name: db
    literals: [PASSWORD=hunter2-not-read]
replacements:
  - source: {kind: ConfigMap, name: x}
`,
    };
    const dir = path.join(root, 'unresolved');
    await writeTree(dir, files);
    const result = await kustomize('apps/web', readerFor(dir));
    expect(result.unresolved).toEqual([
      'apps/web/kustomization.yaml: Helm chart inflation (helmCharts) is not rendered',
      'apps/web/kustomization.yaml: replacements are not applied',
      'apps/web/kustomization.yaml: secretGenerator is not read (secret values never enter the ledger)',
      'apps/web: the remote base https://github.com/acme/platform//base?ref=v1.2.0 is not fetched',
      'apps/web/missing.yaml: no kustomization.yaml',
    ]);
    expect(JSON.stringify(result.resources)).not.toContain('hunter2');
  });

  it('runs past built-in label and annotation transformers (labels are not read), and says any other transformer', async () => {
    const dir = path.join(root, 'transformers');
    await writeTree(dir, {
      'dev/kustomization.yaml': 'resources: [app.yaml]\ntransformers: [labels.yaml]\n',
      'dev/app.yaml': DEPLOYMENT('web', 'acme/web:1.0.0'),
      'dev/labels.yaml': 'apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: labels}\nlabels: {env: dev}\nfieldSpecs: [{path: metadata/labels, create: true}]\n',
      'prod/kustomization.yaml': 'resources: [../dev/app.yaml]\ntransformers: [tags.yaml]\n',
      'prod/tags.yaml': 'apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: tags}\nimageTag: {name: acme/web, newTag: 2.0.0}\n',
    });
    expect((await kustomize('dev', readerFor(dir))).unresolved).toEqual([]);
    expect((await kustomize('prod', readerFor(dir))).unresolved).toEqual(['prod/kustomization.yaml: the transformer tags.yaml is not run']);
  });

  it('stops at a cycle of kustomizations', async () => {
    const dir = path.join(root, 'cycle');
    await writeTree(dir, { 'a/kustomization.yaml': 'resources: [../b]\n', 'b/kustomization.yaml': 'resources: [../a]\n' });
    const result = await kustomize('a', readerFor(dir));
    expect(result.unresolved.some((line) => line.includes('cycle'))).toBe(true);
  });
});

describe('the gitops source reads a kustomize overlay as its environment\'s whole configuration', () => {
  it('declares each environment\'s image from the overlay, credited to the file that set it, and its generated config', async () => {
    const base = Object.fromEntries(Object.entries(PROMOTION).filter(([f]) => !f.startsWith('envs/prod-eu/')));
    const repo = await makeGitRepo([
      { files: base, author: ALICE, date: '2026-03-01T10:00:00Z' },
      { files: { 'envs/prod-eu/kustomization.yaml': PROMOTION['envs/prod-eu/kustomization.yaml']! }, author: BOB, date: '2026-03-02T10:00:00Z' },
    ]);
    try {
      const input: ConfigInput = {
        name: 'Acme',
        environments: [{ name: 'qa' }, { name: 'prod-us', production: true }, { name: 'prod-eu', production: true }],
        sources: { gitops: { type: 'gitops', path: repo.dir, files: ['envs/{environment}/kustomization.yaml'], configFiles: ['envs/{environment}/kustomization.yaml'] } },
        services: [{ name: 'payments', sources: ['gitops'] }],
      };
      const evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: path.join(repo.dir, '..') }));
      expect(evidence.gaps).toEqual([]);
      const declared = Object.fromEntries(evidence.declared.map((d) => [d.environment, d]));
      expect(declared['qa']).toMatchObject({ version: '2.4.0-rc.2', file: 'envs/qa/kustomization.yaml', changedBy: 'Alice Example' });
      expect(declared['prod-eu']).toMatchObject({ version: '2.3.1', image: 'registry.example.com/acme/payments-eu:2.3.1', file: 'envs/prod-eu/kustomization.yaml', changedBy: 'Bob Example' });
      const config = Object.fromEntries(evidence.configs.map((c) => [c.environment, c.values]));
      // The shared tier and region components reach each environment's config.
      expect(JSON.stringify(config['prod-eu'])).toContain('eu-west-1');
      expect(JSON.stringify(config['prod-us'])).toContain('us-east-1');
      expect(JSON.stringify(config['qa'])).not.toContain('gold');
    } finally {
      await repo.cleanup();
    }
  });
});
