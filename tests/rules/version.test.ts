/**
 * Version order and ranges, decided once (src/model/version.ts): the
 * dependency rule, the dependency graph and the blast radius judge the same
 * version against the same range the same way, so a page never shows ✓ on an
 * edge its snapshot raised dependency.incompatible for, or the reverse.
 */
import { describe, expect, it } from 'vitest';
import { dependencyVersion, isLowerVersion, parseVersion, versionSatisfies } from '../../src/model/version.ts';
import { environmentGraph } from '../../src/views/graph.ts';
import { blastRadius } from '../../src/views/answers.ts';
import { evaluateRules } from '../../src/rules/index.ts';
import { buildDeployment, buildSnapshot } from '../helpers/snapshot-builder.ts';

describe('version labels as versions', () => {
  it('reads tags and labels as semantic versions', () => {
    expect(parseVersion('v2.4.1')).toBe('2.4.1');
    expect(parseVersion('release-2.4.1')).toBe('2.4.1');
    expect(parseVersion('2.5.0-rc.1')).toBe('2.5.0-rc.1');
    expect(parseVersion('main')).toBeNull();
    expect(parseVersion('v2')).toBe('2.0.0');
    expect(parseVersion('2.4')).toBe('2.4.0');
    // A commit-named label is no version (coercion alone would read it as 9.0.0).
    expect(parseVersion('sha-9f86d08')).toBeNull();
    expect(parseVersion('build.20240101')).toBeNull();
  });

  it('judges ranges with prereleases inside them, and says when it cannot', () => {
    expect(versionSatisfies('v2.4.1', '^2.0.0')).toBe(true);
    expect(versionSatisfies('2.5.0-rc.1', '>=2.0.0 <3.0.0')).toBe(true);
    expect(versionSatisfies('3.0.0', '^2.0.0')).toBe(false);
    expect(versionSatisfies('main', '^2.0.0')).toBeNull();
  });

  it('orders versions, and no order for what is not one', () => {
    expect(isLowerVersion('v1.9.0', '1.10.0')).toBe(true);
    expect(isLowerVersion('1.10.0', 'v1.9.0')).toBe(false);
    expect(isLowerVersion('main', '1.0.0')).toBe(false);
  });

  it('takes a library from the consumer\'s components and a service from its own deployment first', () => {
    expect(dependencyVersion({ isLibrary: true, fromComponents: '1.0.0', deployedVersion: '2.0.0' })).toBe('1.0.0');
    expect(dependencyVersion({ isLibrary: false, fromComponents: '1.0.0', deployedVersion: '2.0.0' })).toBe('2.0.0');
    expect(dependencyVersion({ isLibrary: false, fromComponents: '1.0.0', deployedVersion: undefined })).toBe('1.0.0');
  });
});

describe('the rule, the graph and the blast radius agree', () => {
  // api needs web ^1.0.0 (the builder's default). api was built with a web client 1.4.0 (components),
  // but the web service deployed in prod is 2.0.0: what api talks to there is 2.0.0, outside its range.
  const snapshot = buildSnapshot({
    deployments: [
      buildDeployment({ service: 'api', environment: 'prod', version: '3.1.0', components: { web: '1.4.0' } }),
      buildDeployment({ service: 'web', environment: 'prod', version: 'v2.0.0' }),
      buildDeployment({ service: 'api', environment: 'dev', version: '3.1.0', components: { web: '1.4.0' } }),
      buildDeployment({ service: 'web', environment: 'dev', version: 'v1.9.0' }),
    ],
  });
  const findings = evaluateRules({ draft: snapshot, previous: null }).filter((f) => f.rule === 'dependency.incompatible');

  it('raises dependency.incompatible where web 2.0.0 runs beside api, and only there', () => {
    expect(findings.map((f) => f.environment)).toEqual(['prod']);
  });

  it('draws the prod edge incompatible and the dev edge ok, judging the version the rule judged', () => {
    for (const environment of ['dev', 'prod']) {
      const edge = environmentGraph(snapshot, environment).edges.find((e) => e.from === 'api' && e.to === 'web')!;
      expect(edge.status === 'incompatible', environment).toBe(findings.some((f) => f.environment === environment));
      expect(edge.running).toBe(environment === 'prod' ? 'v2.0.0' : 'v1.9.0');
    }
  });

  it('says the same in the blast radius of web', () => {
    const radius = blastRadius(snapshot, 'web');
    for (const { environment, dependents } of radius.filter((r) => r.environment === 'dev' || r.environment === 'prod')) {
      const api = dependents.find((d) => d.service === 'api')!;
      expect(api.satisfied, environment).toBe(!findings.some((f) => f.environment === environment));
    }
  });
});
