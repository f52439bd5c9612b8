/**
 * The raw GitHub payloads the GitHub source reads, reduced to the fields it
 * uses. GraphQL shapes follow the queries in `queries.ts` (GitHub's GraphQL
 * schema: https://docs.github.com/en/graphql/reference/objects); REST shapes
 * follow the 2022-11-28 REST API (https://docs.github.com/en/rest).
 */

/** `DeploymentStatus` (https://docs.github.com/en/graphql/reference/objects#deploymentstatus). */
export interface GqlDeploymentStatus {
  state: string;
  createdAt: string;
  logUrl: string | null;
  environmentUrl: string | null;
}

/** `Deployment` (https://docs.github.com/en/graphql/reference/objects#deployment). */
export interface GqlDeployment {
  databaseId: number | null;
  createdAt: string;
  commitOid: string;
  environment: string | null;
  task: string | null;
  payload: string | null;
  /** `prefix` is `refs/heads/` (a branch) or `refs/tags/` (a tag). */
  ref: { name: string; prefix?: string | null } | null;
  creator: { login: string } | null;
  latestStatus: GqlDeploymentStatus | null;
  statuses: { nodes: (GqlDeploymentStatus | null)[] | null } | null;
}

export interface GqlCommitTarget {
  __typename?: string;
  oid: string;
  committedDate?: string;
  /** For an annotated tag: the object it points to. */
  target?: { oid: string } | null;
}

/** One `repository` block of the per-repository query. Aliased fields (`d0`, `b0`, …) are read through `queries.ts`. */
export interface GqlRepository {
  nameWithOwner: string;
  url: string;
  /** When the repository was created: no deployment, status or review of it is older. */
  createdAt?: string | null;
  defaultBranchRef: { name: string; target: GqlCommitTarget | null } | null;
  releases: { nodes: ({ tagName: string; isDraft: boolean; isPrerelease: boolean; url: string; tagCommit: { oid: string } | null } | null)[] | null } | null;
  tags: { nodes: ({ name: string; target: GqlCommitTarget | null } | null)[] | null } | null;
  [alias: string]: unknown;
}

/** `PullRequest` as the pull-request lookup asks for it. */
export interface GqlPullRequest {
  number: number;
  title: string;
  url: string;
  headRefName: string;
  merged: boolean;
  mergedAt: string | null;
  author: { login: string } | null;
  mergedBy: { login: string } | null;
  reviews: { nodes: ({ state: string; submittedAt: string | null; url: string; author: { login: string } | null } | null)[] | null } | null;
}

/** REST environment (https://docs.github.com/en/rest/deployments/environments#get-an-environment). */
export interface RestEnvironment {
  name: string;
  protection_rules?: Array<{
    type: string;
    wait_timer?: number;
    prevent_self_review?: boolean;
    reviewers?: Array<{ type?: string; reviewer?: { login?: string; slug?: string; name?: string } | null }>;
  }>;
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

/** REST environment variable (https://docs.github.com/en/rest/actions/variables#list-environment-variables). */
export interface RestVariable {
  name: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/** REST environment secret, name only (https://docs.github.com/en/rest/actions/secrets#list-environment-secrets). */
export interface RestSecret {
  name: string;
  created_at: string;
  updated_at: string;
}

/** REST workflow-run review (https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run). */
export interface RestRunApproval {
  state: string;
  comment: string;
  user: { login: string; html_url?: string };
  environments: Array<{ name?: string; html_url?: string }>;
}

/** What the ledger keeps of a comparison (https://docs.github.com/en/rest/commits/commits#compare-two-commits). */
export interface CompareResult {
  aheadBy: number;
  behindBy: number;
  /** Shas of the commits in `base...head`, oldest first (GitHub lists at most 250). */
  commits: string[];
  totalCommits: number;
}
