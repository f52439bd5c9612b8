/**
 * Case 20 — GitOps-only estates: generated repositories in the documented
 * layouts the gitops source reads (a version file per environment, a chart
 * with layered environment values, a Flux HelmRelease per environment, an
 * Argo CD Application with Helm parameters, a Kustomize overlay per
 * environment), six environments, no deployment records. Night 1 declares
 * one version everywhere; before night 2 some environments move (generated
 * from a fixed seed). Truth is what a person reads from the files. Checked
 * on real git repositories through the real collector and snapshot assembly:
 *  - the version believed to run in every environment, both nights;
 *  - `diff` between every pair of environments: different exactly where
 *    the versions differ, and the config keys that differ in the files
 *    (the tag, a per-environment `replicaCount`) and no others;
 *  - `promotion.bypass` exactly where an environment moved to a version the
 *    previous environment does not have, naming the file and its author.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGitOps } from '../../collectors/gitops/source.ts';
import type { ConfigInput, GitOpsSourceConfig, Snapshot } from '../../src/model/index.ts';
import { believedRunning, configSchema, snapshotSchema } from '../../src/model/index.ts';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { diffEnvironments } from '../../src/ledger/diff.ts';
import { ALICE, BOB, makeGitRepo } from '../helpers/git-repo.ts';
import { sourceContext } from '../helpers/runtime-context.ts';
import { recordFigure, SEED } from './world.ts';

const WORLDS = 20;
const ENVS = ['dev', 'qa', 'staging', 'preprod', 'prod-us', 'prod-eu'];
const SERVICE = 'orders';
const VERSIONS = ['1.1.0', '1.2.0', '2.0.0'];

interface Layout {
  name: string;
  files: string[];
  /** The files declaring `version` (and `replicas` replicas, where the layout carries config) in `env`. */
  write(env: string, version: string, replicas: number): Record<string, string>;
  base?: Record<string, string>;
  /** Whether the files are also read as config (`image.tag` and `replicaCount`). */
  config: boolean;
}

const LAYOUTS: Layout[] = [
  {
    name: 'version file per environment',
    files: ['envs/{environment}/version.yml'],
    config: true,
    write: (env, v, r) => ({ [`envs/${env}/version.yml`]: `image:\n  repository: ghcr.io/acme/${SERVICE}\n  tag: "${v}"\nreplicaCount: ${r}\n` }),
  },
  {
    name: 'chart with layered values',
    files: ['charts/{service}/values.yaml', 'charts/{service}/values-{environment}.yaml'],
    base: { [`charts/${SERVICE}/values.yaml`]: `image:\n  repository: ghcr.io/acme/${SERVICE}\n  tag: "0.9.0"\nreplicaCount: 1\n` },
    config: true,
    write: (env, v, r) => ({ [`charts/${SERVICE}/values-${env}.yaml`]: `image:\n  tag: "${v}"\nreplicaCount: ${r}\n` }),
  },
  {
    name: 'Flux HelmRelease',
    files: ['apps/{environment}/{service}.yaml'],
    config: true,
    write: (env, v, r) => ({
      [`apps/${env}/${SERVICE}.yaml`]: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${SERVICE}\nspec:\n  chart:\n    spec:\n      chart: ${SERVICE}\n      version: "3.1.0"\n  values:\n    replicaCount: ${r}\n    image:\n      repository: ghcr.io/acme/${SERVICE}\n      tag: "${v}"\n`,
    }),
  },
  {
    name: 'Argo CD Application',
    files: ['argocd/{environment}/{service}.yaml'],
    config: true,
    write: (env, v, r) => ({
      [`argocd/${env}/${SERVICE}.yaml`]: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${SERVICE}\nspec:\n  source:\n    repoURL: https://charts.example.com\n    chart: ${SERVICE}\n    targetRevision: 3.1.0\n    helm:\n      valuesObject:\n        replicaCount: ${r}\n        image:\n          repository: ghcr.io/acme/${SERVICE}\n          tag: "0.9.0"\n      parameters:\n        - name: image.tag\n          value: "${v}"\n`,
    }),
  },
  {
    name: 'Kustomize overlay',
    files: ['overlays/{environment}/kustomization.yaml'],
    config: false,
    write: (env, v) => ({ [`overlays/${env}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/${SERVICE}\n    newTag: "${v}"\n` }),
  },
];

describe('GitOps-only estates', () => {
  it('record the declared version everywhere; diff and promotion.bypass match the truth', { timeout: 120_000 }, async ({ task }) => {
    // Per world: a layout, and per environment whether it moves before night 2 and to which version.
    const worlds = fc.sample(fc.record({ layout: fc.nat(LAYOUTS.length - 1), replicas: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: ENVS.length, maxLength: ENVS.length }), moves: fc.array(fc.option(fc.constantFrom(...VERSIONS), { nil: null }), { minLength: ENVS.length, maxLength: ENVS.length }) }), {
      seed: SEED,
      numRuns: WORLDS,
    });
    let versions = 0;
    let versionsRight = 0;
    let pairs = 0;
    let pairsRight = 0;
    let bypassExpected = 0;
    let bypassRight = 0;
    const problems: string[] = [];
    for (const [w, world] of worlds.entries()) {
      const layout = LAYOUTS[(world.layout + w) % LAYOUTS.length]!; // every layout appears
      const night1 = ENVS.map(() => '1.0.0');
      const night2 = ENVS.map((_, i) => world.moves[i] ?? night1[i]!);
      const replicas = world.replicas;
      const repo = await makeGitRepo([{ files: { ...layout.base, ...Object.assign({}, ...ENVS.map((e, i) => layout.write(e, night1[i]!, replicas[i]!))) }, author: ALICE, date: '2026-03-01T10:00:00Z' }]);
      try {
        const input: ConfigInput = {
          name: 'Acme',
          environments: ENVS.map((name) => ({ name, production: name.startsWith('prod') })),
          sources: { gitops: { type: 'gitops', path: repo.dir, files: layout.files, ...(layout.config ? { configFiles: layout.files } : {}) } },
          services: [{ name: SERVICE, sources: ['gitops'] }],
        };
        const night = async (id: string, takenAt: string, previous: Snapshot | null) => {
          const evidence = await collectGitOps(sourceContext<GitOpsSourceConfig>(input, 'gitops', { env: { PATH: process.env['PATH'] }, configDir: join(repo.dir, '..') }));
          const s = assembleSnapshot({ config: configSchema.parse(input), outcomes: [{ name: 'gitops', type: 'gitops', evidence }], id, takenAt, previous: previous && { snapshot: previous, sha256: '0'.repeat(64) }, generator: { name: 'release-ledger', version: 'test' }, secretKey: null });
          return snapshotSchema.parse(s);
        };
        const first = await night('2026-03-02T020000Z', '2026-03-02T02:00:00Z', null);
        const moved = ENVS.flatMap((e, i) => (night2[i] !== night1[i] ? [e] : []));
        if (moved.length > 0) await repo.commit({ files: Object.assign({}, ...ENVS.filter((e) => moved.includes(e)).map((e) => layout.write(e, night2[ENVS.indexOf(e)]!, replicas[ENVS.indexOf(e)]!))), author: BOB, date: '2026-03-05T10:00:00Z' });
        const second = await night('2026-03-06T020000Z', '2026-03-06T02:00:00Z', first);

        for (const [snapshot, truth] of [[first, night1], [second, night2]] as const) {
          const running = believedRunning(snapshot);
          for (const [i, env] of ENVS.entries()) {
            versions++;
            const got = running.find((d) => d.environment === env)?.version;
            if (got === truth[i]) versionsRight++;
            else problems.push(`${layout.name} world ${w} ${env}: ${got} is not ${truth[i]}`);
          }
        }
        // Every pair, not only those the site renders: `release-ledger diff` compares any two.
        for (const [a, b] of ENVS.flatMap((a, i) => ENVS.slice(i + 1).map((b) => [a, b] as const))) {
          pairs++;
          const diff = diffEnvironments(second, a, b);
          const status = diff.services[0]?.status;
          const want = night2[ENVS.indexOf(a)] === night2[ENVS.indexOf(b)] ? 'same' : 'different';
          // The config differences a person sees in the files: the tag where versions differ, replicaCount where replicas do.
          const keys = diff.configs.map((c) => c.key).sort();
          const wantKeys = layout.config ? [...(want === 'different' ? ['image.tag'] : []), ...(replicas[ENVS.indexOf(a)] !== replicas[ENVS.indexOf(b)] ? ['replicaCount'] : [])] : [];
          if (status === want && JSON.stringify(keys) === JSON.stringify(wantKeys)) pairsRight++;
          else problems.push(`${layout.name} world ${w} diff ${a} ${b}: ${status} [${keys.join(', ')}] is not ${want} [${wantKeys.join(', ')}]`);
        }
        const bypassed = new Set(second.findings.filter((f) => f.rule === 'promotion.bypass').map((f) => f.environment));
        for (const [i, env] of ENVS.entries()) {
          if (i === 0) continue;
          const want = moved.includes(env) && night2[i] !== night2[i - 1];
          if (want) bypassExpected++;
          const finding = second.findings.find((f) => f.rule === 'promotion.bypass' && f.environment === env);
          const named = !finding || (finding.evidence['declared'] as { changedBy?: string } | undefined)?.changedBy === 'Bob Example';
          if (bypassed.has(env) === want && named) bypassRight++;
          else problems.push(`${layout.name} world ${w} bypass ${env}: ${bypassed.has(env)} is not ${want}${named ? '' : ' (evidence does not name the author)'}`);
        }
      } finally {
        await repo.cleanup();
      }
    }
    const checks = ENVS.length - 1;
    recordFigure(task, {
      case: '20 GitOps-only estates: declared state answers',
      runs: WORLDS,
      result: `${versionsRight}/${versions} versions right, ${pairsRight}/${pairs} environment diffs right (versions and config keys), ${bypassRight}/${WORLDS * checks} bypass judgements right (${bypassExpected} bypasses)`,
      target: 'every recorded version, diff (version and config) and promotion.bypass equals the truth read from the files',
      pass: problems.length === 0,
      detail: `${LAYOUTS.length} layouts, ${ENVS.length} environments, no deployment records`,
    });
    expect(problems).toEqual([]);
    expect(bypassExpected).toBeGreaterThan(0);
  });
});
