/**
 * The compatible server speaks the protocol the official client expects:
 * Debian's real `kubectl` (package kubernetes-client) lists through it in
 * chunks and reports its errors as it reports a real API server's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeWorlds, secret, startKubeServer, validateWorld, workload, type KubeServer } from '../helpers/kube-server.ts';

const run = promisify(execFile);

const world = () =>
  mergeWorlds(
    workload({ namespace: 'payments', name: 'payments-api', image: 'ghcr.io/acme/payments-api:2.4.1' }),
    workload({ namespace: 'payments', name: 'payments-worker', image: 'ghcr.io/acme/payments-worker:2.4.1' }),
    workload({ namespace: 'search', name: 'search', image: 'ghcr.io/acme/search:1.0.0' }),
    workload({ namespace: 'web', name: 'web', image: 'ghcr.io/acme/web:3.1.0' }),
    workload({ namespace: 'web', name: 'web-edge', image: 'ghcr.io/acme/web-edge:3.1.0', kind: 'DaemonSet' }),
    { secrets: [secret('payments', 'db', { password: 'MARKER-never-travels' })] },
  );

let server: KubeServer;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kube-'));
});
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = await server.kubeconfig(dir);
  try {
    const { stdout, stderr } = await run('kubectl', [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, 'cache')}`, '--request-timeout=20s', ...args], {
      env: { PATH: process.env.PATH, HOME: dir },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the Kubernetes-compatible test server', () => {
  it('kubectl get deployments -A --chunk-size=2 returns every item across pages', async () => {
    server = await startKubeServer(world());
    const out = await kubectl(['get', 'deployments', '-A', '-o', 'json', '--chunk-size=2']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const list = JSON.parse(out.stdout) as { kind: string; items: { metadata: { namespace: string; name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['payments/payments-api', 'payments/payments-worker', 'search/search', 'web/web']);
    const pages = server.requests.filter((r) => r.url.startsWith('/apis/apps/v1/deployments'));
    expect(pages.map((r) => new URL(r.url, server.origin).searchParams.get('limit'))).toEqual(['2', '2']);
    expect(new URL(pages[1]!.url, server.origin).searchParams.get('continue')).toBeTruthy();
  });

  it('kubectl reports a 403 Status as it reports a real API server\'s', async () => {
    server = await startKubeServer(world(), { faults: { deployments: { kind: 'forbidden' } } });
    const out = await kubectl(['get', 'deployments', '-A', '-o', 'json', '--chunk-size=2']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      'Error from server (Forbidden): deployments.apps is forbidden: User "system:serviceaccount:release-ledger:reader" cannot list resource "deployments" in API group "apps" at the cluster scope',
    );
  });

  it('kubectl reports an expired continue token (410) as "Expired"', async () => {
    server = await startKubeServer(world(), { faults: { deployments: { kind: 'gone-always' } } });
    const out = await kubectl(['get', 'deployments', '-A', '-o', 'json', '--chunk-size=2']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^Error from server \(Expired\): The provided continue parameter is too old/);
  });

  it('metadata-only lists never carry Secret values; full lists do', async () => {
    server = await startKubeServer(world());
    const meta = await server.get('/api/v1/secrets', { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' });
    const metaText = meta.text;
    expect(JSON.parse(metaText).kind).toBe('PartialObjectMetadataList');
    expect(metaText).toContain('"name":"db"');
    expect(metaText).not.toContain(Buffer.from('MARKER-never-travels').toString('base64'));
    const full = (await server.get('/api/v1/secrets')).text;
    // The marker is served when values are asked for, so its absence above means something.
    expect(full).toContain(Buffer.from('MARKER-never-travels').toString('base64'));
  });

  it('refuses an object that does not match the Kubernetes schema', () => {
    const bad = workload({ namespace: 'x', name: 'x', image: 'x:1' });
    (bad.deployments![0]!.spec as Record<string, unknown>).replicas = 'two';
    expect(() => validateWorld(bad)).toThrow(/Deployment x\/x does not match the Kubernetes schema/);
  });
});
