/**
 * The demo organisation as GitHub sees it, over time. `generate.ts` turns the
 * simulation into one `RepoTimeline` per service (every commit, branch, tag,
 * pull request, deployment and status with its time, decided once), and
 * `scenarioAt` cuts the organisation as it stood at a moment: the
 * `Scenario` that the local GitHub-compatible server
 * (examples/servers/github-server.ts) serves during that night's collect.
 *
 * Pure data and pure functions: the same timelines and time give the same
 * scenario, so the server's ETags (hashes of what it serves) only change when
 * something changed, and an unchanged night costs 304s, as on GitHub.
 */
import type { Scenario, ScenarioCommit, ScenarioDeployment, ScenarioEnvironment, ScenarioPull, ScenarioRepo, ScenarioRun, ScenarioStatus } from '../servers/github-server.ts';

/** A branch other than the default one, with the commits made on it (oldest first). */
export interface TimelineBranch {
  name: string;
  createdAt: string;
  /** When it was deleted, or null. */
  deletedAt: string | null;
  /** The commit it was created from. */
  base: string;
  /** Commits made on it, oldest first (they are also in `commits`). */
  commits: string[];
}

export interface RepoTimeline {
  owner: string;
  name: string;
  id: number;
  /** Every commit ever made, with its parents and date; the default branch is `main`. */
  commits: ScenarioCommit[];
  /** The default branch's commits, oldest first. */
  main: string[];
  branches: TimelineBranch[];
  /** Tag placements, oldest first; a later placement of the same name moves the tag. */
  tags: { name: string; sha: string; at: string }[];
  /** Deployments with every status they will ever get; statuses appear when their time has come. */
  deployments: ScenarioDeployment[];
  /** Workflow runs with their deployment reviews, and when the run started. */
  runs: (ScenarioRun & { at: string })[];
  pulls: ScenarioPull[];
  /** Environments; `secrets` carry every update time, the latest past one is shown. */
  environments: (Omit<ScenarioEnvironment, 'secrets'> & { secrets: { name: string; updates: string[] }[] })[];
}

const before = (at: string) => (time: string) => time < at;

/** The repository as it stood at `at` (everything dated before it). */
export function repoAt(timeline: RepoTimeline, at: string): ScenarioRepo {
  const past = before(at);
  const commits = timeline.commits.filter((c) => past(c.date));
  const known = new Set(commits.map((c) => c.sha));
  const dateOf = new Map(timeline.commits.map((c) => [c.sha, c.date]));
  const headOf = (shas: readonly string[], fallback: string | undefined) => shas.filter((sha) => known.has(sha)).at(-1) ?? fallback;
  const branches: Record<string, string> = {};
  const main = headOf(timeline.main, undefined);
  if (main) branches.main = main;
  for (const b of timeline.branches) {
    if (!past(b.createdAt) || (b.deletedAt !== null && past(b.deletedAt))) continue;
    branches[b.name] = headOf(b.commits, b.base)!;
  }
  const tagsByName = new Map<string, string>();
  for (const t of timeline.tags) if (past(t.at) && known.has(t.sha)) tagsByName.set(t.name, t.sha);
  const tags = [...tagsByName].map(([name, sha]) => ({ name, sha, annotated: true }));
  // One published release per tag, following the tag (GitHub resolves a release's commit through its tag).
  const releases = tags.map((t) => {
    const firstPlaced = timeline.tags.find((x) => x.name === t.name)!.at;
    const createdAt = new Date(Date.parse(firstPlaced) + 2 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { tag: t.name, sha: t.sha, createdAt: past(createdAt) ? createdAt : firstPlaced };
  });
  const deployments = timeline.deployments
    .filter((d) => past(d.createdAt) && known.has(d.sha))
    .map((d): ScenarioDeployment => ({ ...d, statuses: d.statuses.filter((s: ScenarioStatus) => past(s.createdAt)) }));
  return {
    owner: timeline.owner,
    name: timeline.name,
    id: timeline.id,
    defaultBranch: 'main',
    branches,
    commits,
    deployments,
    environments: timeline.environments.map(({ secrets, ...env }) => ({
      ...env,
      secrets: secrets.map((s) => ({ name: s.name, updatedAt: s.updates.filter(past).at(-1) ?? s.updates[0]! })),
    })),
    runs: timeline.runs.filter((r) => past(r.at)).map(({ at: _at, ...run }) => run),
    pulls: timeline.pulls.filter((p) => p.mergedAt !== undefined && past(p.mergedAt) && p.commits.every((sha) => known.has(sha) || !dateOf.has(sha))),
    releases,
    tags,
  };
}

/** The organisation at `at`, accepting only `tokens`. */
export function scenarioAt(timelines: readonly RepoTimeline[], at: string, tokens: string[]): Scenario {
  return { repos: timelines.map((t) => repoAt(t, at)), tokens };
}
