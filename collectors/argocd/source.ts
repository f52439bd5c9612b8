/**
 * The `argocd` source: Argo CD applications through its REST API
 * (`GET /api/v1/applications`, https://argo-cd.readthedocs.io/en/stable/developer-guide/api-docs/),
 * with a token from an environment variable, sent and never stored; or,
 * with `cluster`, the `Application` resources in Argo CD's namespace, read
 * through the Kubernetes API as the kubernetes source reads a cluster. One
 * request lists every application (of `project`, when set). Any failure
 * (401/403, 5xx, a timeout, an unreachable server, a body that is not an
 * application list, a missing token) is a gap for every service listing the
 * source; a service without an application is a gap too (./map.ts).
 */
import type { ArgoCdSourceConfig, Collector, Evidence, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { readBodyCapped } from '../shared/capped-body.ts';
import { kubeConfigFor, listCustom } from '../kubernetes/source.ts';
import { mapApplications, type Application } from './map.ts';

/** An application list of a few thousand applications is well under this. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export const collectArgoCd: Collector<ArgoCdSourceConfig> = async (context) => {
  const { settings } = context;
  const evidence: Evidence = emptyEvidence();
  const mapped = Object.keys(settings.environments);
  const environments = context.config.environments.map((e) => e.name).filter((e) => mapped.length === 0 || mapped.includes(e));
  const allGap = (reason: string) => {
    for (const s of context.services) for (const environment of environments) evidence.gaps.push({ source: context.name, service: s.name, environment, evidence: 'all', reason });
    context.progress(`${context.name}: ${reason}`);
    return evidence;
  };
  let listed: { ok: true; items: Application[] } | { ok: false; reason: string };
  if (settings.cluster) {
    // The Application resources themselves, read as the kubernetes source reads a cluster.
    const kc = await kubeConfigFor(settings.cluster, context);
    if (typeof kc === 'string') return allGap(kc);
    const read = await listCustom<Application>(kc, { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespace: settings.namespace }, { pageSize: 500, timeoutMs: settings.timeoutMs }, { requests: 0 });
    listed = read.ok ? read : { ok: false, reason: `list applications.argoproj.io in ${settings.namespace}: ${read.reason}` };
  } else {
    const token = context.env[settings.tokenEnv];
    if (!token) return allGap(`environment variable ${settings.tokenEnv} (the Argo CD token) is not set`);
    listed = await listApplications(context, settings.baseUrl!, token.trim());
  }
  if (!listed.ok) return allGap(listed.reason);
  const out = mapApplications({
    source: context.name,
    at: context.now.toISOString().replace('.000Z', 'Z'),
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    settings,
    services: context.services,
    environments,
    applications: listed.items,
  });
  Object.assign(evidence, { deployments: out.deployments, history: out.history, declared: out.declared, observed: out.observed, gaps: out.gaps, syncs: out.syncs });
  context.progress(`${context.name}: ${listed.items.length} application(s), ${out.deployments.length} deployment(s), ${out.gaps.length} gap(s)`);
  return evidence;
};

async function listApplications(context: SourceContext<ArgoCdSourceConfig>, baseUrl: string, token: string): Promise<{ ok: true; items: Application[] } | { ok: false; reason: string }> {
  const { settings } = context;
  const url = new URL('api/v1/applications', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  if (settings.project) url.searchParams.set('projects', settings.project);
  const where = `GET ${url.origin}${url.pathname}`;
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await context.fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal, redirect: 'error' });
    if (!response.ok) {
      await response.body?.cancel();
      const hint = response.status === 401 || response.status === 403 ? ' (is the token valid, with read access to applications?)' : '';
      return { ok: false, reason: `${where}: HTTP ${response.status}${hint}` };
    }
    const body = await readBodyCapped(response.body, MAX_BODY_BYTES);
    if (body === null) return { ok: false, reason: `${where}: body larger than ${MAX_BODY_BYTES} bytes` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return { ok: false, reason: `${where}: the body is not JSON` };
    }
    const items = (parsed as { items?: unknown } | null)?.items;
    // Argo CD sends `items: null` when there are no applications.
    if (items === null || items === undefined) return { ok: true, items: [] };
    if (!Array.isArray(items)) return { ok: false, reason: `${where}: not an application list (no items array)` };
    return { ok: true, items: items as Application[] };
  } catch (error) {
    if (signal.aborted) return { ok: false, reason: `${where}: timeout after ${settings.timeoutMs} ms` };
    const code = codeOf(error);
    return { ok: false, reason: `${where}: ${code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : 'request failed'}${code ? ` (${code})` : ''}` };
  }
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
