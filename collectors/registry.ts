/**
 * Which collector serves which source `type`. Loaded lazily so a run that only
 * reads an inventory file never loads Octokit.
 */
import type { SourceType } from '../src/model/config.ts';
import type { Collector } from '../src/model/evidence.ts';

export type CollectorRegistry = Record<SourceType, () => Promise<Collector<never>>>;

const builtIn: CollectorRegistry = {
  file: async () => (await import('./file/source.ts')).collectFile as Collector<never>,
  github: async () => (await import('./github/source.ts')).collectGitHub as Collector<never>,
  http: async () => (await import('./http/source.ts')).collectHttp as Collector<never>,
  gitops: async () => (await import('./gitops/source.ts')).collectGitOps as Collector<never>,
  kubernetes: async () => (await import('./kubernetes/source.ts')).collectKubernetes as Collector<never>,
  argocd: async () => (await import('./argocd/source.ts')).collectArgoCd as Collector<never>,
};

export async function loadCollector(type: SourceType, overrides: Partial<CollectorRegistry> = {}): Promise<Collector<never>> {
  return (overrides[type] ?? builtIn[type])();
}
