/**
 * Which compare pages the site renders (views/compare.ts `comparePairs`):
 * each environment against the next and against production, every pair at
 * three environments or fewer; the index records revisions for those only,
 * and the 404 page names the CLI command for the rest (docs/site.md, "Which
 * environments are compared").
 */
import { describe, expect, it } from 'vitest';
import { buildLedgerIndex, comparePairs, compareRevisions, compareStateKeys, environmentsThrough, pairKey } from '../../src/views/index.ts';
import { pairNames, unrenderedPairNote } from '../../src/site/not-found-client.ts';
import { fixtureSnapshots } from '../helpers/site-fixture.ts';
import { SIX_ENVIRONMENTS, sixEnvironments } from '../helpers/six-environments.ts';

const SIX = SIX_ENVIRONMENTS;

describe('comparePairs', () => {
  it('at six environments: the five neighbours and the four others against prod, in path order', () => {
    expect(comparePairs(SIX, ['prod'])).toEqual([
      ['dev', 'qa'], ['dev', 'prod'],
      ['qa', 'staging'], ['qa', 'prod'],
      ['staging', 'perf'], ['staging', 'prod'],
      ['perf', 'preprod'], ['perf', 'prod'],
      ['preprod', 'prod'],
    ]);
  });

  it('at four environments five of six, at three or fewer every pair', () => {
    expect(comparePairs(['dev', 'qa', 'staging', 'prod'], ['prod'])).toHaveLength(5);
    expect(comparePairs(['dev', 'qa', 'staging', 'prod'], ['prod'])).not.toContainEqual(['dev', 'staging']);
    // A production environment in the middle of three still leaves no pair out.
    expect(comparePairs(['dev', 'prod', 'dr'], ['prod'])).toEqual([['dev', 'prod'], ['dev', 'dr'], ['prod', 'dr']]);
    expect(comparePairs(['dev', 'prod'], ['prod'])).toEqual([['dev', 'prod']]);
    expect(comparePairs(['prod'], ['prod'])).toEqual([]);
  });

  it('compares with every production environment, each with the other too; none marked, the path ends in production', () => {
    const envs = ['dev', 'qa', 'staging', 'prod-eu', 'prod-us'];
    const pairs = comparePairs(envs, ['prod-eu', 'prod-us']);
    expect(pairs).toEqual([['dev', 'qa'], ['dev', 'prod-eu'], ['dev', 'prod-us'], ['qa', 'staging'], ['qa', 'prod-eu'], ['qa', 'prod-us'], ['staging', 'prod-eu'], ['staging', 'prod-us'], ['prod-eu', 'prod-us']]);
    expect(comparePairs(SIX, [])).toEqual(comparePairs(SIX, ['prod']));
  });
});

describe('the index of a six-environment ledger', () => {
  const snapshots = sixEnvironments(fixtureSnapshots({ quietDays: 1 }));
  const index = buildLedgerIndex(snapshots);

  it('records revisions of exactly the rendered pairs', () => {
    expect(index.days[0]!.production).toEqual(['prod']);
    expect(index.days[0]!.revisedCompare).toEqual(comparePairs(SIX, ['prod']));
    expect([...compareStateKeys(snapshots[0]!, () => 0).keys()]).toEqual(comparePairs(SIX, ['prod']).map(([a, b]) => pairKey(a, b)));
    const rendered = new Set(comparePairs(SIX, ['prod']).map(([a, b]) => pairKey(a, b)));
    for (const key of compareRevisions(index.days).keys()) expect(rendered.has(key)).toBe(true);
    expect(compareRevisions(index.days).has(pairKey('dev', 'staging'))).toBe(false);
    expect(environmentsThrough(index).compare).toEqual(new Map());
  });

  it('a pair no longer rendered (production moved) is recorded through its last day', () => {
    const moved = snapshots.map((s, i) => (i < 3 ? s : { ...s, environments: s.environments.map((e) => ({ ...e, production: e.name === 'preprod' })) }));
    const through = environmentsThrough(buildLedgerIndex(moved));
    // qa...prod was rendered while prod was production: through 03-11, as 03-12's last snapshot has preprod.
    expect(through.compare.get(pairKey('qa', 'prod'))).toBe('2026-03-11');
    expect(through.compare.has(pairKey('staging', 'preprod'))).toBe(false);
  });
});

describe('the 404 page for a pair the site does not render', () => {
  const json = { environments: { dev: { days: ['2026-03-10'], through: null }, staging: { days: ['2026-03-10', '2026-03-12'], through: null } }, compare: {} };

  it('splits a pair as its path names it', () => {
    expect(pairNames('dev...staging')).toEqual(['dev', 'staging']);
    expect(pairNames('qa....prod')).toEqual(['qa.', 'prod']);
    expect(pairNames('x...y/prod')).toEqual(['x...y', 'prod']);
    expect(pairNames('devstaging')).toBeNull();
  });

  it('names the CLI command for that day when both environments were recorded then, and nothing otherwise', () => {
    expect(unrenderedPairNote(json, 'dev...staging', '2026-03-11', '2026-03-14')).toBe(
      'This site has no page comparing dev and staging: it compares each environment with the next and with production. Any two compare in the ledger repository with: release-ledger diff dev@2026-03-11 staging@2026-03-11',
    );
    expect(unrenderedPairNote(json, 'dev...staging', '2026-03-09', '2026-03-14')).toBeNull();
    expect(unrenderedPairNote(json, 'dev...staging', '2026-03-15', '2026-03-14')).toBeNull();
    expect(unrenderedPairNote(json, 'dev...nowhere', '2026-03-11', '2026-03-14')).toBeNull();
    expect(unrenderedPairNote(null, 'dev...staging', '2026-03-11', '2026-03-14')).toBeNull();
  });
});
