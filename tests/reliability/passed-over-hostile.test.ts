/**
 * Passed-over deployments with hostile refs and logins (docs/guarantees.md,
 * "Deployments passed over are evidence"): 500 generated refs and creators —
 * HTML, quotes, bidi overrides and isolates, control characters, credentials —
 * each recorded as passed over outside a branch policy and taken through the
 * real assembly (redaction), rules and the findings' HTML. None may reach the
 * page as markup or as a raw bidi/control character, a credential may not be
 * stored, and the raw JSON on the page must still be the stored evidence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../src/collect/assemble.ts';
import { configSchema, type PassedOver } from '../../src/model/index.ts';
import { findingsHtml } from '../../src/views/index.ts';
import { BIDI_OR_CONTROL, HOSTILE_PIECES, HOSTILE_TOKEN, hostileText } from '../helpers/hostile-text.ts';
import { recordFigure, SEED } from './world.ts';

const RUNS = 500;

const config = configSchema.parse({
  name: 'Acme',
  environments: [{ name: 'qa' }, { name: 'prod', production: true }],
  sources: { github: { type: 'github' } },
  services: [{ name: 'api', repo: 'acme/api', sources: ['github'] }],
});


describe('passed-over deployments with hostile refs and logins', () => {
  it('render inert, isolated and without credentials; the raw JSON is the stored evidence', ({ task }) => {
    const samples = fc.sample(fc.tuple(hostileText, hostileText), { seed: SEED, numRuns: RUNS });
    const problems: string[] = [];
    samples.forEach(([ref, by], i) => {
      const record: PassedOver = {
        service: 'api', environment: i % 2 ? 'prod' : 'qa', source: 'github', deploymentId: 1000 + i, ref, refType: 'branch', commit: 'a'.repeat(40), createdBy: by,
        createdAt: '2026-03-13T12:00:00Z', kind: 'outside-branch-policy', reason: `its branch ${ref} is outside the environment's deployment branch policy (main)`, branchPolicy: ['main'],
        url: `https://x:${HOSTILE_TOKEN}@github.example.test/acme/api/actions/runs/${i}/job/1`,
      };
      const snapshot = assembleSnapshot({
        config, outcomes: [{ name: 'github', type: 'github', evidence: { deployments: [], history: [], observed: [], declared: [], configs: [], branches: [], changes: [], gaps: [], syncs: [], passedOver: [record] } }],
        id: '2026-03-14T020000Z', takenAt: '2026-03-14T02:00:00Z', previous: null, generator: { name: 'release-ledger', version: 'test' }, secretKey: null,
      });
      const findings = snapshot.findings.filter((f) => f.rule === 'deployment.outside-branch-policy');
      if (findings.length !== 1) return void problems.push(`${i}: ${findings.length} findings`);
      const page = findingsHtml(findings).value;
      const text = page.replace(/<\/?(div|article|p|span|a|code|h3|dl|dt|dd|details|summary|pre|bdi|table|thead|tbody|tr|th|td|strong)\b[^<>]*>/g, '');
      if (/[<>]/.test(text)) problems.push(`${i}: markup from outside: ${JSON.stringify(ref)} / ${JSON.stringify(by)}`);
      if (BIDI_OR_CONTROL.test(page)) problems.push(`${i}: a raw bidi or control character on the page`);
      if (JSON.stringify(snapshot).includes(HOSTILE_TOKEN) || page.includes(HOSTILE_TOKEN)) problems.push(`${i}: the credential was stored`);
      const raw = /<pre>([^<]*)<\/pre>/.exec(page)?.[1]?.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
      if (!raw || JSON.stringify(JSON.parse(raw)) !== JSON.stringify(findings[0]!.evidence)) problems.push(`${i}: the raw JSON is not the stored evidence`);
      if (findings[0]!.severity !== (record.environment === 'prod' ? 'high' : 'medium')) problems.push(`${i}: severity ${findings[0]!.severity} in ${record.environment}`);
    });
    recordFigure(task, {
      case: 'passed-over deployments: hostile refs and logins',
      runs: RUNS,
      result: `${RUNS - new Set(problems.map((p) => p.split(':')[0])).size}/${RUNS} inert, isolated, credential-free, raw JSON intact`,
      target: '100%: no markup, no raw bidi/control character, no credential; severity high in prod, medium elsewhere',
      pass: problems.length === 0,
      detail: `${HOSTILE_PIECES.length} hostile pieces mixed with generated text`,
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
