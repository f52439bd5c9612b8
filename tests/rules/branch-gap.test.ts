import { describe, expect, it } from 'vitest';
import { cleanWorld, day, only, take } from './world.ts';

const world = cleanWorld();

describe('branch.not-merged-back', () => {
  const branch = (name: string, aheadBy: number) => ({ service: 'api', name, aheadBy, behindBy: 10, lastCommitAt: day(1, '12:00:00'), source: 'github' });

  it('fires for a release branch with commits not in the default branch, with age', () => {
    const [f, ...rest] = only(take({ ...world, branches: [branch('release/2.4', 3), branch('hotfix/x', 0)], takenAt: day(5) }), 'branch.not-merged-back');
    expect(rest).toEqual([]);
    expect(f!.id).toBe('branch.not-merged-back/api/_/release-2.4');
    expect(f!.environment).toBeUndefined();
    expect(f!.severity).toBe('low');
    expect(f!.message).toBe(`api branch release/2.4 has 3 commits not in the default branch (last commit ${day(1, '12:00:00')}, 3.5 days ago).`);
    expect(f!.evidence).toEqual({ branch: 'release/2.4', aheadBy: 3, behindBy: 10, lastCommitAt: day(1, '12:00:00'), ageDays: 3.5, source: 'github' });
  });

  it('near miss: a branch fully merged back (ahead by 0)', () => {
    expect(only(take({ ...world, branches: [branch('release/2.4', 0)], takenAt: day(5) }), 'branch.not-merged-back')).toEqual([]);
  });
});

describe('source.gap', () => {
  it('raises one finding per gap, ids from source, service, environment and evidence', () => {
    const gaps = [
      { source: 'runtime', service: 'api', environment: 'prod', evidence: 'observed', reason: 'timed out after 5000 ms' },
      { source: 'github', evidence: 'all', reason: 'rate limit exhausted' },
    ];
    const found = only(take({ ...world, gaps, takenAt: day(2) }), 'source.gap');
    expect(found.map((f) => [f.id, f.message, f.evidence])).toEqual([
      ['source.gap/_/_/github/all', 'github gave no evidence: rate limit exhausted', { source: 'github', evidence: 'all', reason: 'rate limit exhausted' }],
      ['source.gap/api/prod/runtime/observed', 'runtime gave no observed evidence for api in prod: timed out after 5000 ms', { source: 'runtime', evidence: 'observed', reason: 'timed out after 5000 ms' }],
    ]);
  });

  it('near miss: no gaps, no finding', () => {
    expect(only(take({ ...world, takenAt: day(2) }), 'source.gap')).toEqual([]);
  });
});
