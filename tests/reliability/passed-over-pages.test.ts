/**
 * Passed-over deployments on the environment and service day pages
 * (docs/site.md, "Deployments not taken as what runs"): 500 generated hostile
 * refs, creators and policy patterns, half outside the policy and half for a
 * transient environment, through the real assembly (redaction), rules and the
 * section's HTML. None may reach the page as markup or as a raw bidi/control
 * character, a credential may not be on it, the row links the snapshot's own
 * finding exactly when there is one, and changing the record changes the
 * environment's and the service's revision keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { configSchema, type PassedOver } from '../../src/model/index.ts';
import { environmentStateKeys, passedOverHtml, passedOverRows, serviceStateKeys } from '../../src/views/index.ts';
import { BIDI_OR_CONTROL, HOSTILE_PIECES, HOSTILE_TOKEN, hostileText } from '../helpers/hostile-text.ts';
import { recordFigure, SEED } from './world.ts';

const RUNS = 500;

const config = configSchema.parse({
  name: 'Acme',
  environments: [{ name: 'qa' }, { name: 'prod', production: true }],
  sources: { github: { type: 'github' } },
  services: [{ name: 'api', repo: 'acme/api', sources: ['github'] }, { name: 'web', repo: 'acme/web', sources: ['github'] }],
});


function night(record: PassedOver) {
  return assembleSnapshot({
    config,
    outcomes: [{ name: 'github', type: 'github', evidence: { deployments: [], history: [], observed: [], declared: [], configs: [], branches: [], changes: [], gaps: [], syncs: [], passedOver: [record] } }],
    id: '2026-03-14T020000Z',
    takenAt: '2026-03-14T02:00:00Z',
    previous: null,
    generator: { name: 'release-ledger', version: 'test' },
    secretKey: null,
  });
}

describe('passed-over deployments on the day pages, hostile', () => {
  it('render inert, isolated and without credentials, link their own finding, and revise their pages', ({ task }) => {
    const samples = fc.sample(fc.tuple(hostileText, hostileText, hostileText), { seed: SEED, numRuns: RUNS });
    const problems: string[] = [];
    samples.forEach(([ref, by, pattern], i) => {
      const outside = i % 2 === 0;
      const record: PassedOver = {
        service: 'api', environment: i % 4 < 2 ? 'prod' : 'qa', source: 'github', deploymentId: 1000 + i, ref, refType: 'branch', commit: 'a'.repeat(40), createdBy: by, createdAt: '2026-03-13T12:00:00Z',
        ...(outside ? { kind: 'outside-branch-policy', reason: `its branch ${ref} is outside the environment's deployment branch policy (${pattern})`, branchPolicy: [pattern] } : { kind: 'transient-environment', reason: 'it was made for a transient environment (transient_environment: true)' }),
        url: `https://x:${HOSTILE_TOKEN}@github.example.test/acme/api/actions/runs/${i}/job/1`,
      };
      const snapshot = night(record);
      const finding = snapshot.findings.find((f) => f.rule === 'deployment.outside-branch-policy');
      if (Boolean(finding) !== outside) return void problems.push(`${i}: ${finding ? 'a finding' : 'no finding'} for ${record.kind}`);
      for (const [by, rows] of [['environment', passedOverRows(snapshot, { service: 'api' })], ['service', passedOverRows(snapshot, { environment: record.environment })]] as const) {
        if (rows.length !== 1 || rows[0]!.finding !== (finding?.id ?? null)) {
          problems.push(`${i}: ${rows.length} rows, finding ${rows[0]?.finding}`);
          continue;
        }
        const page = passedOverHtml(rows, by, (id) => `/days/2026-03-14/#${id}`)!.value;
        const text = page.replace(/<\/?(section|h2|div|table|caption|thead|tbody|tr|th|td|a|span|code|bdi)\b[^<>]*>/g, '');
        if (/[<>]/.test(text)) problems.push(`${i}: markup from outside: ${JSON.stringify(ref)} / ${JSON.stringify(by)} / ${JSON.stringify(pattern)}`);
        if (BIDI_OR_CONTROL.test(page)) problems.push(`${i}: a raw bidi or control character on the page`);
        if (page.includes(HOSTILE_TOKEN)) problems.push(`${i}: the credential is on the page`);
      }
      // Another creator is another page state, for the service and for its environment; the other environment keeps its key.
      const other = { ...snapshot, passedOver: snapshot.passedOver!.map((p) => ({ ...p, createdBy: `${p.createdBy}x` })) };
      const [s0, s1, e0, e1] = [serviceStateKeys(snapshot), serviceStateKeys(other), environmentStateKeys(snapshot), environmentStateKeys(other)];
      const rest = record.environment === 'prod' ? 'qa' : 'prod';
      if (s0.get('api') === s1.get('api') || e0.get(record.environment) === e1.get(record.environment)) problems.push(`${i}: a changed record did not revise its pages`);
      if (s0.get('web') !== s1.get('web') || e0.get(rest) !== e1.get(rest)) problems.push(`${i}: a changed record revised a page that does not show it`);
    });
    recordFigure(task, {
      case: 'passed-over deployments on the environment and service pages: hostile refs, logins and patterns',
      runs: RUNS,
      result: `${RUNS - new Set(problems.map((p) => p.split(':')[0])).size}/${RUNS} inert, isolated, credential-free, own finding linked, pages revised`,
      target: '100%: no markup, no raw bidi/control character, no credential; the finding linked exactly when the snapshot has one; a changed record revises exactly its pages',
      pass: problems.length === 0,
      detail: `${HOSTILE_PIECES.length} hostile pieces mixed with generated text; half outside the policy, half transient`,
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
