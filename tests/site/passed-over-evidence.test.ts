/**
 * deployment.outside-branch-policy on a page: its evidence by its own
 * renderer, everything from outside escaped, and a ref or login with a bidi
 * override isolated and shown as an escape, never reordering what is around it.
 */
import { describe, expect, it } from 'vitest';
import { findingsHtml, ruleEvidenceHtml } from '../../src/views/index.ts';
import { day, dep, only, outsidePolicy, take } from '../rules/world.ts';

const SCRIPT = '<script>alert(1)</script>';
/** U+202E RIGHT-TO-LEFT OVERRIDE: `feature/‮exe.txt` would read as `feature/txt.exe`. */
const RLO = '\u202e';

function nightWith(ref: string, createdBy: string) {
  return take({
    takenAt: day(10),
    deployments: [dep('web', 'prod', '1.0.0', { deployedAt: day(8, '10:00:00'), ref: 'main' })],
    passedOver: [outsidePolicy(ref, createdBy)],
  });
}

describe('deployment.outside-branch-policy evidence on the site', () => {
  it('renders by its own renderer with the ref escaped, never a script tag or a javascript: link', () => {
    const snapshot = nightWith(`feature/${SCRIPT}`, `erin${SCRIPT}`);
    const [finding] = only(snapshot, 'deployment.outside-branch-policy');
    expect(finding).toBeDefined();
    const own = ruleEvidenceHtml(finding!.rule, finding!.evidence);
    expect(own).not.toBeNull();
    expect(own!.value).toContain('<bdi class="mono">feature/&lt;script&gt;alert(1)&lt;/script&gt;</bdi>');
    expect(own!.value).toContain('<strong>It is newer than what is taken as running:</strong>');
    const page = findingsHtml(snapshot.findings).value;
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('feature/&lt;script&gt;');
  });

  it('shows a right-to-left override in a ref or login as an escape, isolated, in the evidence and the message', () => {
    const snapshot = nightWith(`feature/${RLO}exe.txt`, `mallory${RLO}nimda`);
    const finding = only(snapshot, 'deployment.outside-branch-policy')[0]!;
    const page = findingsHtml(snapshot.findings).value;
    expect(page).not.toContain(RLO);
    expect(finding.message).not.toContain(RLO);
    expect(finding.message).toContain('branch feature/\\u202eexe.txt');
    expect(page).toContain('<bdi class="mono">feature/\\u202eexe.txt</bdi>');
    expect(page).toContain('<bdi class="mono">mallory\\u202enimda</bdi>');
    // The raw JSON is still the stored evidence, with the override written as a JSON escape.
    const raw = /<pre>([^<]*)<\/pre>/.exec(page)![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
    expect(JSON.parse(raw)).toEqual(finding.evidence);
  });
});
