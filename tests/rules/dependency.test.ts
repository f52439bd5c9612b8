import { describe, expect, it } from 'vitest';
import { parseVersion } from '../../src/rules/index.ts';
import { recommendVersion } from '../../src/rules/dependency.ts';
import { cleanWorld, day, dep, only, sha, take, withDeployment, type Services } from './world.ts';

const world = cleanWorld();
const services: Services = [
  { name: 'api', dependsOn: { web: '>=1.0.0 <2', core: '^2.3.0' } },
  { name: 'web', dependsOn: { core: '^2.0.0' } },
  { name: 'worker', dependsOn: { core: '^2.0.0' } },
  { name: 'core', kind: 'library' },
];

describe('dependency.incompatible', () => {
  it('fires when the service a dependent needs runs outside the declared range in that environment', () => {
    const d = withDeployment(world.deployments!, dep('web', 'qa', 'v2.0.0', { deployedAt: day(1, '11:00:00') }));
    const found = only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'dependency.incompatible');
    expect(found.map((f) => f.id)).toEqual(['dependency.incompatible/api/qa/web']);
    const f = found[0]!;
    expect(f.severity).toBe('high');
    expect(f.message).toBe(`api in qa needs web >=1.0.0 <2, but web v2.0.0 is deployed in qa (${sha('web-v2.0.0').slice(0, 7)}, ${day(1, '11:00:00')}).`);
    expect(f.evidence).toEqual({
      dependency: 'web',
      kind: 'service',
      range: '>=1.0.0 <2',
      running: 'v2.0.0',
      parsed: '2.0.0',
      from: { service: 'web', environment: 'qa', version: 'v2.0.0', commit: sha('web-v2.0.0'), deployedAt: day(1, '11:00:00'), source: 'github' },
      dependent: { version: '1.0.0', commit: sha('api-1.0.0') },
    });
  });

  it('checks a library against the version built into the dependent (components)', () => {
    const d = withDeployment(world.deployments!, dep('api', 'prod', '1.0.0', { components: { core: '2.2.9' } }));
    const [f] = only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'dependency.incompatible');
    expect(f!.id).toBe('dependency.incompatible/api/prod/core');
    expect(f!.evidence).toMatchObject({ kind: 'library', range: '^2.3.0', running: '2.2.9', parsed: '2.2.9', from: { components: 'api' } });
  });

  it('says so, without crashing, when the running version is not a semantic version', () => {
    const d = withDeployment(world.deployments!, dep('web', 'dev', 'main'));
    const [f] = only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'dependency.incompatible');
    expect(f!.message).toContain('is "main", which is not a semantic version, so the range cannot be checked');
    expect(f!.evidence['parsed']).toBeNull();
  });

  it('near misses: versions inside the range (a tag, a release candidate), unknown components, an undeployed dependency', () => {
    const d = [
      dep('web', 'dev', 'v1.9.0'),
      dep('web', 'qa', 'release-1.2.0'),
      dep('api', 'qa', '1.0.0', { components: { core: '2.4.0-rc.1' } }),
    ].reduce(withDeployment, world.deployments!.filter((x) => !(x.service === 'web' && x.environment === 'prod')));
    expect(only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'dependency.incompatible')).toEqual([]);
  });

  it('parses labels leniently', () => {
    expect([parseVersion('v2.4.1'), parseVersion('release-2.4.1'), parseVersion('2.5.0-rc.1'), parseVersion('main')]).toEqual(['2.4.1', '2.4.1', '2.5.0-rc.1', null]);
  });
});

describe('component.skew', () => {
  it('fires per environment and library, listing which service runs which version', () => {
    const d = [
      dep('api', 'prod', '1.0.0', { components: { core: '2.3.1' } }),
      dep('web', 'prod', '1.0.0', { components: { core: 'v2.4.0' } }),
      dep('worker', 'prod', '1.0.0', { components: { core: '2.3.1' } }),
    ].reduce(withDeployment, world.deployments!);
    const found = only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'component.skew');
    expect(found.map((f) => f.id)).toEqual(['component.skew/core/prod']);
    const f = found[0]!;
    expect(f.severity).toBe('low');
    expect(f.service).toBe('core');
    expect(f.message).toBe('In prod, core runs at 2 versions: 2.4.0 (web); 2.3.1 (api, worker).');
    expect(f.evidence).toEqual({
      library: 'core',
      versions: { '2.4.0': ['web'], '2.3.1': ['api', 'worker'] },
      services: [
        { service: 'api', version: '2.3.1' },
        { service: 'web', version: 'v2.4.0' },
        { service: 'worker', version: '2.3.1' },
      ],
      ranges: { api: '^2.3.0', web: '^2.0.0', worker: '^2.0.0' },
      recommended: '2.4.0',
    });
    expect(f.resolution).toContain('Rebuild the services on core 2.4.0, the newest version built anywhere that every declared range accepts (api ^2.3.0, web ^2.0.0, worker ^2.0.0)');
  });

  it('recommends the newest version every dependent accepts, not the newest built (3.0.0 is outside every range)', () => {
    const d = [
      dep('api', 'prod', '1.0.0', { components: { core: '2.3.1' } }),
      dep('web', 'prod', '1.0.0', { components: { core: '3.0.0' } }),
      dep('worker', 'prod', '1.0.0', { components: { core: '2.3.1' } }),
      // Built elsewhere: a newer 2.x (accepted by every range) and a release candidate (never recommended).
      dep('worker', 'qa', '1.0.0', { components: { core: '2.6.0' } }),
      dep('api', 'qa', '1.0.0', { components: { core: '2.7.0-rc.1' } }),
    ].reduce(withDeployment, world.deployments!);
    const [f] = only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'component.skew').filter((x) => x.environment === 'prod');
    expect(f!.evidence['recommended']).toBe('2.6.0');
    expect(f!.resolution).toContain('core 2.6.0, the newest version built anywhere that every declared range accepts');
    expect(f!.resolution).not.toContain('3.0.0');
  });

  it('says so when no version built anywhere is accepted by every declared range', () => {
    const split: Services = [...services.filter((s) => s.name !== 'worker'), { name: 'worker', dependsOn: { core: '^1.0.0' } }];
    const d = [dep('api', 'prod', '1.0.0', { components: { core: '2.3.1' } }), dep('worker', 'prod', '1.0.0', { components: { core: '1.9.0' } })].reduce(withDeployment, world.deployments!);
    const [f] = only(take({ ...world, services: split, deployments: d, takenAt: day(2) }), 'component.skew');
    expect(f!.evidence['recommended']).toBeNull();
    expect(f!.resolution).toMatch(/^No core version built anywhere is accepted by every declared range \(api \^2\.3\.0, worker \^1\.0\.0\): align the ranges in dependsOn first/);
  });

  it('recommendVersion: newest release inside every range; none when they exclude each other', () => {
    expect(recommendVersion(['3.0.0', 'v2.4.0', '2.3.1', '2.9.0-rc.1'], ['^2.0.0', '>=2.3.0'])).toBe('2.4.0');
    expect(recommendVersion(['3.0.0', '2.4.0'], ['^1.0.0'])).toBeNull();
    expect(recommendVersion(['3.0.0', '2.4.0'], [])).toBe('3.0.0');
  });

  it('near miss: the same version written differently ("v2.3.1" and "2.3.1"), and different versions in different environments', () => {
    const d = [
      dep('api', 'prod', '1.0.0', { components: { core: 'v2.3.1' } }),
      dep('web', 'prod', '1.0.0', { components: { core: '2.3.1' } }),
      dep('web', 'qa', '1.0.0', { components: { core: '2.5.0' } }),
    ].reduce(withDeployment, world.deployments!);
    expect(only(take({ ...world, services, deployments: d, takenAt: day(2) }), 'component.skew')).toEqual([]);
  });
});
