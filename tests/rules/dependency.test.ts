import { describe, expect, it } from 'vitest';
import { parseVersion } from '../../src/rules/index.ts';
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
    });
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
