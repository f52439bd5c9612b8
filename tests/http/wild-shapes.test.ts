/**
 * Version endpoints as they are in the wild (issue 20, item 7): one fleet
 * mixing Kubernetes `/version`, Argo CD `/api/version`, Prometheus
 * buildinfo, .NET PascalCase bodies, the git-commit-id plugin's `git.json`
 * and `version (commit)` text, read with no configuration; JSON Pointers per
 * service for literal dotted keys; old dotted paths still working. Real
 * servers on 127.0.0.1; the bodies follow the projects' documented output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectHttp } from '../../collectors/http/source.ts';
import { configSchema, type ConfigInput, type HttpSourceConfig } from '../../src/model/index.ts';
import { json, startHttpServer, text, type TestServer } from '../helpers/http-server.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Service = { name: string; path: string; versionPath?: string; commitPath?: string };

function config(services: Service[], runtime: Record<string, unknown> = {}): ConfigInput {
  return {
    name: 'Acme',
    environments: [{ name: 'prod', production: true }],
    sources: { runtime: { type: 'http', ...runtime } as never },
    services: services.map(({ path, ...s }) => ({ ...s, sources: ['runtime'], versionUrl: { prod: server!.url(path) } })),
  };
}

async function observe(services: Service[], runtime: Record<string, unknown> = {}) {
  const evidence = await collectHttp(sourceContext<HttpSourceConfig>(config(services, runtime), 'runtime'));
  return { gaps: evidence.gaps.map((g) => `${g.service}: ${g.reason}`), seen: Object.fromEntries(evidence.observed.map((o) => [o.service, `${o.version} ${o.commit}`])) };
}

const K8S_COMMIT = '39683505b630ff2121012f3c5b16215a1449d5ed';
const ARGO_COMMIT = '3f344d54a4e0bbbb4313e1c19cfe1e544b162598';
const PROM_COMMIT = '4c35b9250afefede41c5f5acd76191f90f625898';
const GIT_COMMIT = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';

describe('version endpoints recognised without configuration', () => {
  it('a fleet mixing Kubernetes, Argo CD, Prometheus, .NET, git.json and "v1.4.2 (abc1234)" text: every version and commit read', async () => {
    server = await startHttpServer({
      // https://kubernetes.io/docs/reference/using-api/ (GET /version, k8s.io/apimachinery version.Info)
      '/k8s/version': json({ major: '1', minor: '30', gitVersion: 'v1.30.2', gitCommit: K8S_COMMIT, gitTreeState: 'clean', buildDate: '2024-06-11T20:21:00Z', goVersion: 'go1.22.4', compiler: 'gc', platform: 'linux/amd64' }),
      // Argo CD GET /api/version (server/version)
      '/argocd/api/version': json({ Version: 'v2.11.3+3f344d5', BuildDate: '2024-06-06T09:27:36Z', GitCommit: ARGO_COMMIT, GitTreeState: 'clean', GoVersion: 'go1.21.9', Compiler: 'gc', Platform: 'linux/amd64', KustomizeVersion: 'v5.2.1 2023-10-19T20:13:51Z', HelmVersion: 'v3.14.4+g81c902a' }),
      // https://prometheus.io/docs/prometheus/latest/querying/api/#build-information
      '/prom/api/v1/status/buildinfo': json({ status: 'success', data: { version: '2.53.0', revision: PROM_COMMIT, branch: 'HEAD', buildUser: 'root@7f0b6d8f1a2d', buildDate: '20240618-15:00:00', goVersion: 'go1.22.4' } }),
      // An ASP.NET service serialising its build info with PascalCase names.
      '/dotnet/version': json({ Version: '3.2.0', Commit: 'D34DB33F', Environment: 'Production' }),
      // git-commit-id-maven-plugin, format json: literal dotted keys.
      '/billing/git.json': json({ 'git.branch': 'main', 'git.build.version': '1.4.2', 'git.closest.tag.name': 'v1.4.2', 'git.commit.id': GIT_COMMIT, 'git.commit.id.abbrev': '0a1b2c3', 'git.dirty': 'false' }),
      '/legacy/version': text('v1.4.2 (abc1234)\n'),
    });
    const result = await observe([
      { name: 'cluster', path: '/k8s/version' },
      { name: 'argocd', path: '/argocd/api/version' },
      { name: 'prometheus', path: '/prom/api/v1/status/buildinfo' },
      { name: 'orders', path: '/dotnet/version' },
      { name: 'billing', path: '/billing/git.json' },
      { name: 'legacy', path: '/legacy/version' },
    ]);
    expect(result).toEqual({
      gaps: [],
      seen: {
        cluster: `v1.30.2 ${K8S_COMMIT}`,
        argocd: `v2.11.3+3f344d5 ${ARGO_COMMIT}`,
        prometheus: `2.53.0 ${PROM_COMMIT}`,
        orders: '3.2.0 d34db33f',
        billing: `1.4.2 ${GIT_COMMIT}`,
        legacy: 'v1.4.2 abc1234',
      },
    });
  });
});

describe('versionPath / commitPath: JSON Pointer per service, dotted paths still work', () => {
  it('a service\'s JSON Pointer reads literal dotted keys and escaped slashes; it wins over the source\'s dotted path, which the other services keep', async () => {
    server = await startHttpServer({
      '/a': json({ meta: { 'build.info': { release: '5.0.1' } }, 'scm/sha': 'ABCDEF0123', release: { tag: 'ignored' } }),
      '/b': json({ release: { tag: '7.1.0' }, head: { sha: '1234567abc' } }),
    });
    const result = await observe(
      [
        { name: 'a', path: '/a', versionPath: '/meta/build.info/release', commitPath: '/scm~1sha' },
        { name: 'b', path: '/b' },
      ],
      { versionPath: 'release.tag', commitPath: 'head.sha' },
    );
    expect(result).toEqual({ gaps: [], seen: { a: '5.0.1 abcdef0123', b: '7.1.0 1234567abc' } });
  });

  it('a dotted path cannot reach a literal dotted key (it splits on dots), the JSON Pointer can', async () => {
    server = await startHttpServer({ '/v': json({ 'app.version': '8.8.8' }) });
    expect((await observe([{ name: 'x', path: '/v', versionPath: 'app.version' }])).gaps).toEqual([expect.stringContaining('unparsable body (tried: versionPath "app.version"')]);
    expect((await observe([{ name: 'x', path: '/v', versionPath: '/app.version' }])).seen).toEqual({ x: '8.8.8 null' });
  });

  it('the config takes a service\'s JSON Pointer and refuses one with a bad escape, naming the field', () => {
    const parse = (commitPath: string) =>
      configSchema.safeParse({
        name: 'Acme',
        environments: [{ name: 'prod' }],
        sources: { runtime: { type: 'http', versionPath: 'build.version' } },
        services: [{ name: 'x', sources: ['runtime'], versionUrl: { prod: 'http://127.0.0.1/v' }, commitPath }],
      });
    expect(parse('/git.commit.id').success).toBe(true);
    expect(parse('/a~0b~1c').success).toBe(true);
    const bad = parse('/git~2commit');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['services.0.commitPath: a JSON Pointer ("/git.commit.id"; "~" only as "~0" or "~1") or a dotted path ("build.version")']);
  });
});
