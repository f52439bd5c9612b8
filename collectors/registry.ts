/**
 * Which collector serves which source `type`. Loaded lazily so a run that only
 * reads an inventory file never loads Octokit.
 */
import type { SourceType } from '../src/model/config.ts';
import type { Collector } from '../src/model/evidence.ts';

export type CollectorRegistry = Record<SourceType, () => Promise<Collector<never>>>;

const builtIn: CollectorRegistry = {
  file: async () => (await import('./file.ts')).collectFile as Collector<never>,
  github: async () => (await import('./github.ts')).collectGitHub as Collector<never>,
  http: async () => (await import('./http.ts')).collectHttp as Collector<never>,
  gitops: async () => (await import('./gitops.ts')).collectGitOps as Collector<never>,
  argocd: async () => (await import('./argocd/index.ts')).collectArgoCd as Collector<never>,
  kubernetes: async () => (await import('./kubernetes/index.ts')).collectKubernetes as Collector<never>,
};

export async function loadCollector(type: SourceType, overrides: Partial<CollectorRegistry> = {}): Promise<Collector<never>> {
  return (overrides[type] ?? builtIn[type])();
}
