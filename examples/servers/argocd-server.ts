/**
 * An Argo-CD-compatible server on 127.0.0.1: `GET /api/v1/applications`
 * answers an application list as Argo CD's REST API does (bearer token,
 * `projects` filter, 401 without the token). Every Application it serves is
 * validated against Argo CD's published CRD schema (`@kubernetes-models/argo-cd`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { startHttpServer, type Endpoint, type TestServer } from '../../tests/helpers/http-server.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArgoApplication = { metadata: { name: string; namespace?: string }; spec: any; status?: any };

export function validateApplications(apps: readonly ArgoApplication[]): void {
  for (const app of apps) {
    try {
      new Application({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app } as never).validate();
    } catch (error) {
      throw new Error(`Application ${app.metadata.name} does not match Argo CD's schema: ${(error as Error).message}`);
    }
  }
}

export interface ArgoServer extends TestServer {
  setApplications(apps: ArgoApplication[]): void;
  /** Replaces the answer (a fault) until reset with `undefined`. */
  setFault(endpoint: Endpoint | undefined): void;
}

/** Starts the server on 127.0.0.1: on `options.port` (the demo's; a taken port rejects with EADDRINUSE), or a free port. */
export async function startArgoServer(apps: ArgoApplication[], options: { token: string; port?: number }): Promise<ArgoServer> {
  validateApplications(apps);
  let current = apps;
  let fault: Endpoint | undefined;
  const list: Endpoint = (request: IncomingMessage, response: ServerResponse) => {
    if (fault) return fault(request, response);
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    if (request.headers.authorization !== `Bearer ${options.token}`) return send(401, { error: 'invalid session: token is malformed', code: 16, message: 'invalid session: token is malformed' });
    const projects = new URL(request.url ?? '/', 'http://x').searchParams.getAll('projects');
    const items = current
      .filter((a) => projects.length === 0 || projects.includes(a.spec.project))
      .map((a) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...a }));
    send(200, { metadata: { resourceVersion: '4242' }, items: items.length ? items : null });
  };
  const server = await startHttpServer({ '/api/v1/applications': list }, options.port === undefined ? {} : { port: options.port });
  return {
    ...server,
    setApplications(next) {
      validateApplications(next);
      current = next;
    },
    setFault(endpoint) {
      fault = endpoint;
    },
  };
}

/** A synced application with its history, in the shape Argo CD serves it. */
export function application(options: {
  name: string;
  destination: string;
  namespace?: string;
  project?: string;
  repoURL?: string;
  path?: string;
  targetRevision?: string;
  images: string[];
  kustomizeImages?: string[];
  sync?: 'Synced' | 'OutOfSync' | 'Unknown';
  health?: 'Healthy' | 'Degraded' | 'Progressing' | 'Missing';
  history: { id: number; revision: string; deployedAt: string; startedAt?: string; by: string | 'automated' }[];
}): ArgoApplication {
  const latest = [...options.history].sort((a, b) => b.id - a.id)[0];
  const initiatedBy = (by: string) => (by === 'automated' ? { automated: true } : { username: by });
  return {
    metadata: { name: options.name, namespace: 'argocd' },
    spec: {
      project: options.project ?? 'default',
      source: {
        repoURL: options.repoURL ?? 'https://github.com/acme/gitops.git',
        path: options.path ?? `apps/${options.name}`,
        targetRevision: options.targetRevision ?? 'main',
        ...(options.kustomizeImages ? { kustomize: { images: options.kustomizeImages } } : {}),
      },
      destination: { name: options.destination, namespace: options.namespace ?? 'default' },
    },
    status: {
      sync: { status: options.sync ?? 'Synced', revision: latest?.revision, comparedTo: { source: { repoURL: options.repoURL ?? 'https://github.com/acme/gitops.git' }, destination: { name: options.destination } } },
      health: { status: options.health ?? 'Healthy' },
      summary: { images: options.images },
      history: options.history.map((h) => ({
        id: h.id,
        revision: h.revision,
        deployedAt: h.deployedAt,
        ...(h.startedAt ? { deployStartedAt: h.startedAt } : {}),
        source: { repoURL: options.repoURL ?? 'https://github.com/acme/gitops.git', path: options.path ?? `apps/${options.name}`, targetRevision: options.targetRevision ?? 'main' },
        initiatedBy: initiatedBy(h.by),
      })),
      ...(latest
        ? {
            operationState: {
              phase: 'Succeeded',
              startedAt: latest.startedAt ?? latest.deployedAt,
              finishedAt: latest.deployedAt,
              operation: { sync: { revision: latest.revision }, initiatedBy: initiatedBy(latest.by) },
            },
          }
        : {}),
    },
  };
}
