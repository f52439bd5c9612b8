/** The GitHub source's plain functions: queries, payload mapping, safe error text. I/O lives in `collectors/github.ts`. */
export { HISTORY_DEPTH, branchPrefixes, lookupWeight, lookupsQuery, repositoriesQuery } from './queries.ts';
export type { LookupInput, RepoQueryInput } from './queries.ts';
export {
  approvalTime,
  artifactOf,
  componentsFrom,
  configFileFor,
  environmentValues,
  extractTickets,
  hasRequiredReviewers,
  isoUtc,
  mapBranches,
  mapProtection,
  mapPullRequests,
  mapRunApprovals,
  parseConfigFile,
  pickActive,
  pullRequestApprovals,
  runIdOf,
  splitRepo,
  statusesOf,
  successAt,
  versionOf,
} from './map.ts';
export { BudgetExhausted, RateLimitSpent, describeError, scrub, tokenHelp } from './errors.ts';
export type * from './types.ts';
