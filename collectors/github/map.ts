/**
 * Plain functions from raw GitHub payloads to ledger evidence. No I/O: the
 * collector (`collectors/github/source.ts`) fetches, these decide.
 */
import picomatch from 'picomatch';
import semver from 'semver';
import type { Approval, Branch, PullRequest, StoredValue } from '../../src/model/index.ts';
import { sameEnvironment } from './environment-name.ts';
import { payloadOf, payloadRunId } from './payload.ts';
import type { GqlDeployment, GqlDeploymentStatus, GqlPullRequest, RestEnvironment, RestRunApproval, RestSecret, RestVariable } from './types.ts';
import { INPUT_LIMITS } from '../../src/model/input-limits.ts';
import { readYaml } from '../../src/model/yaml.ts';

type Protection = { requiredReviewers: string[]; preventSelfReview: boolean; waitTimerMinutes: number; branchPolicy: string };

/** A value quoted in a message only when it is made of time characters: anything else may be a credential or megabytes long. */
function quoteTime(value: unknown): string {
  return typeof value === 'string' && /^[0-9TZ:.+\- ]{1,40}$/.test(value) ? JSON.stringify(value) : `a ${typeof value === 'string' ? `${value.length}-character string` : String(value === null ? 'null' : typeof value)}`;
}

/** ISO time normalised to `YYYY-MM-DDTHH:MM:SSZ` (the snapshot schema rejects offsets and keeps it short). */
export function isoUtc(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new TypeError(`not a time: ${quoteTime(value)}`);
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The window a time from GitHub must fall in to be used as evidence (milliseconds since the epoch). */
export interface TimeBounds {
  notBefore: number;
  notAfter: number;
}

/**
 * Before this, no GitHub event (deployment, status, review, merge, variable
 * change) can have happened: GitHub opened in April 2008. Commit dates are
 * set by whoever commits (imported history may predate git), so they are
 * only held to the epoch.
 */
export const GITHUB_EPOCH = Date.parse('2008-01-01T00:00:00Z');
/** How far ahead of the run's clock a time may be (clock skew between GitHub and the runner). */
export const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * The window for GitHub events in a run taken at `now`: after GitHub opened,
 * and not later than the later of `now` and the wall clock (a backfill's
 * `--at` is in the past, the events it reads are not) plus clock skew.
 */
export function eventBounds(now: Date, wallClock: number = Date.now()): TimeBounds {
  return { notBefore: GITHUB_EPOCH, notAfter: Math.max(now.getTime(), wallClock) + CLOCK_SKEW_MS };
}

/** `bounds` narrowed to a repository's life: nothing that happened in it is older than its creation (when that is a plausible time itself). */
export function repositoryBounds(bounds: TimeBounds, createdAt: unknown): TimeBounds {
  const created = checkTime(createdAt, bounds, 'repository createdAt');
  return created.ok ? { notBefore: Math.max(bounds.notBefore, Date.parse(created.iso) - CLOCK_SKEW_MS), notAfter: bounds.notAfter } : bounds;
}

/** A time from outside as `isoUtc` gives it, or why it cannot be evidence: unparsable, or outside `bounds`. */
export function checkTime(value: unknown, bounds: TimeBounds, what: string): { ok: true; iso: string } | { ok: false; reason: string } {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) return { ok: false, reason: `${what} is not a time (${quoteTime(value)})` };
  const iso = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (time < bounds.notBefore) return { ok: false, reason: `${what} ${iso} is implausible (before ${new Date(bounds.notBefore).toISOString().replace(/\.\d{3}Z$/, 'Z')}), so it is not used as evidence` };
  if (time > bounds.notAfter) return { ok: false, reason: `${what} ${iso} is implausible (in the future of this run), so it is not used as evidence` };
  return { ok: true, iso };
}

/** Why a deployment's times cannot be used (its creation and every status), or null when they all can. */
export function deploymentTimeProblem(deployment: GqlDeployment, bounds: TimeBounds): string | null {
  const label = `deployment ${deployment.databaseId ?? deployment.commitOid.slice(0, 7)}`;
  const checks = [checkTime(deployment.createdAt, bounds, `${label} createdAt`)];
  if (deployment.latestStatus) checks.push(checkTime(deployment.latestStatus.createdAt, bounds, `${label} status createdAt`));
  for (const status of deployment.statuses?.nodes ?? []) if (status) checks.push(checkTime(status.createdAt, bounds, `${label} status createdAt`));
  for (const check of checks) if (!check.ok) return check.reason;
  return null;
}

/**
 * Pull requests of one commit as the collector keeps them: fields capped,
 * reviews with an unusable `submittedAt` and pull requests with an unusable
 * `mergedAt` dropped, and `problem` saying what was dropped (a gap for the
 * cells that use this commit). Entries that are not pull requests are
 * dropped and reported too.
 */
export function checkPulls(nodes: readonly unknown[], bounds: TimeBounds, cap: (text: string, key: string) => string): { pulls: GqlPullRequest[]; problem: string | null } {
  const problems: string[] = [];
  const pulls: GqlPullRequest[] = [];
  const login = (v: unknown) => (isRecord(v) && typeof v.login === 'string' ? { login: cap(v.login, 'login') } : null);
  for (const node of nodes) {
    if (!isRecord(node) || typeof node.number !== 'number' || typeof node.title !== 'string') {
      problems.push('an entry that is not a pull request');
      continue;
    }
    if (node.mergedAt != null) {
      const merged = checkTime(node.mergedAt, bounds, `pull request #${node.number} mergedAt`);
      if (!merged.ok) {
        problems.push(merged.reason);
        continue;
      }
    }
    const reviews: NonNullable<NonNullable<GqlPullRequest['reviews']>['nodes']> = [];
    const rawReviews = isRecord(node.reviews) && Array.isArray(node.reviews.nodes) ? node.reviews.nodes : [];
    for (const review of rawReviews) {
      if (!isRecord(review) || typeof review.state !== 'string') {
        problems.push(`pull request #${node.number}: a review that is not a review`);
        continue;
      }
      if (review.submittedAt != null) {
        const submitted = checkTime(review.submittedAt, bounds, `pull request #${node.number} review submittedAt`);
        if (!submitted.ok) {
          problems.push(submitted.reason);
          continue;
        }
      }
      reviews.push({
        state: review.state,
        submittedAt: typeof review.submittedAt === 'string' ? review.submittedAt : null,
        url: typeof review.url === 'string' ? cap(review.url, 'url') : '',
        author: login(review.author),
      });
    }
    pulls.push({
      number: node.number,
      title: cap(node.title, 'title'),
      url: typeof node.url === 'string' ? cap(node.url, 'url') : '',
      headRefName: typeof node.headRefName === 'string' ? cap(node.headRefName, 'branch') : '',
      merged: node.merged === true,
      mergedAt: typeof node.mergedAt === 'string' ? node.mergedAt : null,
      author: login(node.author),
      mergedBy: login(node.mergedBy),
      reviews: { nodes: reviews },
    });
  }
  return { pulls, problem: problems.length > 0 ? problems.join('; ') : null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const byTime = (a: { createdAt: string }, b: { createdAt: string }) => Date.parse(a.createdAt) - Date.parse(b.createdAt);

/** A deployment's statuses, oldest first. */
export function statusesOf(deployment: GqlDeployment): GqlDeploymentStatus[] {
  const list = (deployment.statuses?.nodes ?? []).filter((s): s is GqlDeploymentStatus => s != null);
  if (deployment.latestStatus && !list.some((s) => s.createdAt === deployment.latestStatus!.createdAt && s.state === deployment.latestStatus!.state))
    list.push(deployment.latestStatus);
  return list.sort(byTime);
}

/** When the deployment first succeeded, or null if it never did. */
export function successAt(deployment: GqlDeployment): string | null {
  const success = statusesOf(deployment).find((s) => s.state === 'SUCCESS');
  if (success) return success.createdAt;
  // Older statuses may have fallen off the first page; INACTIVE is only set on deployments that once succeeded.
  // https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status (auto_inactive)
  return deployment.latestStatus?.state === 'INACTIVE' ? deployment.createdAt : null;
}

/**
 * The active deployment of one environment and the one it replaced. Active is
 * the newest deployment whose newest status is `success`: GitHub marks older
 * deployments `inactive` only when `auto_inactive` is on, so an older
 * `success` that a newer `success` superseded is history, not current.
 */
export function pickActive(deployments: readonly GqlDeployment[]): { active: GqlDeployment | null; previous: GqlDeployment | null } {
  const newestFirst = [...deployments].sort((a, b) => byTime(b, a));
  const index = newestFirst.findIndex((d) => d.latestStatus?.state === 'SUCCESS');
  if (index < 0) return { active: null, previous: null };
  const previous = newestFirst.slice(index + 1).find((d) => successAt(d) !== null) ?? null;
  return { active: newestFirst[index] ?? null, previous };
}

/** The workflow run that made a deployment, from its statuses' `log_url` (Actions links `/actions/runs/{id}`) or its payload. */
export function runIdOf(deployment: GqlDeployment): number | null {
  for (const status of statusesOf(deployment).reverse()) {
    const match = /\/actions\/runs\/(\d+)/.exec(status.logUrl ?? '');
    if (match) return Number(match[1]);
  }
  return payloadRunId(payloadOf(deployment));
}

/** The time approvals are dated with: the status that followed the wait for reviewers, else the first success. */
export function approvalTime(deployment: GqlDeployment): string | null {
  const statuses = statusesOf(deployment);
  const waiting = statuses.findLastIndex((s) => s.state === 'WAITING');
  const after = statuses.slice(waiting + 1).find((s) => s.state !== 'WAITING');
  const chosen = waiting >= 0 && after ? after : statuses.find((s) => s.state === 'SUCCESS');
  return chosen ? isoUtc(chosen.createdAt) : null;
}

/**
 * Environment protection rules as the snapshot stores them (https://docs.github.com/en/rest/deployments/environments#get-an-environment).
 * `branchPolicies`: the patterns of a custom branch policy, when they were read
 * (`custom: main, release/*, tag:v*`); without them the policy is just `custom`.
 */
export function mapProtection(environment: RestEnvironment, branchPolicies?: readonly string[]): Protection {
  const rules = environment.protection_rules ?? [];
  const reviewers = rules
    .filter((r) => r.type === 'required_reviewers')
    .flatMap((r) => r.reviewers ?? [])
    .map((r) => (r.type === 'Team' ? `team:${r.reviewer?.slug ?? r.reviewer?.name ?? '?'}` : (r.reviewer?.login ?? '?')));
  const policy = environment.deployment_branch_policy;
  return {
    requiredReviewers: [...new Set(reviewers)].sort(),
    preventSelfReview: rules.some((r) => r.type === 'required_reviewers' && r.prevent_self_review === true),
    waitTimerMinutes: Math.max(0, ...rules.filter((r) => r.type === 'wait_timer').map((r) => r.wait_timer ?? 0)),
    branchPolicy: !policy ? 'all' : policy.protected_branches ? 'protected' : branchPolicies ? `custom: ${[...branchPolicies].sort().join(', ') || '(none)'}` : 'custom',
  };
}

/** Whether an environment can hold deployment reviews at all (only required reviewers create them). */
export function hasRequiredReviewers(environment: RestEnvironment | undefined): boolean {
  return environment === undefined || (environment.protection_rules ?? []).some((r) => r.type === 'required_reviewers');
}

/**
 * Reviews of a workflow run for one environment. GitHub records no time on
 * them, so `at` is the deployment status that followed the review.
 * https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run
 */
export function mapRunApprovals(reviews: readonly RestRunApproval[], githubEnvironment: string, at: string | null, runUrl?: string): Approval[] {
  return reviews
    .filter((r) => r.environments.length === 0 || r.environments.some((e) => e.name !== undefined && sameEnvironment(e.name, githubEnvironment)))
    .filter((r) => r.state === 'approved' || r.state === 'rejected')
    .map((r): Approval => ({
      by: r.user.login,
      at,
      state: r.state === 'approved' ? 'approved' : 'rejected',
      kind: 'deployment',
      timeFrom: 'deployment status',
      ...(r.comment ? { comment: r.comment } : {}),
      ...(runUrl ? { url: runUrl } : {}),
    }))
    .sort((a, b) => a.by.localeCompare(b.by) || a.state.localeCompare(b.state));
}

/** The latest decisive review per reviewer of the merged pull requests that brought a commit. */
export function pullRequestApprovals(pulls: readonly GqlPullRequest[]): Approval[] {
  const out: Approval[] = [];
  for (const pr of mergedPulls(pulls)) {
    const latest = new Map<string, { state: string; submittedAt: string | null; url: string }>();
    for (const review of pr.reviews?.nodes ?? []) {
      if (!review?.author || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(review.state)) continue;
      const seen = latest.get(review.author.login);
      if (!seen || Date.parse(review.submittedAt ?? '') >= Date.parse(seen.submittedAt ?? '')) latest.set(review.author.login, review);
    }
    for (const [by, review] of latest) {
      if (review.state === 'DISMISSED') continue;
      out.push({
        by,
        at: review.submittedAt ? isoUtc(review.submittedAt) : null,
        state: review.state === 'APPROVED' ? 'approved' : 'rejected',
        kind: 'pull-request',
        comment: `#${pr.number}`,
        url: review.url,
      });
    }
  }
  return out.sort((a, b) => (a.comment ?? '').localeCompare(b.comment ?? '') || a.by.localeCompare(b.by));
}

function mergedPulls(pulls: readonly GqlPullRequest[]): GqlPullRequest[] {
  const byNumber = new Map<number, GqlPullRequest>();
  for (const pr of pulls) if (pr.merged && pr.mergedAt) byNumber.set(pr.number, pr);
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

/** Merged pull requests as the snapshot's `changes` store them. */
export function mapPullRequests(pulls: readonly GqlPullRequest[]): PullRequest[] {
  return mergedPulls(pulls).map((pr) => ({
    number: pr.number,
    title: pr.title,
    author: pr.author?.login ?? 'ghost',
    mergedBy: pr.mergedBy?.login ?? null,
    mergedAt: pr.mergedAt ? isoUtc(pr.mergedAt) : null,
    reviewers: [...new Set((pr.reviews?.nodes ?? []).flatMap((r) => (r?.author && r.state !== 'PENDING' ? [r.author.login] : [])))].sort(),
    branch: pr.headRefName,
    url: pr.url,
  }));
}

/** Release/hotfix branches from the listed refs, with the comparison to the default branch. */
export function mapBranches(
  service: string,
  source: string,
  refs: readonly { name: string; target: { oid: string; committedDate?: string } | null }[],
  patterns: readonly string[],
  compare: (name: string, oid: string) => { aheadBy: number; behindBy: number } | undefined,
): Branch[] {
  const isRelease = picomatch([...patterns]);
  const seen = new Set<string>();
  const out: Branch[] = [];
  for (const ref of refs) {
    if (!ref.target || seen.has(ref.name) || !isRelease(ref.name)) continue;
    seen.add(ref.name);
    const counts = compare(ref.name, ref.target.oid);
    if (!counts) continue;
    out.push({ service, name: ref.name, aheadBy: counts.aheadBy, behindBy: counts.behindBy, lastCommitAt: ref.target.committedDate ? isoUtc(ref.target.committedDate) : null, source });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Environment variables (values) and secrets (only that they exist and when they changed). */

export function environmentValues(variables: readonly RestVariable[], secrets: readonly RestSecret[]): { values: Record<string, StoredValue>; changedAt?: string } {
  const values: Record<string, StoredValue> = {};
  const times: string[] = [];
  for (const v of variables) {
    values[v.name] = v.value;
    times.push(isoUtc(v.updated_at));
  }
  for (const s of secrets) {
    values[s.name] = { secret: true, updatedAt: s.updated_at ? isoUtc(s.updated_at) : null };
    if (s.updated_at) times.push(isoUtc(s.updated_at));
  }
  const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
  const changedAt = times.sort().at(-1);
  return changedAt ? { values: sorted, changedAt } : { values: sorted };
}

/** Flattens nested config into `a.b.c` keys; arrays are kept as JSON text so a change stays visible. */
function flatten(value: unknown, prefix: string, out: Record<string, StoredValue>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
    out[prefix] = value;
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  } else if (value instanceof Date) {
    out[prefix] = value.toISOString();
  } else if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = String(value);
  }
}

/** Parses a config file (YAML, JSON, `.env`, `.properties`) into flat key/values; throws a one-line TypeError when it cannot. */
export function parseConfigFile(path: string, text: string): Record<string, StoredValue> {
  const out: Record<string, StoredValue> = {};
  const lower = path.toLowerCase();
  if (lower.endsWith('.env') || lower.includes('.env.') || lower.endsWith('.properties')) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith('!')) continue;
      const match = /^(?:export\s+)?([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
      if (!match) continue;
      out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
    }
  } else {
    let data: unknown;
    if (lower.endsWith('.json')) {
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw new TypeError(`${path} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
      }
    } else {
      // The guarded reader: aliases, nesting and reserved keys bounded as in every other YAML the ledger reads.
      const read = readYaml(text, { schema: 'core', maxBytes: INPUT_LIMITS.sourceFileBytes });
      if (!read.ok) throw new TypeError(`${path} is not valid YAML: line ${read.position(read.offset).line}: ${read.message}`);
      data = read.yaml.documents[0]?.data ?? null;
    }
    if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) throw new TypeError(`${path} is not a map of keys to values`);
    flatten(data ?? {}, '', out);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Shared libraries a service is built with, from its package.json at the
 * deployed commit. `libraries` maps a package name to the ledger's name for
 * it. A range is reduced to the lowest version it admits (the lockfile would
 * say more; this keeps one request per commit).
 */
export function componentsFrom(packageJson: string, libraries: ReadonlyMap<string, string>): Record<string, string> {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(packageJson) as Record<string, unknown>;
  } catch (error) {
    throw new TypeError(`package.json is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const deps = { ...(manifest.devDependencies as object), ...(manifest.dependencies as object) } as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [pkg, spec] of Object.entries(deps)) {
    const ledgerName = libraries.get(pkg);
    if (!ledgerName || typeof spec !== 'string') continue;
    const exact = semver.valid(semver.clean(spec) ?? '');
    let version = exact ?? spec;
    if (!exact && semver.validRange(spec)) {
      try {
        version = semver.minVersion(spec)?.version ?? spec;
      } catch {
        version = spec;
      }
    }
    out[ledgerName] = version;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** `owner/name` split, or null. */
export function splitRepo(repo: string): { owner: string; name: string } | null {
  const match = /^([^/]+)\/([^/]+)$/.exec(repo);
  return match ? { owner: match[1]!, name: match[2]! } : null;
}

/** The config file path for an environment, `{environment}` substituted, or null. */
export function configFileFor(configFiles: Readonly<Record<string, string>>, environment: string): string | null {
  const pattern = configFiles[environment] ?? configFiles['*'];
  return pattern ? pattern.replaceAll('{environment}', environment) : null;
}
