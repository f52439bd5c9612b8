/**
 * Who triggered a repository's GITHUB_TOKEN runs, read from one list of its
 * workflow runs rather than one request per run (docs/guarantees.md, "Sources
 * read what real systems send"; docs/scale.md). Each deployer must be the
 * same as the single-run request gives; a run the list does not hold is
 * asked alone, and one that cannot be read stays an approvals gap. Every
 * REST payload served is checked against GitHub's OpenAPI description.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubCollector } from '../../collectors/github/source.ts';
import type { Evidence } from '../../src/model/index.ts';
import { buildOrg } from '../fixtures/github/org.ts';
import { dateQualifier, startGitHubServer, type Fault, type GitHubServer, type Scenario, type ScenarioRepo } from '../helpers/github-server.ts';
import { makeContext } from './context.ts';
import { validateResponse } from './openapi.ts';

const collect = createGitHubCollector({ retryBaseMs: 1 });
let server: GitHubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const RUN = '/repos/{owner}/{repo}/actions/runs/{run_id}';
const LIST = '/repos/{owner}/{repo}/actions/runs';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One repository whose four environments all wait for reviewers and are deployed with GITHUB_TOKEN: four runs whose deployer must be read. */
function fourReviewedRuns(): { scenario: Scenario; repo: ScenarioRepo; runOf: (env: string) => { id: number; createdAt: string } } {
  const scenario = buildOrg({ repos: 1, reviewed: ['dev', 'qa', 'staging', 'production'] });
  const repo = scenario.repos[0]!;
  const runOf = (env: string) => {
    const active = repo.deployments.filter((d) => d.environment === env).at(-1)!;
    return { id: Number(/\/runs\/(\d+)\//.exec(active.statuses[0]!.logUrl!)![1]), createdAt: active.createdAt };
  };
  // A different person behind each run; qa's was re-run by gina, so its triggering actor is not its actor.
  const people: Record<string, { actor: string; triggeringActor?: string }> = { dev: { actor: 'erin' }, qa: { actor: 'erin', triggeringActor: 'gina' }, staging: { actor: 'frank' }, production: { actor: 'hal' } };
  for (const [env, who] of Object.entries(people)) Object.assign(repo.runs.find((r) => r.id === runOf(env).id)!, who);
  return { scenario, repo, runOf };
}

/** `count` CI runs (no deployment, no reviews) created at `at` and the seconds after. */
function ciRuns(repo: ScenarioRepo, count: number, at: number): void {
  for (let i = 0; i < count; i++) repo.runs.push({ id: 700_000 + repo.runs.length + i, actor: 'ci-bot', createdAt: iso(at + i * 1000), approvals: [] });
}

async function collectOnce(scenario: Scenario, faults: Fault[] = [], configDir?: string): Promise<Evidence> {
  server ??= await startGitHubServer(scenario, { faults });
  server.log.length = 0;
  const evidence = await collect(makeContext({ baseUrl: server.baseUrl, scenario, configDir }));
  for (const payload of server.served.values()) {
    expect({ op: payload.operation, errors: validateResponse(payload.method, payload.operation, payload.status, payload.body) }).toEqual({ op: payload.operation, errors: [] });
  }
  return evidence;
}

const deployers = (evidence: Evidence) => Object.fromEntries(evidence.deployments.map((d) => [d.environment, d.deployedBy]));
const asked = (operation: string) => server!.log.filter((l) => l.operation === operation);

describe('Who triggered the GITHUB_TOKEN runs of a repository, from one list of its runs', () => {
  it('four new runs in one repository: each deployer right (triggering_actor, else actor) from one request instead of four; the next night asks none', async () => {
    const { scenario, runOf } = fourReviewedRuns();
    // 100 CI runs after the newest deployment: the list's `created` bound keeps them off the page (GitHub lists newest first).
    ciRuns(scenario.repos[0]!, 100, Date.parse(runOf('dev').createdAt) + 3600_000);
    const configDir = mkdtempSync(join(tmpdir(), 'ledger-github-'));
    const evidence = await collectOnce(scenario, [], configDir);
    expect(evidence.gaps).toEqual([]);
    expect(deployers(evidence)).toEqual({ dev: 'erin', qa: 'gina', staging: 'frank', prod: 'hal' });
    expect(asked(RUN)).toEqual([]);
    expect(asked(LIST).map((l) => decodeURIComponent(l.path))).toEqual([`/repos/acme/svc-000/actions/runs?created=*..${iso(Date.parse(runOf('dev').createdAt) + 60_000).replace('Z', '+00:00')}&exclude_pull_requests=true&per_page=100`]);
    // Kept by run id: the next night reads the same deployers from the cache, and the list itself is not kept there.
    expect(readFileSync(join(configDir, '.ledger-cache/github-etags.json'), 'utf8')).not.toContain('/actions/runs?');
    expect(deployers(await collectOnce(scenario, [], configDir))).toEqual(deployers(evidence));
    expect([...asked(LIST), ...asked(RUN)]).toEqual([]);
  }, 60_000);

  it('the same deployers as one request per run, which a single new run still costs', async () => {
    const { scenario, repo, runOf } = fourReviewedRuns();
    const listed = deployers(await collectOnce(scenario));
    expect(asked(LIST)).toHaveLength(1);
    // Only production's run has deployment reviews now: one run to read (afresh, without a cache), asked alone.
    const production = runOf('production').id;
    for (const run of repo.runs) if (run.id !== production) run.approvals = [];
    const alone = await collectOnce(scenario);
    expect(asked(LIST)).toEqual([]);
    expect(asked(RUN).map((l) => l.path)).toEqual([`/repos/acme/svc-000/actions/runs/${repo.runs.find((r) => r.actor === 'hal')!.id}`]);
    expect(deployers(alone).prod).toBe(listed.prod);
  }, 60_000);

  it('one run that deployed two environments is asked once', async () => {
    const scenario = buildOrg({ repos: 1 });
    const repo = scenario.repos[0]!;
    const active = (env: string) => repo.deployments.filter((d) => d.environment === env).at(-1)!;
    const stagingRun = repo.runs.find((r) => active('staging').statuses[0]!.logUrl!.includes(`/runs/${r.id}/`))!;
    // The staging run went on to production: production's deployment links it, and it holds both environments' reviews.
    for (const st of active('production').statuses) st.logUrl = active('staging').statuses[0]!.logUrl;
    stagingRun.approvals.push({ state: 'approved', user: 'dana', comment: '', environments: ['production'] });
    stagingRun.actor = 'frank';
    const evidence = await collectOnce(scenario);
    expect(evidence.gaps).toEqual([]);
    expect(deployers(evidence)).toMatchObject({ staging: 'frank', prod: 'frank' });
    expect(asked(RUN).map((l) => l.path)).toEqual([`/repos/acme/svc-000/actions/runs/${stagingRun.id}`]);
    expect(asked(LIST)).toEqual([]);
  }, 60_000);

  it('runs behind 100 newer ones are asked alone, and one of them that cannot be read is an approvals gap for its cell only', async () => {
    const { scenario, repo, runOf } = fourReviewedRuns();
    // 100 CI runs just before dev's deployment: the page holds dev's run and 99 of them; qa's, staging's and production's are not on it.
    ciRuns(repo, 100, Date.parse(runOf('dev').createdAt) - 101_000);
    const staging = runOf('staging');
    const evidence = await collectOnce(scenario, [{ match: new RegExp(`^GET /repos/acme/svc-000/actions/runs/${staging.id}$`), kind: 'status', status: 404 }]);
    expect(asked(LIST)).toHaveLength(1);
    // (The server logs the failed request as a fault, not under its operation.)
    const single = server!.log.filter((l) => /\/actions\/runs\/\d+$/.test(l.path)).map((l) => Number(l.path.split('/').at(-1)));
    expect(single.sort()).toEqual([runOf('production').id, runOf('qa').id, staging.id].sort());
    expect(deployers(evidence)).toEqual({ dev: 'erin', qa: 'gina', staging: 'github-actions[bot]', prod: 'hal' });
    const stagingDeployment = repo.deployments.filter((d) => d.environment === 'staging').at(-1)!;
    expect(evidence.gaps.map((g) => `${g.environment} ${g.evidence}: ${g.reason}`)).toEqual([
      `staging approvals: acme/svc-000 staging: deployment ${stagingDeployment.id} was made with a workflow's GITHUB_TOKEN (creator github-actions[bot]); its run ${staging.id} is gone (404), so who triggered it is unknown`,
    ]);
  }, 60_000);

  it('a list that fails: every run is asked alone, with the same deployers', async () => {
    const { scenario } = fourReviewedRuns();
    const evidence = await collectOnce(scenario, [{ match: /^GET \/repos\/acme\/svc-000\/actions\/runs\?/, kind: 'status', status: 502 }]);
    expect(evidence.gaps).toEqual([]);
    expect(deployers(evidence)).toEqual({ dev: 'erin', qa: 'gina', staging: 'frank', prod: 'hal' });
    expect(asked(RUN)).toHaveLength(4);
  }, 60_000);
});

describe('The local server lists runs with GitHub\'s search syntax for dates', () => {
  it('>, >=, <, <=, ranges with *, a day, a date and time with an offset', () => {
    const t = (s: string) => Date.parse(s);
    const day = (q: string) => ['2017-03-31T23:59:59Z', '2017-04-01T00:00:00Z', '2017-04-01T23:59:59Z', '2017-04-02T00:00:00Z'].map((s) => dateQualifier(q)(t(s)));
    expect(day('>=2017-04-01')).toEqual([false, true, true, true]);
    expect(day('>2017-04-01')).toEqual([false, false, false, true]);
    expect(day('<2017-04-01')).toEqual([true, false, false, false]);
    expect(day('<=2017-04-01')).toEqual([true, true, true, false]);
    expect(day('2017-04-01')).toEqual([false, true, true, false]);
    expect(day('2017-04-01..*')).toEqual([false, true, true, true]);
    expect(day('*..2017-04-01')).toEqual([true, true, true, false]);
    expect(day('*..2017-04-01T02:00:00+02:00')).toEqual([true, true, false, false]);
    expect(() => dateQualifier('yesterday')).toThrow(/search syntax/);
  });
});
