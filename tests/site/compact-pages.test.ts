/**
 * The compacted compare and service pages still say everything (issue 23):
 * over generated snapshots, a compare page names every differing service and
 * every service running the same build in both, and every undeclared and
 * expected config difference with its services (read back from "all", "all
 * but" or the names); a service page gives each environment's running
 * version and status of each dependency, and each environment's value of
 * each config key, whether it is said once for all or in its own column.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfigRecord, Deployment } from '../../src/model/index.ts';
import {
  compareEnvironments, configByEnvironmentHtml, dependencyTableHtml, environmentGraph, environmentVersionsHtml, groupConfigDifferences, groupUndeclared, mergedNeighbourhood, neighbourhood,
  sameEdges, serviceSet, serviceSetText, undeclaredConfigHtml,
} from '../../src/views/index.ts';
import { buildConfig, buildDeployment, buildSnapshot, commitFor } from '../helpers/snapshot-builder.ts';

const ENVS = ['dev', 'qa', 'prod'];
const SERVICES = ['api', 'web', 'jobs', 'lib', 'mail', 'auth'];
const KEYS = ['FLAG', 'DATABASE_URL', 'TOKEN', 'LOG_LEVEL'];

/** HTML text as a reader sees it: tags dropped, the five escapes undone. */
const text = (h: string) => h.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The services a `serviceSetText` names, read back against the snapshot's services. */
function readServiceSet(said: string, universe: readonly string[]): string[] {
  let m = /^in all (\d+) services?$/.exec(said);
  if (m) return [...universe];
  m = /^in \d+ of the \d+ services: all but (.*)$/.exec(said);
  if (m) {
    const except = new Set(m[1]!.split(', '));
    return universe.filter((s) => !except.has(s));
  }
  m = /^in \d+ services?: (.*)$/.exec(said);
  if (m) return m[1]!.split(', ');
  throw new Error(`not a service set: ${said}`);
}

/** A table's body rows as cell texts, a `colspan` cell repeated over the columns it spans. */
function rows(table: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<t[dh]([^>]*)>([\s\S]*?)<\/t[dh]>/g)].flatMap((c) => Array<string>(Number(/colspan="(\d+)"/.exec(c[1]!)?.[1] ?? 1)).fill(text(c[2]!))),
  );
}

interface World {
  versions: (string | null)[][];
  values: (string | null)[][][];
  envSpecific: string[];
  secrets: string[];
  ranges: string[];
}

const worldArb: fc.Arbitrary<World> = fc.record({
  versions: fc.array(fc.array(fc.option(fc.constantFrom('1.0.0', '1.1.0', '2.0.0'), { nil: null }), { minLength: ENVS.length, maxLength: ENVS.length }), { minLength: SERVICES.length, maxLength: SERVICES.length }),
  values: fc.array(fc.array(fc.array(fc.option(fc.constantFrom('a', 'b'), { nil: null }), { minLength: KEYS.length, maxLength: KEYS.length }), { minLength: ENVS.length, maxLength: ENVS.length }), { minLength: SERVICES.length, maxLength: SERVICES.length }),
  envSpecific: fc.subarray(KEYS),
  secrets: fc.array(fc.constantFrom('s1', 's2'), { minLength: ENVS.length, maxLength: ENVS.length }),
  ranges: fc.array(fc.constantFrom('^1.0.0', '^2.0.0', '>=1.1.0'), { minLength: SERVICES.length, maxLength: SERVICES.length }),
});

function world(w: World) {
  const deployments: Deployment[] = [];
  const configs: ConfigRecord[] = [];
  SERVICES.forEach((service, i) => {
    ENVS.forEach((environment, j) => {
      const version = w.versions[i]![j];
      if (version) deployments.push(buildDeployment({ service, environment, version, commit: commitFor(`${service}-${version}`) }));
      const values: ConfigRecord['values'] = {};
      KEYS.forEach((key, k) => {
        const v = w.values[i]![j]![k];
        if (v !== null && v !== undefined) values[key] = key === 'TOKEN' ? { redacted: true, hmac: (w.secrets[j] === 's1' ? 'a' : 'b').repeat(64), keyId: 'c'.repeat(16) } : v;
      });
      configs.push(buildConfig({ service, environment, source: 'github', values }));
    });
  });
  // Every service depends on `lib` (the others' ranges met or not by what runs), `web` also on `api`.
  const services = SERVICES.map((name, i) => ({
    name,
    kind: name === 'lib' ? ('library' as const) : ('service' as const),
    dependsOn: name === 'lib' ? {} : { lib: w.ranges[i]!, ...(name === 'web' ? { api: '^1.0.0' } : {}) },
    envSpecificKeys: w.envSpecific,
  }));
  return buildSnapshot({ environments: ENVS.map((name) => ({ name, production: name === 'prod', requiredApprovals: 0 })), services, deployments, configs, findings: [] });
}

describe('a compacted compare page still says every difference', () => {
  it('property: every differing service, every service of the same build, every config difference and its services', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const s = world(w);
        const universe = s.services.map((x) => x.name);
        for (const [a, b] of [['dev', 'qa'], ['qa', 'prod'], ['dev', 'prod']] as const) {
          const cmp = compareEnvironments(s, a, b);
          const versions = environmentVersionsHtml(cmp.diff.services, a, b, (x) => `/s/${x}/`).value;
          const [table, same = ''] = versions.split('<h3>');
          const named = rows(table!).map((r) => r[0]);
          expect(named).toEqual(cmp.diff.services.filter((x) => x.status !== 'same').map((x) => x.service));
          const sameText = text(same.slice(same.indexOf('</h3>')));
          for (const x of cmp.diff.services.filter((y) => y.status === 'same')) expect(sameText).toContain(`${x.service} (${x.a!.version})`);
          // Undeclared: each (service, key, values) read back from its row.
          const groups = configGroups(cmp.diff.configs, universe, a, b);
          expect(groups.undeclared.sort()).toEqual(cmp.diff.configs.filter((c) => !c.envSpecific).map((c) => `${c.service} ${c.key} ${c.redacted ? '(redacted)' : (c.a ?? '(not set)')} ${c.redacted ? '(redacted)' : (c.b ?? '(not set)')}`).sort());
          expect(groups.expected.sort()).toEqual(cmp.diff.configs.filter((c) => c.envSpecific).map((c) => `${c.service} ${c.key}`).sort());
        }
      }),
      { seed: 20261207, numRuns: 120 },
    );
  });
});

/** The config differences a compare page says, read back from its markup: "service key valueA valueB" and "service key". */
function configGroups(configs: Parameters<typeof groupConfigDifferences>[0], universe: readonly string[], a: string, b: string): { undeclared: string[]; expected: string[] } {
  const grouped = groupConfigDifferences(configs);
  const undeclared = rows(undeclaredConfigHtml(groupUndeclared(grouped.undeclared), a, b, universe).value).flatMap(([key, va, vb, , services]) => readServiceSet(services!, universe).map((s) => `${s} ${key} ${va} ${vb}`));
  const expected = grouped.expected.flatMap((g) => readServiceSet(serviceSetText(serviceSet(g.services, universe)), universe).map((s) => `${s} ${g.key}`));
  return { undeclared, expected };
}

describe('a compacted service page still gives each environment its own', () => {
  it('property: each environment\'s running version and status of each dependency, and its value of each config key', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const s = world(w);
        for (const service of SERVICES) {
          const models = ENVS.map((e) => neighbourhood(environmentGraph(s, e), service));
          expect(sameEdges(models)).toBe(true);
          const table = rows(dependencyTableHtml(models, service, (x) => `/s/${x}/`).value);
          models[0]!.edges.forEach((edge, i) => {
            expect(table[i]!.slice(0, 3)).toEqual([edge.from, edge.to, edge.range]);
            models.forEach((m, j) => expect(table[i]![3 + j]).toBe(`${m.edges[i]!.running ?? '—'} ${{ ok: '✓ met', incompatible: '✗ not met', unknown: '? unknown' }[m.edges[i]!.status]}`));
          });
          // The one drawing marks an edge not met where any environment does.
          const { model } = mergedNeighbourhood(models);
          model.edges.forEach((e, i) => expect(e.status === 'incompatible').toBe(models.some((m) => m.edges[i]!.status === 'incompatible')));

          const records = s.configs.filter((c) => c.service === service);
          const out = configByEnvironmentHtml(records).value;
          const [, sameTable = '', differTable = ''] = /(?:The same in [^<]*<\/h3>(<div class="table-wrap">[\s\S]*?<\/div>))?(?:<h3>Different by environment<\/h3>(<div class="table-wrap">[\s\S]*?<\/div>))?$/.exec(out) ?? [];
          const sameRows = new Map(rows(sameTable).map(([k, v]) => [k!, v!]));
          const differRows = new Map(rows(differTable).map(([k, ...vs]) => [k!, vs]));
          for (const key of new Set(records.flatMap((r) => Object.keys(r.values)))) {
            records.forEach((r, j) => {
              const v = r.values[key];
              const shown = v === undefined ? '(not set)' : typeof v === 'object' && v !== null ? '(redacted)' : JSON.stringify(v);
              expect(sameRows.has(key) ? sameRows.get(key) : differRows.get(key)?.[j], `${service} ${key} ${r.environment}`).toBe(shown);
            });
            // Secrets whose fingerprints differ are never said to be the same.
            const prints = new Set(records.map((r) => JSON.stringify(r.values[key])));
            if (sameRows.has(key)) expect(prints.size).toBe(1);
          }
        }
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });
});
