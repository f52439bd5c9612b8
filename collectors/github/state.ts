/**
 * What the GitHub source knows of each repository and environment as a run
 * goes through its phases (source.ts), and the plan it starts from.
 */
import type { Approval, GitHubSourceConfig, ServiceConfig, SourceContext } from '../../src/model/index.ts';
import { splitRepo } from './map.ts';
import type { CompareResult, GqlDeployment, GqlPullRequest, GqlRepository, RestEnvironment, RestRunApproval, RestSecret, RestVariable } from './types.ts';
import type { TimeBounds } from './map.ts';
import type { PassedOverReason } from './what-runs.ts';

export type Kind = 'deployment' | 'approvals' | 'config' | 'branches' | 'changes' | 'protection' | 'all';

export interface EnvState {
  ledger: string;
  /** GitHub's name of the environment: the config's, then GitHub's own spelling once the environments list is read. */
  github: string;
  /** The spelling deployments were first asked under (the config's). */
  asked: string;
  /** A bad deployment record made this cell a gap: nothing more is added to it. */
  failed?: boolean;
  deployments: GqlDeployment[];
  active: GqlDeployment | null;
  previous: GqlDeployment | null;
  runApprovals?: Approval[];
  compare?: CompareResult;
  variables?: { variables: RestVariable[]; secrets: RestSecret[] };
  /** The name patterns of a custom deployment branch policy (`tag:` before tag patterns). */
  branchPolicies?: string[];
  /** Successful deployments passed over as not what runs (what-runs.ts), newest first, with why: recorded in the snapshot. */
  passedOver?: { deployment: GqlDeployment; why: PassedOverReason }[];
  /** Who triggered the workflow run of an active deployment made with GITHUB_TOKEN (deployer.ts). */
  deployer?: string;
}

export interface RepoState {
  key: string;
  owner: string;
  name: string;
  services: ServiceConfig[];
  repo?: GqlRepository;
  environments?: Map<string, RestEnvironment>;
  envs: EnvState[];
  /** Phase-4 results. */
  pulls: Map<string, GqlPullRequest[]>;
  /** Commits whose pull requests came back (partly) unusable, and why: a gap for the cells that use them. */
  pullProblems: Map<string, string>;
  /** The window this repository's events must fall in (the run's, narrowed to after the repository was created). */
  bounds?: TimeBounds;
  blobs: Map<string, string | null>;
  branchCompares: Map<string, { aheadBy: number; behindBy: number }>;
  /** Workflow run id -> its deployment reviews, from the GraphQL lookups. */
  runReviews: Map<number, RestRunApproval[]>;
  failed: boolean;
}

/** One state per repository the services name, every environment of the config in it; a service without `repo` is a gap. */
export function planRepositories(
  ctx: Pick<SourceContext<GitHubSourceConfig>, 'config' | 'services'>,
  settings: Pick<GitHubSourceConfig, 'environments'>,
  gap: (service: string, reason: string) => void,
): RepoState[] {
  const byRepo = new Map<string, RepoState>();
  const environments = ctx.config.environments.map((e) => ({ ledger: e.name, github: settings.environments[e.name] ?? e.name }));
  for (const service of ctx.services) {
    const parts = service.repo ? splitRepo(service.repo) : null;
    if (!parts) {
      gap(service.name, 'the service has no `repo` (owner/name) for the GitHub source to read');
      continue;
    }
    const key = `${parts.owner}/${parts.name}`.toLowerCase();
    const state =
      byRepo.get(key) ??
      ({
        key,
        ...parts,
        services: [] as ServiceConfig[],
        envs: environments.map((e) => ({ ...e, asked: e.github, deployments: [], active: null, previous: null })),
        pulls: new Map(),
        pullProblems: new Map(),
        blobs: new Map(),
        branchCompares: new Map(),
        runReviews: new Map(),
        failed: false,
      } satisfies RepoState);
    state.services.push(service);
    byRepo.set(key, state);
  }
  return [...byRepo.values()].sort((a, b) => a.key.localeCompare(b.key));
}
