import { validate } from '@octokit/graphql-schema';
import { describe, expect, it } from 'vitest';
import {
  approvalTime,
  artifactOf,
  branchPrefixes,
  componentsFrom,
  describeError,
  environmentValues,
  lookupsQuery,
  mapProtection,
  mapPullRequests,
  mapRunApprovals,
  parseConfigFile,
  pickActive,
  pullRequestApprovals,
  repositoriesQuery,
  runIdOf,
  scrub,
  tokenHelp,
  versionOf,
} from '../../collectors/github/index.ts';
import { ticketsIn } from '../../src/model/tickets.ts';
import type { GqlDeployment, GqlPullRequest, GqlRepository } from '../../collectors/github/index.ts';

const deployment = (id: number, createdAt: string, statuses: [string, string][], commit = `c${id}`): GqlDeployment => {
  const nodes = statuses.map(([state, at]) => ({ state, createdAt: at, logUrl: `https://github.com/o/r/actions/runs/${id}00/job/1`, environmentUrl: null }));
  return { databaseId: id, createdAt, commitOid: commit, environment: 'production', task: 'deploy', payload: '{}', ref: { name: 'main' }, creator: { login: 'bot' }, latestStatus: nodes.at(-1) ?? null, statuses: { nodes: [...nodes].reverse() } };
};

describe('GraphQL documents', () => {
  it('are valid against GitHub\'s published GraphQL schema', () => {
    const repos = repositoriesQuery([
      { owner: 'acme', name: 'api', environments: ['dev', 'production'], branchPrefixes: ['release/', 'hotfix/'] },
      { owner: 'acme', name: 'web "quoted"', environments: ['qa'], branchPrefixes: [] },
    ]);
    expect(validate(repos)).toEqual([]);
    const lookups = lookupsQuery([{ owner: 'acme', name: 'api', commits: ['a'.repeat(40)], files: [`${'a'.repeat(40)}:deploy/prod/values.yaml`], compares: [{ base: 'main', head: 'release/1.x' }], reviews: ['b'.repeat(40)] }]);
    expect(validate(lookups)).toEqual([]);
    expect(validate(lookupsQuery([{ owner: 'acme', name: 'api', commits: [], files: ['x:package.json'], compares: [] }]))).toEqual([]);
    // The check itself can fail.
    expect(validate('query { repository(owner: "a", name: "b") { deploymentz { nodes { id } } } }')).not.toEqual([]);
  });

  it('derive ref query prefixes from release globs', () => {
    expect(branchPrefixes(['release/*', 'hotfix/*', 'release/v*', 'main'])).toEqual(['hotfix/', 'main', 'release/']);
  });
});

describe('the active deployment', () => {
  it('is the newest whose newest status is success, even when an older success was never marked inactive', () => {
    const old = deployment(1, '2026-03-01T00:00:00Z', [['success', '2026-03-01T00:05:00Z']]);
    const current = deployment(2, '2026-03-02T00:00:00Z', [['in_progress', '2026-03-02T00:01:00Z'], ['SUCCESS', '2026-03-02T00:05:00Z']].map(([s, t]) => [s!.toUpperCase(), t!]) as [string, string][]);
    old.latestStatus!.state = 'SUCCESS';
    old.statuses!.nodes![0]!.state = 'SUCCESS';
    const failedNewer = deployment(3, '2026-03-03T00:00:00Z', [['FAILURE', '2026-03-03T00:01:00Z']]);
    const { active, previous } = pickActive([old, failedNewer, current]);
    expect(active?.databaseId).toBe(2);
    expect(previous?.databaseId).toBe(1);
    expect(pickActive([failedNewer]).active).toBeNull();
  });

  it('finds the run from log_url or the payload, and dates approvals by the status after the wait', () => {
    const d = deployment(7, '2026-03-01T00:00:00Z', [['QUEUED', '2026-03-01T00:00:00Z'], ['WAITING', '2026-03-01T00:01:00Z'], ['IN_PROGRESS', '2026-03-01T00:09:00Z'], ['SUCCESS', '2026-03-01T00:12:00Z']]);
    expect(runIdOf(d)).toBe(700);
    expect(approvalTime(d)).toBe('2026-03-01T00:09:00Z');
    expect(runIdOf({ ...d, statuses: { nodes: [] }, latestStatus: null, payload: '{"run_id":"42"}' })).toBe(42);
    expect(runIdOf({ ...d, statuses: { nodes: [] }, latestStatus: null, payload: 'not json' })).toBeNull();
  });

  it('reads the artifact a deployment shipped from its payload: a digest, or an image pinned by digest; nothing else names one', () => {
    const d = deployment(8, '2026-03-01T00:00:00Z', [['SUCCESS', '2026-03-01T00:12:00Z']]);
    const digest = `sha256:${'ab'.repeat(32)}`;
    const withPayload = (payload: unknown) => artifactOf({ ...d, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
    expect(withPayload({ artifact: digest })).toBe(digest);
    expect(withPayload({ digest: ` ${digest} ` })).toBe(digest);
    expect(withPayload({ image: `ghcr.io/acme/api:1.2.0@${digest}` })).toBe(digest);
    expect(withPayload({ image: `localhost:5000/acme/api@${digest}`, artifact: 'not-a-digest' })).toBe(digest);
    // A tag moves, so a tag-only image names no build; nor do free text, a non-object payload or the wrong types.
    expect(withPayload({ image: 'ghcr.io/acme/api:1.2.0' })).toBeNull();
    expect(withPayload({ artifact: 'v1.2.0', digest: 42 })).toBeNull();
    expect(withPayload('deployed by hand')).toBeNull();
    expect(withPayload([digest])).toBeNull();
    expect(withPayload(null)).toBeNull();
    expect(artifactOf({ ...d, payload: null })).toBeNull();
  });

  it('is versioned by release, else tag (annotated too), else a tag ref, else the payload\'s version, else short sha; a branch is never a version', () => {
    const repo: Pick<GqlRepository, 'releases' | 'tags'> = {
      releases: { nodes: [{ tagName: 'v2.0.0-rc.1', isDraft: false, isPrerelease: true, url: '', tagCommit: { oid: 'x' } }, { tagName: 'v2.0.0', isDraft: false, isPrerelease: false, url: '', tagCommit: { oid: 'x' } }, { tagName: 'draft', isDraft: true, isPrerelease: false, url: '', tagCommit: { oid: 'y' } }] },
      tags: { nodes: [{ name: 'v1.9.0', target: { __typename: 'Tag', oid: 'tagobj', target: { oid: 'y' } } }] },
    };
    const main = { name: 'main', prefix: 'refs/heads/' };
    expect(versionOf('x', repo, main, 'stated')).toBe('v2.0.0');
    expect(versionOf('y', repo, main, 'stated')).toBe('v1.9.0');
    expect(versionOf('z', repo, { name: 'v3.0.0', prefix: 'refs/tags/' }, 'stated')).toBe('v3.0.0');
    expect(versionOf('z', repo, main, 'stated')).toBe('stated');
    expect(versionOf('0123456789abcdef', repo, main)).toBe('0123456789ab');
    expect(versionOf('0123456789abcdef', repo, null)).toBe('0123456789ab');
  });
});

describe('approvals, protection and pull requests', () => {
  it('keeps run reviews for this environment only, timed by the deployment status', () => {
    const reviews = [
      { state: 'approved', comment: 'ok', user: { login: 'dana' }, environments: [{ name: 'production' }] },
      { state: 'rejected', comment: '', user: { login: 'eve' }, environments: [{ name: 'staging' }] },
    ];
    expect(mapRunApprovals(reviews, 'production', '2026-03-01T00:09:00Z')).toEqual([{ by: 'dana', at: '2026-03-01T00:09:00Z', state: 'approved', kind: 'deployment', timeFrom: 'deployment status', comment: 'ok' }]);
  });

  it('maps protection rules from the REST environment', () => {
    expect(
      mapProtection({
        name: 'production',
        protection_rules: [
          { type: 'wait_timer', wait_timer: 30 },
          { type: 'required_reviewers', prevent_self_review: true, reviewers: [{ type: 'User', reviewer: { login: 'dana' } }, { type: 'Team', reviewer: { slug: 'sre' } }] },
        ],
        deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      }),
    ).toEqual({ requiredReviewers: ['dana', 'team:sre'], preventSelfReview: true, waitTimerMinutes: 30, branchPolicy: 'custom' });
    expect(mapProtection({ name: 'dev' })).toEqual({ requiredReviewers: [], preventSelfReview: false, waitTimerMinutes: 0, branchPolicy: 'all' });
    // With the custom policy's patterns read: sorted, tags marked; a custom policy with none lets nothing deploy.
    const custom = { name: 'production', deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
    expect(mapProtection(custom, ['release/*', 'tag:v*', 'main']).branchPolicy).toBe('custom: main, release/*, tag:v*');
    expect(mapProtection(custom, []).branchPolicy).toBe('custom: (none)');
    expect(mapProtection({ name: 'qa', deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } }, ['ignored']).branchPolicy).toBe('protected');
  });

  it('takes merged PRs, their latest decisive review per reviewer, and ticket keys', () => {
    const pr = (number: number, merged: boolean, reviews: [string, string, string][]): GqlPullRequest => ({
      number,
      title: `PAY-${number} fix`,
      url: `u/${number}`,
      headRefName: `feature/OPS-${number}`,
      merged,
      mergedAt: merged ? '2026-03-01T10:00:00Z' : null,
      author: { login: 'alice' },
      mergedBy: merged ? { login: 'bob' } : null,
      reviews: { nodes: reviews.map(([login, state, at]) => ({ author: { login }, state, submittedAt: at, url: `r/${login}` })) },
    });
    const pulls = [pr(2, true, [['carol', 'APPROVED', '2026-03-01T09:00:00Z'], ['carol', 'CHANGES_REQUESTED', '2026-03-01T09:30:00Z'], ['dan', 'COMMENTED', '2026-03-01T09:10:00Z']]), pr(3, false, []), pr(2, true, [])];
    expect(pullRequestApprovals([pulls[0]!])).toEqual([{ by: 'carol', at: '2026-03-01T09:30:00Z', state: 'rejected', kind: 'pull-request', comment: '#2', url: 'r/carol' }]);
    const mapped = mapPullRequests(pulls);
    expect(mapped.map((p) => p.number)).toEqual([2]);
    expect(ticketsIn(mapped, '[A-Z][A-Z0-9]+-[0-9]+')).toEqual(['OPS-2', 'PAY-2']);
  });
});

describe('config values', () => {
  it('keeps variable values and only the update time of secrets', () => {
    expect(environmentValues([{ name: 'B', value: '1', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-02-01T00:00:00Z' }], [{ name: 'A_TOKEN', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-03-01T00:00:00.000Z' }])).toEqual({
      values: { A_TOKEN: { secret: true, updatedAt: '2026-03-01T00:00:00Z' }, B: '1' },
      changedAt: '2026-03-01T00:00:00Z',
    });
  });

  it('parses YAML, JSON and .env files into flat keys', () => {
    expect(parseConfigFile('deploy/values.yaml', 'a:\n  b: 1\n  c: [1, 2]\nd: null\n')).toEqual({ 'a.b': 1, 'a.c': '[1,2]', d: null });
    expect(parseConfigFile('x.json', '{"k": {"v": true}}')).toEqual({ 'k.v': true });
    expect(parseConfigFile('prod.env', '# c\nexport A=1\nB="two"\n')).toEqual({ A: '1', B: 'two' });
    expect(() => parseConfigFile('bad.yaml', 'a: [')).toThrowErrorMatchingInlineSnapshot(`[TypeError: bad.yaml is not valid YAML: line 1: this flow list ([) is never closed; add the closing ]]`);
    expect(() => parseConfigFile('list.yaml', '- a\n- b\n')).toThrowErrorMatchingInlineSnapshot(`[TypeError: list.yaml is not a map of keys to values]`);
  });

  it('reads library versions from package.json', () => {
    const libraries = new Map([['ledger-core', 'ledger-core'], ['@acme/util', 'util']]);
    expect(componentsFrom(JSON.stringify({ dependencies: { 'ledger-core': '^2.3.1', '@acme/util': '1.0.0', other: '1' }, devDependencies: { 'ledger-core': '9.9.9' } }), libraries)).toEqual({ 'ledger-core': '2.3.1', util: '1.0.0' });
    expect(() => componentsFrom('{', libraries)).toThrow(/package.json is not valid JSON/);
  });
});

describe('safe error text', () => {
  it('keeps method, path and status, never tokens or headers', () => {
    const error = Object.assign(new Error('Bad credentials - https://docs.github.com/rest'), {
      status: 401,
      request: { method: 'GET', url: 'https://api.github.com/repos/acme/api/environments?per_page=100', headers: { authorization: 'token ghp_secretsecretsecret1234' } },
      response: { data: { message: 'Bad credentials' }, headers: {} },
    });
    expect(describeError(error, ['ghp_secretsecretsecret1234'])).toBe('GET /repos/acme/api/environments failed: HTTP 401 Bad credentials');
    expect(scrub('x ghs_abcdefghijklmnop y github_pat_ABCDEFGH12345678 token abcdefghijklmnopqrstu', [])).toBe('x [redacted] y [redacted] token [redacted]');
  });

  it('says where to create a token, for github.com and for GHES', () => {
    expect(tokenHelp('https://api.github.com', 'GITHUB_TOKEN', false)).toMatchInlineSnapshot(`"no GitHub token: set GITHUB_TOKEN to a fine-grained personal access token (create one at https://github.com/settings/personal-access-tokens/new) with read-only repository permissions: Actions, Contents, Deployments, Environments, Metadata, Pull requests; or configure a GitHub App under sources.<name>.app"`);
    expect(tokenHelp('https://ghe.acme.example/api/v3', 'GHE_TOKEN', true)).toContain('https://ghe.acme.example/settings/personal-access-tokens/new');
  });
});
