/**
 * GitOps controllers' own objects (issue 20, item 3, in part): Flux
 * HelmRelease values and chart versions, Flux Kustomization post-build
 * substitutions, Argo CD Application Helm parameters, valuesObject, Kustomize
 * images and chart targetRevision. Fixtures written here, modelled on the
 * documented layouts of a Flux kustomize+helm repository (clusters/<env>/,
 * apps/base/, apps/<env>/) and of Argo CD's example applications.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import { substitute } from '../../collectors/gitops/gitops-kinds.ts';
import type { ConfigInput, Evidence, GitOpsSourceConfig } from '../../src/model/index.ts';
import { ALICE, BOB, makeGitRepo, type GitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const helmRelease = (name: string, chartVersion: string, values: string, extra = '') =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ${name}\n      version: "${chartVersion}"\n      sourceRef:\n        kind: HelmRepository\n        name: acme\n${values ? `  values:\n${values}` : ''}${extra}`;

const fluxKustomization = (substitutes: Record<string, string>) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/base/cart\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  postBuild:\n    substitute:\n${Object.entries(substitutes).map(([k, v]) => `      ${k}: "${v}"\n`).join('')}`;

const CART = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: cart\n          image: ghcr.io/acme/cart:\${APP_VERSION}\n`;

const argoApp = (source: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: guestbook\n  namespace: argocd\nspec:\n  project: default\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: guestbook\n  source:\n    repoURL: https://charts.example.com\n${source}`;

describe('Flux and Argo CD objects in a GitOps repository', () => {
  let repo: GitRepo;
  let evidence: Evidence;
  beforeAll(async () => {
    repo = await makeGitRepo([
      {
        files: {
          'apps/staging/checkout.yaml': helmRelease('checkout', '1.4.2', '    replicaCount: 2\n    image:\n      repository: ghcr.io/acme/checkout\n      tag: 1.5.0-rc.1\n'),
          'apps/prod/checkout.yaml': helmRelease('checkout', '1.4.2', '    image:\n      repository: ghcr.io/acme/checkout\n      tag: 1.4.2\n', '  valuesFrom:\n    - kind: Secret\n      name: checkout-values\n'),
          // No image in the values: the exact chart version is what is declared; a range names no release.
          'apps/staging/podinfo.yaml': helmRelease('podinfo', '6.9.1', '    redis:\n      enabled: true\n'),
          'apps/prod/podinfo.yaml': helmRelease('podinfo', '>=6.0.0', ''),
          'apps/base/cart/deployment.yaml': CART,
          'clusters/staging/apps.yaml': fluxKustomization({ APP_VERSION: '2.3.0', REGION: 'eu-west-1' }),
          'clusters/prod/apps.yaml': fluxKustomization({ REGION: 'eu-west-1' }),
          // Parameters override valuesObject (Argo CD applies them last).
          'argocd/staging/guestbook.yaml': argoApp(
            '    chart: guestbook\n    targetRevision: 0.2.0\n    helm:\n      valuesObject:\n        image:\n          repository: ghcr.io/acme/guestbook\n          tag: v0.1\n      parameters:\n        - name: image.tag\n          value: v0.2\n',
          ),
          'argocd/prod/guestbook.yaml': argoApp('    path: kustomize-guestbook\n    targetRevision: HEAD\n    kustomize:\n      images:\n        - ghcr.io/acme/guestbook:v0.1\n'),
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
      { files: { 'argocd/prod/guestbook.yaml': argoApp('    chart: guestbook\n    targetRevision: 0.1.9\n') }, author: BOB, date: '2026-03-02T10:00:00Z' },
    ]);
    const input: ConfigInput = {
      name: 'Acme',
      environments: [{ name: 'staging' }, { name: 'prod', production: true }],
      sources: {
        gitops: {
          type: 'gitops',
          path: repo.dir,
          files: ['apps/{environment}/{service}.yaml', 'argocd/{environment}/{service}.yaml', 'clusters/{environment}/apps.yaml', 'apps/base/{service}/deployment.yaml'],
          configFiles: ['apps/{environment}/{service}.yaml'],
        },
      },
      services: ['checkout', 'podinfo', 'cart', 'guestbook'].map((name) => ({ name, sources: ['gitops'] })),
    };
    evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  const declared = (service: string, environment: string) => evidence.declared.find((d) => d.service === service && d.environment === environment);
  const gap = (service: string, environment: string, kind: string) => evidence.gaps.find((g) => g.service === service && g.environment === environment && g.evidence === kind)?.reason;

  it('reads a Flux HelmRelease: the image in spec.values, else an exact chart version; a range is a gap', () => {
    expect(declared('checkout', 'staging')).toMatchObject({ version: '1.5.0-rc.1', image: 'ghcr.io/acme/checkout:1.5.0-rc.1', file: 'apps/staging/checkout.yaml' });
    expect(declared('checkout', 'prod')).toMatchObject({ version: '1.4.2', image: 'ghcr.io/acme/checkout:1.4.2' });
    expect(declared('podinfo', 'staging')).toMatchObject({ version: '6.9.1', file: 'apps/staging/podinfo.yaml' });
    expect(declared('podinfo', 'staging')!.image).toBeUndefined();
    expect(declared('podinfo', 'prod')).toBeUndefined();
    expect(gap('podinfo', 'prod', 'declared')).toContain('apps/prod/podinfo.yaml: no image found');
  });

  it("records a HelmRelease's values as config, and valuesFrom as a gap", () => {
    expect(evidence.configs.find((c) => c.service === 'checkout' && c.environment === 'staging')?.values).toEqual({
      'image.repository': 'ghcr.io/acme/checkout',
      'image.tag': '1.5.0-rc.1',
      replicaCount: 2,
    });
    expect(gap('checkout', 'prod', 'config')).toContain('spec.valuesFrom (values from ConfigMaps or Secrets) is not read');
  });

  it('substitutes Flux post-build variables into image references; one set nowhere is a gap', () => {
    expect(declared('cart', 'staging')).toMatchObject({ version: '2.3.0', image: 'ghcr.io/acme/cart:2.3.0', file: 'apps/base/cart/deployment.yaml' });
    expect(declared('cart', 'prod')).toBeUndefined();
    expect(gap('cart', 'prod', 'declared')).toContain('${APP_VERSION} in the image of "cart" is set by no Flux Kustomization postBuild.substitute');
    expect(substitute('a:${V:=1.0}-${W:-x}', {})).toEqual({ text: 'a:1.0-x', missing: [] });
  });

  it('reads an Argo CD Application: Helm parameters over valuesObject, Kustomize images, a chart targetRevision', () => {
    expect(declared('guestbook', 'staging')).toMatchObject({ version: 'v0.2', image: 'ghcr.io/acme/guestbook:v0.2', file: 'argocd/staging/guestbook.yaml' });
    // prod was changed by Bob to a chart source pinned to 0.1.9.
    expect(declared('guestbook', 'prod')).toMatchObject({ version: '0.1.9', file: 'argocd/prod/guestbook.yaml', changedBy: 'Bob Example' });
  });

  it('reads Argo CD kustomize.images', async () => {
    await repo.commit({ files: { 'argocd/prod/guestbook.yaml': argoApp('    path: kustomize-guestbook\n    targetRevision: HEAD\n    kustomize:\n      images:\n        - ghcr.io/acme/guestbook:v0.3\n') }, author: ALICE, date: '2026-03-03T10:00:00Z' });
    const input: ConfigInput = {
      name: 'Acme',
      environments: [{ name: 'prod' }],
      sources: { gitops: { type: 'gitops', path: repo.dir, files: ['argocd/{environment}/{service}.yaml'] } },
      services: [{ name: 'guestbook', sources: ['gitops'] }],
    };
    const again = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
    expect(again.declared).toMatchObject([{ version: 'v0.3', image: 'ghcr.io/acme/guestbook:v0.3' }]);
  });
});

describe('Argo Rollouts, Knative Services and Flux OCIRepositories', () => {
  it('reads their images and pinned artifacts; a semver range is a gap', async () => {
    const repo = await makeGitRepo([
      {
        files: {
          'apps/search/rollout.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: search\nspec:\n  strategy:\n    canary:\n      steps:\n        - setWeight: 20\n  template:\n    spec:\n      containers:\n        - name: search\n          image: ghcr.io/acme/search:4.2.0\n          env:\n            - name: INDEX\n              value: products\n`,
          'apps/hello/service.yaml': `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/acme/hello:0.7.1\n`,
          'apps/podinfo/oci.yaml': `apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: podinfo\nspec:\n  interval: 10m\n  url: oci://ghcr.io/acme/manifests/podinfo\n  ref:\n    tag: 6.9.1\n`,
          'apps/ranged/oci.yaml': `apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: ranged\nspec:\n  url: oci://ghcr.io/acme/manifests/ranged\n  ref:\n    semver: ">=1.0.0"\n`,
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
    ]);
    try {
      const input: ConfigInput = {
        name: 'Acme',
        environments: [{ name: 'prod' }],
        sources: { gitops: { type: 'gitops', path: repo.dir, files: ['apps/{service}/*.yaml'], configFiles: ['apps/{service}/rollout.yaml'] } },
        services: ['search', 'hello', 'podinfo', 'ranged'].map((name) => ({ name, sources: ['gitops'] })),
      };
      const got = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
      const version = Object.fromEntries(got.declared.map((d) => [d.service, d.image]));
      expect(version).toEqual({ search: 'ghcr.io/acme/search:4.2.0', hello: 'ghcr.io/acme/hello:0.7.1', podinfo: 'ghcr.io/acme/manifests/podinfo:6.9.1' });
      expect(got.configs.find((c) => c.service === 'search')?.values).toEqual({ INDEX: 'products' });
      expect(got.gaps.find((g) => g.service === 'ranged' && g.evidence === 'declared')?.reason).toContain('apps/ranged/oci.yaml: no image found');
    } finally {
      await repo.cleanup();
    }
  });
});

describe("Argo CD Image Updater's write-back file", () => {
  it('overrides the Application it sits beside, for Helm and Kustomize sources', async () => {
    const repo = await makeGitRepo([
      {
        files: {
          'apps/guestbook/application.yaml': argoApp('    chart: guestbook\n    targetRevision: 0.2.0\n    helm:\n      valuesObject:\n        image:\n          repository: ghcr.io/acme/guestbook\n          tag: v0.1\n'),
          // Written by the updater (git write-back); listed after the Application, it still wins: it is an override.
          'apps/guestbook/.argocd-source-guestbook.yaml': 'helm:\n  parameters:\n    - name: image.name\n      value: ghcr.io/acme/guestbook\n      forcestring: true\n    - name: image.tag\n      value: v0.4\n      forcestring: true\n',
          'apps/cart/.argocd-source-cart.yaml': 'kustomize:\n  images:\n    - ghcr.io/acme/cart:2.9.0\n',
        },
        author: ALICE,
        date: '2026-03-01T10:00:00Z',
      },
    ]);
    try {
      const input: ConfigInput = {
        name: 'Acme',
        environments: [{ name: 'prod' }],
        sources: { gitops: { type: 'gitops', path: repo.dir, files: ['apps/{service}/application.yaml', 'apps/{service}/.argocd-source-{service}.yaml'] } },
        services: ['guestbook', 'cart'].map((name) => ({ name, sources: ['gitops'] })),
      };
      const got = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
      expect(got.gaps).toEqual([]);
      expect(Object.fromEntries(got.declared.map((d) => [d.service, [d.image, d.file]]))).toEqual({
        guestbook: ['ghcr.io/acme/guestbook:v0.4', 'apps/guestbook/.argocd-source-guestbook.yaml'],
        cart: ['ghcr.io/acme/cart:2.9.0', 'apps/cart/.argocd-source-cart.yaml'],
      });
    } finally {
      await repo.cleanup();
    }
  });
});
