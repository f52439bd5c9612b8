/**
 * GraphQL documents for the GitHub source. One query carries many aliased
 * `repository(owner:, name:)` blocks, so a night of 500 repositories costs a
 * handful of POSTs instead of thousands of REST calls
 * (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql).
 * Every document built here is checked against GitHub's published schema in
 * the tests (`@octokit/graphql-schema`).
 */
import picomatch from 'picomatch';

/** A GraphQL string literal (JSON escaping is a subset of GraphQL's). */
const str = (value: string) => JSON.stringify(value);

/** Deployments per environment read each night: enough to find the active one, the one before it and promotion history. */
export const HISTORY_DEPTH = 20;

export interface RepoQueryInput {
  owner: string;
  name: string;
  /** GitHub environment names, in ledger order; alias `d<i>` holds environment i. */
  environments: string[];
  /** Branch-name prefixes to list (from the release patterns); alias `b<i>` holds prefix i. */
  branchPrefixes: string[];
}

/** The literal prefix of each glob (`release/*` -> `release/`), deduplicated, for `refs(query:)`. */
export function branchPrefixes(patterns: readonly string[]): string[] {
  const prefixes = patterns.map((pattern) => {
    const { base, isGlob } = picomatch.scan(pattern);
    return isGlob ? (base ? `${base}/` : '') : pattern;
  });
  // A prefix that another one contains is redundant: `release/` covers `release/v`.
  const unique = [...new Set(prefixes)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && p.startsWith(q)));
}

const DEPLOYMENT_FIELDS = `fragment S on DeploymentStatus { state createdAt logUrl environmentUrl }
fragment D on Deployment { databaseId createdAt commitOid environment task payload ref { name prefix } creator { login } latestStatus { ...S } statuses(first: 10) { nodes { ...S } } }`;

/** The nightly per-repository query: default branch, releases, tags, release branches and deployment history per environment. */
export function repositoriesQuery(repos: readonly RepoQueryInput[]): string {
  const blocks = repos.map((repo, i) => {
    const deployments = repo.environments
      .map((env, j) => `d${j}: deployments(environments: [${str(env)}], first: ${HISTORY_DEPTH}, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { ...D } }`)
      .join('\n    ');
    const branches = repo.branchPrefixes
      .map((prefix, j) => `b${j}: refs(refPrefix: "refs/heads/", query: ${str(prefix)}, first: 100) { nodes { name target { oid ... on Commit { committedDate } } } }`)
      .join('\n    ');
    return `r${i}: repository(owner: ${str(repo.owner)}, name: ${str(repo.name)}) {
    nameWithOwner url createdAt
    defaultBranchRef { name target { oid ... on Commit { committedDate } } }
    releases(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { tagName isDraft isPrerelease url tagCommit { oid } } }
    tags: refs(refPrefix: "refs/tags/", first: 100, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) { nodes { name target { __typename oid ... on Tag { target { oid } } } } }
    ${deployments}
    ${branches}
  }`;
  });
  const usesDeployments = repos.some((r) => r.environments.length > 0);
  return `query {\n  ${blocks.join('\n  ')}\n}\n${usesDeployments ? DEPLOYMENT_FIELDS : ''}\n`;
}

export interface LookupInput {
  owner: string;
  name: string;
  /** Commits whose pull requests are wanted; alias `c<i>`. */
  commits: string[];
  /** `sha:path` blobs wanted; alias `f<i>`. */
  files: string[];
  /** Branch comparisons wanted, default branch as base; alias `k<i>`. */
  compares: { base: string; head: string }[];
  /** Deployed commits whose workflow runs' deployment reviews are wanted; alias `w<i>`. */
  reviews?: string[];
}

/** Second-phase lookups: pull requests (with reviews) of commits, files at commits, branch comparisons. */
export function lookupsQuery(repos: readonly LookupInput[]): string {
  const blocks = repos.map((repo, i) => {
    const parts = [
      ...repo.commits.map((sha, j) => `c${j}: object(oid: ${str(sha)}) { ... on Commit { associatedPullRequests(first: 5) { nodes { ...P } } } }`),
      ...repo.files.map((expr, j) => `f${j}: object(expression: ${str(expr)}) { ... on Blob { text isBinary isTruncated } }`),
      ...repo.compares.map((c, j) => `k${j}: ref(qualifiedName: ${str(`refs/heads/${c.base}`)}) { compare(headRef: ${str(c.head)}) { aheadBy behindBy } }`),
      // A workflow run is a check suite on its head commit; its deployment reviews are the run's approvals.
      // https://docs.github.com/en/graphql/reference/objects#workflowrun
      ...(repo.reviews ?? []).map(
        (sha, j) =>
          `w${j}: object(oid: ${str(sha)}) { ... on Commit { checkSuites(first: 50) { nodes { workflowRun { databaseId deploymentReviews(first: 20) { nodes { state comment user { login } environments(first: 20) { nodes { name } } } } } } } } }`,
      ),
    ];
    return `r${i}: repository(owner: ${str(repo.owner)}, name: ${str(repo.name)}) {\n    ${parts.join('\n    ')}\n  }`;
  });
  const usesPulls = repos.some((r) => r.commits.length > 0);
  const fragment = usesPulls
    ? `\nfragment P on PullRequest { number title url headRefName merged mergedAt author { login } mergedBy { login } reviews(first: 50) { nodes { state submittedAt url author { login } } } }\n`
    : '\n';
  return `query {\n  ${blocks.join('\n  ')}\n}${fragment}`;
}

/** How many aliased fields a lookup block carries (used to size batches). */
export function lookupWeight(input: LookupInput): number {
  return input.commits.length * 4 + input.files.length + input.compares.length + (input.reviews?.length ?? 0) * 2;
}
