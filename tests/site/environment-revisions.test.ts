/**
 * Environment and compare pages on revision days only (src/views/revisions.ts
 * `environmentStateKeys`, `compareStateKeys`; the index records
 * `revisedEnvironments` and `revisedCompare` per day), links to the page in
 * force, and the 404 resolver's parsing of their URLs.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLedgerIndex, compareRevisions, compareStateKeys, dayComparePath, dayEnvironmentPath, environmentRevisions, environmentStateKeys, environmentsThrough, pairKey,
} from '../../src/views/index.ts';
import { environmentEntry, pageInForce, parseDayPagePath } from '../../src/site/not-found-client.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { differentBuilds } from '../../src/model/build.ts';

const none = () => 0;

describe('environment and compare state keys', () => {
  it('do not see the day: a quiet day keeps every key', () => {
    const [, , , , , last, quiet, quieter] = fixtureSnapshots({ quietDays: 2 });
    expect(last!.takenAt).not.toBe(quiet!.takenAt);
    expect(environmentStateKeys(quiet!)).toEqual(environmentStateKeys(last!));
    expect(environmentStateKeys(quieter!)).toEqual(environmentStateKeys(last!));
    expect(compareStateKeys(quiet!, none)).toEqual(compareStateKeys(last!, none));
  });

  it('see a deployment in one environment: that environment and the pairs holding it, not the others', () => {
    const [, , , , , last] = fixtureSnapshots({ quietDays: 1 });
    const prod = last!.deployments.find((d) => d.service === 'payments-api' && d.environment === 'prod')!;
    const rebuilt: Snapshot = { ...last!, deployments: last!.deployments.map((d) => (d === prod ? { ...d, artifact: `sha256:${'0'.repeat(64)}` } : d)) };
    const [before, after] = [environmentStateKeys(last!), environmentStateKeys(rebuilt)];
    expect(after.get('prod')).not.toBe(before.get('prod'));
    for (const e of ['dev', 'qa', 'staging']) expect({ e, key: after.get(e) }).toEqual({ e, key: before.get(e) });
    const [pairsBefore, pairsAfter] = [compareStateKeys(last!, none), compareStateKeys(rebuilt, none)];
    expect(pairsAfter.get(pairKey('staging', 'prod'))).not.toBe(pairsBefore.get(pairKey('staging', 'prod')));
    expect(pairsAfter.get(pairKey('dev', 'qa'))).toBe(pairsBefore.get(pairKey('dev', 'qa')));
  });

  it('a compare key sees a config value of one side and the env-specific declarations, as the comparison does', () => {
    const [, , , , , last] = fixtureSnapshots({ quietDays: 1 });
    const record = last!.configs.find((c) => c.environment === 'prod' && Object.keys(c.values).length > 0)!;
    const key = Object.keys(record.values)[0]!;
    const edited: Snapshot = { ...last!, configs: last!.configs.map((c) => (c === record ? { ...c, values: { ...c.values, [key]: 'edited-for-the-test' } } : c)) };
    const [before, after] = [compareStateKeys(last!, none), compareStateKeys(edited, none)];
    for (const [pair, was] of before) {
      const [a, b] = pair.split('\u0000');
      const holdsProd = a === 'prod' || b === 'prod';
      expect({ pair, moved: after.get(pair) !== was }).toEqual({ pair, moved: holdsProd });
    }
    // Declaring a key env-specific moves it between the page's two config tables: every pair may show it.
    const declared: Snapshot = { ...last!, services: last!.services.map((s) => (s.name === record.service ? { ...s, envSpecificKeys: [...s.envSpecificKeys, key] } : s)) };
    const redeclared = compareStateKeys(declared, none);
    for (const [pair, was] of before) expect({ pair, moved: redeclared.get(pair) !== was }).toEqual({ pair, moved: true });
  });

  it('a compare key sees new pull request evidence for a service whose builds differ between the two, and only then', () => {
    const [, , , , , last] = fixtureSnapshots();
    const keys = compareStateKeys(last!, none);
    const deployment = (service: string, environment: string) => last!.deployments.find((x) => x.service === service && x.environment === environment);
    // The same build (src/model/build.ts) on both sides: the page can list none of its pull requests.
    const sameBuild = (service: string, a: string, b: string) => {
      const [x, y] = [deployment(service, a), deployment(service, b)];
      return x !== undefined && y !== undefined && !differentBuilds(x, y);
    };
    // A service that runs the same build in some pair and different builds in another.
    const pairs = [...keys.keys()].map((key) => key.split('\u0000') as [string, string]);
    const service = last!.services.map((s) => s.name).find((name) => {
      const same = pairs.filter(([a, b]) => sameBuild(name, a, b));
      return same.length > 0 && same.length < pairs.length;
    })!;
    expect(service).toBeDefined();
    const changed = compareStateKeys(last!, (s) => (s === service ? 5 : 0));
    for (const [a, b] of pairs) {
      const same = sameBuild(service, a, b);
      const moved = changed.get(pairKey(a, b)) !== keys.get(pairKey(a, b));
      expect({ a, b, moved }).toEqual({ a, b, moved: !same });
    }
  });
});

describe('the index records environment and compare revisions', () => {
  it('gives a quiet environment one page for many days, and a new one on a day with a change in it', () => {
    const snapshots = fixtureSnapshots({ quietDays: 4 });
    const index = buildLedgerIndex(snapshots);
    const quiet = index.days.slice(-4);
    for (const day of quiet) expect({ date: day.date, environments: day.revisedEnvironments, compare: day.revisedCompare }).toEqual({ date: day.date, environments: [], compare: [] });
    // The first day revises everything.
    expect(index.days[0]!.revisedEnvironments).toEqual(['dev', 'prod', 'qa', 'staging']);
    // Four environments: each against the next and against prod, not dev...staging (views/compare.ts `comparePairs`).
    expect(index.days[0]!.revisedCompare).toEqual([['dev', 'qa'], ['dev', 'prod'], ['qa', 'staging'], ['qa', 'prod'], ['staging', 'prod']]);
    const environments = environmentRevisions(index.days);
    const last = index.days.at(-1)!.date;
    for (const e of ['dev', 'qa', 'staging', 'prod']) {
      const days = environments.get(e)!;
      expect(days.length).toBeLessThan(index.days.length);
      expect(dayEnvironmentPath(environments, last, e)).toBe(`/days/${days.at(-1)}/environments/${e}/`);
    }
    // A day that deploys into one environment revises it, and the pairs holding it.
    const changed = index.days.find((d, i) => i > 0 && d.revisedEnvironments.length > 0 && d.revisedEnvironments.length < 4);
    expect(changed).toBeDefined();
    const compare = compareRevisions(index.days);
    for (const [a, b] of changed!.revisedCompare) expect(compare.get(pairKey(a, b))).toContain(changed!.date);
    expect(dayComparePath(compare, last, 'dev', 'prod')).toBe(`/days/${compare.get(pairKey('dev', 'prod'))!.at(-1)}/compare/dev...prod/`);
    expect(dayComparePath(compare, last, 'dev', 'nowhere')).toBe(`/days/${last}/`);
    expect(environmentsThrough(index)).toEqual({ environments: new Map(), compare: new Map() });
  });

  it('a revision page of a later day never carries an earlier revision (environment dropped and back)', () => {
    const [first, second, third] = fixtureSnapshots();
    const without: Snapshot = { ...second!, environments: second!.environments.filter((e) => e.name !== 'qa'), deployments: second!.deployments.filter((d) => d.environment !== 'qa') };
    const index = buildLedgerIndex([first!, without, third!]);
    expect(index.days[1]!.revisedEnvironments).not.toContain('qa');
    expect(index.days[2]!.revisedEnvironments).toContain('qa');
    expect(index.days[2]!.revisedCompare.filter(([a, b]) => a === 'qa' || b === 'qa').length).toBe(3);
  });

  it('says through which day an environment and its pairs were recorded once the newest snapshot no longer has it', () => {
    const [first, second] = fixtureSnapshots();
    const without: Snapshot = { ...second!, environments: second!.environments.filter((e) => e.name !== 'qa'), deployments: second!.deployments.filter((d) => d.environment !== 'qa') };
    const index = buildLedgerIndex([first!, without]);
    const through = environmentsThrough(index);
    expect(through.environments).toEqual(new Map([['qa', index.days[0]!.date]]));
    expect([...through.compare.keys()].sort()).toEqual([pairKey('dev', 'qa'), pairKey('qa', 'prod'), pairKey('qa', 'staging')].sort());
    // staging's page now sets it beside dev: a revision.
    expect(index.days[1]!.revisedEnvironments).toEqual(expect.arrayContaining(['staging']));
  });
});

describe('the 404 resolver for environment and compare URLs', () => {
  it('parses them under the base, both compare forms', () => {
    expect(parseDayPagePath('/ledger/days/2026-03-15/environments/pro%20d/', '/ledger/')).toEqual({ kind: 'environments', date: '2026-03-15', name: 'pro d', tail: 'environments/pro%20d' });
    expect(parseDayPagePath('/days/2026-03-15/compare/qa....prod/', '/')).toEqual({ kind: 'compare', date: '2026-03-15', name: 'qa....prod', tail: 'compare/qa....prod' });
    expect(parseDayPagePath('/days/2026-03-15/compare/x...y/prod/', '/')).toEqual({ kind: 'compare', date: '2026-03-15', name: 'x...y/prod', tail: 'compare/x...y/prod' });
    expect(parseDayPagePath('/days/2026-03-15/services/a/', '/')?.kind).toBe('services');
    expect(parseDayPagePath('/days/2026-03-15/compare/a/b/c/', '/')).toBeNull();
    expect(parseDayPagePath('/days/2026-03-15/environments/%E0%A4%A/', '/')).toBeNull();
  });

  it('finds the entry of an environment or pair and the page in force', () => {
    const json = { environments: { prod: { days: ['2026-03-10', '2026-03-12'], through: null } }, compare: { 'qa...prod': { days: ['2026-03-11'], through: '2026-03-13' } } };
    expect(pageInForce(environmentEntry(json, 'environments', 'prod'), '2026-03-14', '2026-03-15')).toBe('2026-03-12');
    expect(pageInForce(environmentEntry(json, 'compare', 'qa...prod'), '2026-03-13', '2026-03-15')).toBe('2026-03-11');
    expect(pageInForce(environmentEntry(json, 'compare', 'qa...prod'), '2026-03-14', '2026-03-15')).toBeNull();
    expect(environmentEntry(json, 'environments', 'toString')).toBeNull();
    expect(environmentEntry(null, 'compare', 'x')).toBeNull();
  });
});
