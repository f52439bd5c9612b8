/**
 * The matrix never contradicts the findings frozen in its own snapshot
 * (issue 18): over generated snapshots taken through the real rules pipeline,
 * a cell shows drift exactly where a drift.version finding (open or excepted)
 * stands, and a runtime mismatch exactly where drift.runtime does. Builds are
 * compared by src/model/build.ts alone, so a `v` prefix is no difference and
 * the same label on two commits is one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMatrix } from '../../src/views/index.ts';
import { commitFor, day, dep, take } from '../rules/world.ts';

const SERVICES = ['api', 'web', 'jobs'];
const ENVS = ['dev', 'qa', 'prod'];

/** One cell's evidence: a build (label and commit from small pools, so collisions happen), maybe what is observed and declared. */
const cellArb = fc.record({
  deployed: fc.boolean(),
  label: fc.constantFrom('1.0.0', 'v1.0.0', '1.1.0', 'v1.1.0', '2.0.0'),
  commit: fc.constantFrom('a', 'b', 'c'),
  deployedDay: fc.integer({ min: 1, max: 25 }),
  observed: fc.option(fc.record({ label: fc.constantFrom('1.0.0', 'v1.0.0', '1.1.0', '2.0.0'), withCommit: fc.boolean(), commit: fc.constantFrom('a', 'b', 'c') }), { nil: undefined }),
  declared: fc.option(fc.constantFrom('1.0.0', 'v1.0.0', '1.1.0', '2.0.0'), { nil: undefined }),
});

describe('the matrix agrees with the findings of its snapshot', () => {
  it('property: drift shown ⇔ a drift.version finding; mismatch shown ⇔ a drift.runtime finding', () => {
    let cells = 0;
    fc.assert(
      fc.property(fc.array(cellArb, { minLength: SERVICES.length * ENVS.length, maxLength: SERVICES.length * ENVS.length }), fc.boolean(), (grid, excepted) => {
        const deployments = [];
        const observed = [];
        const declared = [];
        for (const [i, c] of grid.entries()) {
          const service = SERVICES[Math.floor(i / ENVS.length)]!;
          const environment = ENVS[i % ENVS.length]!;
          if (c.deployed) deployments.push(dep(service, environment, c.label, { commit: commitFor(c.commit), deployedAt: day(c.deployedDay, '10:00:00') }));
          if (c.observed) observed.push({ service, environment, version: c.observed.label, commit: c.observed.withCommit ? commitFor(c.observed.commit) : null, at: day(28), source: 'runtime' });
          if (c.declared) declared.push({ service, environment, version: c.declared, file: `envs/${environment}/${service}.yaml`, revision: 'f'.repeat(40), source: 'gitops' });
        }
        const exceptions = excepted ? [{ rule: 'drift.version' as const, service: 'api', reason: 'pinned', approvedBy: 'cto', expires: '2026-12-31' }] : [];
        const s = take({ deployments, observed, declared, exceptions, takenAt: day(28) });
        const has = (rule: string, service: string, environment: string) => s.findings.some((f) => f.rule === rule && f.service === service && f.environment === environment);
        for (const row of buildMatrix(s).rows) {
          for (const cell of row.cells) {
            cells++;
            // A cell shows one status (a runtime mismatch outranks drift) and always its relation to the environment below.
            expect(cell.neighbour === 'drift', `${row.service}/${cell.environment}: drift`).toBe(has('drift.version', row.service, cell.environment));
            if (cell.status === 'drift' || cell.status === 'differs') expect(cell.neighbour).toBe(cell.status);
            expect(cell.status === 'mismatch', `${row.service}/${cell.environment}: mismatch ${cell.differences.join('; ')}`).toBe(has('drift.runtime', row.service, cell.environment));
          }
        }
      }),
      { seed: 20261207, numRuns: 300 },
    );
    expect(cells).toBeGreaterThan(1000);
  });

  it('a v prefix is no difference: v4.10.0 deployed, 4.10.0 declared and observed is aligned, not ⚠', () => {
    const s = take({
      deployments: ENVS.map((e) => dep('api', e, 'v4.10.0', { commit: commitFor('x') })),
      observed: ENVS.map((environment) => ({ service: 'api', environment, version: '4.10.0', commit: null, at: day(2), source: 'runtime' })),
      declared: ENVS.map((environment) => ({ service: 'api', environment, version: '4.10.0', file: 'f.yaml', revision: 'f'.repeat(40), source: 'gitops' })),
      takenAt: day(2),
    });
    expect(buildMatrix(s).rows.find((r) => r.service === 'api')!.cells.map((c) => c.status)).toEqual(['aligned', 'aligned', 'aligned']);
    expect(s.findings.filter((f) => f.rule.startsWith('drift.'))).toEqual([]);
  });

  it('the same label on two commits is two builds: never "aligned"', () => {
    const s = take({
      deployments: [dep('api', 'dev', '1.0.0', { commit: commitFor('one') }), dep('api', 'qa', '1.0.0', { commit: commitFor('two'), deployedAt: day(1, '11:00:00') }), dep('api', 'prod', '1.0.0', { commit: commitFor('two') })],
      takenAt: day(30),
    });
    const [dev, qa, prod] = buildMatrix(s).rows.find((r) => r.service === 'api')!.cells;
    expect(dev!.status).toBe('aligned');
    expect(qa!.status).toBe('drift');
    expect(s.findings.some((f) => f.rule === 'drift.version' && f.environment === 'qa')).toBe(true);
    expect(prod!.status).toBe('aligned');
  });
});
