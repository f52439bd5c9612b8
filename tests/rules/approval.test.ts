import { describe, expect, it } from 'vitest';
import { buildChange, cleanWorld, day, dep, only, sha, take, withDeployment } from './world.ts';

const world = cleanWorld();
const approval = (by: string, kind: 'deployment' | 'pull-request' = 'deployment', state: 'approved' | 'rejected' | 'commented' = 'approved') => ({ by, at: day(1, '09:00:00'), state, kind });
const prodWith = (approvals: ReturnType<typeof approval>[], deployedBy = 'alice') =>
  withDeployment(world.deployments!, dep('api', 'prod', '1.0.0', { deployedBy, approvals, url: 'https://gh/run/1' }));

describe('approval.missing', () => {
  it('fires for a production deployment with fewer independent approvals than required', () => {
    const s = take({ ...world, deployments: prodWith([approval('alice'), approval('bob', 'deployment', 'rejected'), approval('carol', 'pull-request')]), takenAt: day(2) });
    const [f, ...rest] = only(s, 'approval.missing');
    expect(rest).toEqual([]);
    expect(f!.id).toBe('approval.missing/api/prod');
    expect(f!.severity).toBe('high');
    expect(f!.message).toBe(`api 1.0.0 (${sha('api-1.0.0').slice(0, 7)}) was deployed to prod by alice with 0 independent approvals; 1 required.`);
    expect(f!.resolution).toContain('Get 1 more approval from someone other than alice');
    expect(f!.evidence).toEqual({
      required: 1,
      approvedBy: [],
      selfApprovals: ['alice'],
      deployedBy: 'alice',
      deployedAt: day(1, '10:00:00'),
      commit: sha('api-1.0.0'),
      version: '1.0.0',
      approvals: [
        { by: 'alice', at: day(1, '09:00:00'), state: 'approved', kind: 'deployment' },
        { by: 'bob', at: day(1, '09:00:00'), state: 'rejected', kind: 'deployment' },
        { by: 'carol', at: day(1, '09:00:00'), state: 'approved', kind: 'pull-request' },
      ],
      url: 'https://gh/run/1',
    });
  });

  it('applies requiredApprovals of non-production environments and counts distinct approvers', () => {
    const environments = [
      { name: 'dev' },
      { name: 'qa', requiredApprovals: 2 },
      { name: 'prod', production: true, requiredApprovals: 1 },
    ];
    const qa = withDeployment(world.deployments!, dep('api', 'qa', '1.0.0', { approvals: [approval('bob'), approval('BOB')] }));
    const s = take({ ...world, environments, deployments: qa, takenAt: day(2) });
    expect(only(s, 'approval.missing').map((f) => [f.id, f.evidence['approvedBy']])).toEqual([
      ['approval.missing/api/qa', ['bob']],
      ['approval.missing/web/qa', []],
    ]);
  });

  it('near misses: one independent approval in prod; a gap in approvals evidence; an environment needing none', () => {
    expect(only(take({ ...world, deployments: prodWith([approval('bob')]), takenAt: day(2) }), 'approval.missing')).toEqual([]);
    const gaps = [{ source: 'github', service: 'api', environment: 'prod', evidence: 'approvals', reason: 'HTTP 403' }];
    expect(only(take({ ...world, deployments: prodWith([]), gaps, takenAt: day(2) }), 'approval.missing')).toEqual([]);
  });
});

describe('approval.self', () => {
  it('fires when the deployer is the only approver, naming deployer and approvers', () => {
    const s = take({ ...world, deployments: prodWith([approval('alice'), approval('Alice')]), takenAt: day(2) });
    const [f] = only(s, 'approval.self');
    expect(f!.id).toBe('approval.self/api/prod');
    expect(f!.message).toBe(`api 1.0.0 (${sha('api-1.0.0').slice(0, 7)}) in prod: the deployment was approved only by its deployer, alice.`);
    expect(f!.evidence).toMatchObject({ deployedBy: 'alice', deploymentApprovers: ['alice'], pullRequestAuthors: [], pullRequestApprovers: [] });
  });

  it('fires when pull requests were approved only by their author', () => {
    const changes = [buildChange({ service: 'api', environment: 'prod', version: '1.0.0', pullRequests: [{ number: 7, title: 'PAY-1 fix', author: 'dave', mergedBy: 'dave', mergedAt: day(1), reviewers: ['dave'] }] })];
    const s = take({ ...world, deployments: prodWith([approval('bob'), approval('dave', 'pull-request')]), changes, takenAt: day(2) });
    const [f] = only(s, 'approval.self');
    expect(f!.message).toContain('the pull requests were approved only by their author, dave');
    expect(f!.evidence).toMatchObject({ deploymentApprovers: ['bob'], pullRequestAuthors: ['dave'], pullRequestApprovers: ['dave'] });
  });

  it('near miss: the deployer approved together with someone else', () => {
    expect(only(take({ ...world, deployments: prodWith([approval('alice'), approval('bob')]), takenAt: day(2) }), 'approval.self')).toEqual([]);
  });
});
