import { describe, expect, it } from 'vitest';
import { blastRadius, driftAges } from '../../src/views/answers.ts';
import { buildChange, cleanWorld, day, days, dep, sha, take, withDeployment, type Services } from './world.ts';

const world = cleanWorld();
const services: Services = [
  { name: 'core', kind: 'library' },
  { name: 'web', dependsOn: { core: '^2.0.0' } },
  { name: 'api', dependsOn: { web: '>=1.0.0 <2' } },
  { name: 'worker', dependsOn: { api: '^1.0.0' } },
];

describe('blastRadius', () => {
  const deployments = [
    dep('web', 'dev', '2.0.0', { components: { core: '2.1.0' } }),
    dep('web', 'qa', '1.0.0', { components: { core: '1.9.0' } }),
    dep('worker', 'dev', '1.0.0'),
    dep('worker', 'qa', '1.0.0'),
  ].reduce(withDeployment, world.deployments);
  const s = take({ ...world, services, deployments, takenAt: day(2) });

  it('lists direct and transitive dependents per environment, with range and whether it is met', () => {
    expect(blastRadius(s, 'web')).toEqual([
      {
        environment: 'dev',
        dependents: [
          { service: 'api', depth: 1, via: 'web', range: '>=1.0.0 <2', version: '2.0.0', satisfied: false },
          { service: 'worker', depth: 2, via: 'api', range: '^1.0.0', version: '1.0.0', satisfied: true },
        ],
      },
      {
        environment: 'qa',
        dependents: [
          { service: 'api', depth: 1, via: 'web', range: '>=1.0.0 <2', version: '1.0.0', satisfied: true },
          { service: 'worker', depth: 2, via: 'api', range: '^1.0.0', version: '1.0.0', satisfied: true },
        ],
      },
      // worker is not deployed in prod, so it is not in prod's blast radius.
      { environment: 'prod', dependents: [{ service: 'api', depth: 1, via: 'web', range: '>=1.0.0 <2', version: '1.0.0', satisfied: true }] },
    ]);
  });

  it('for a library, uses the version built into each dependent', () => {
    const qa = blastRadius(s, 'core').find((e) => e.environment === 'qa')!;
    expect(qa.dependents[0]).toEqual({ service: 'web', depth: 1, via: 'core', range: '^2.0.0', version: '1.9.0', satisfied: false });
    expect(qa.dependents.map((d) => [d.service, d.depth])).toEqual([['web', 1], ['api', 2], ['worker', 3]]);
  });
});

describe('driftAges', () => {
  it('reports every differing neighbouring pair with its age, oldest first', () => {
    const qa = (v: string, d: number) => [dep('api', 'dev', v, { deployedAt: day(d, '11:00:00') }), dep('api', 'qa', v, { deployedAt: day(d, '12:00:00') })].reduce(withDeployment, world.deployments);
    const snaps = days([
      { ...world, takenAt: day(2) },
      { ...world, deployments: qa('1.1.0', 2), takenAt: day(3) },
      { ...world, deployments: withDeployment(qa('1.2.0', 6), dep('api', 'dev', '1.3.0', { deployedAt: day(7, '02:00:00') })), takenAt: day(8) },
    ]);
    expect(driftAges(snaps[2]!)).toEqual([
      { service: 'api', lower: 'qa', higher: 'prod', since: day(2, '12:00:00'), days: 5.5 },
      // Both changed between snapshots: the later arrival is when they certainly differed.
      { service: 'api', lower: 'dev', higher: 'qa', since: day(7, '02:00:00'), days: 1 },
    ]);
  });
});
