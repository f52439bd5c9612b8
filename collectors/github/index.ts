/** The GitHub source's plain functions: queries, payload mapping, safe error text. I/O lives in `collectors/github/source.ts`. */
export { HISTORY_DEPTH, branchPrefixes, lookupWeight, lookupsQuery, repositoriesQuery } from './queries.ts';
export type { LookupInput, RepoQueryInput } from './queries.ts';
export type { TimeBounds } from './map.ts';
export {
  approvalTime,
  checkPulls,
  checkTime,
  deploymentTimeProblem,
  eventBounds,
  repositoryBounds,
  componentsFrom,
  configFileFor,
  environmentValues,
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
} from './map.ts';
export { artifactOf, payloadOf, payloadVersion } from './payload.ts';
export { unknownVersion, versionOf } from './version.ts';
export type { DeployedRef } from './version.ts';
export { createdByWorkflowToken, runDeployer } from './deployer.ts';
export { branchPolicyAllows, mayBeTransient, passedOver } from './what-runs.ts';
export { environmentKey, environmentsByName, sameEnvironment } from './environment-name.ts';
export { BadRecord, BudgetExhausted, DeadlineReached, PaginationLoop, RateLimitSpent, ResponseTooLarge, describeError, scrub, tokenHelp } from './errors.ts';
export { RequestBudget, sharedBudget } from './budget.ts';
export type * from './types.ts';
