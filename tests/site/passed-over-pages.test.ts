/**
 * Passed-over deployments on the environment's and the service's day pages:
 * every one shown (a transient one too, which raises no finding), escaped and
 * isolated like a finding's evidence, linked to the snapshot's own finding
 * when one stands for it; no section without records; and the revision keys
 * of those pages follow exactly what the section shows.
 */
import { describe, expect, it } from 'vitest';
import type { PassedOver, Snapshot } from '../../src/model/index.ts';
import { environmentStateKeys, findingAnchor, passedOverHtml, passedOverRows, serviceStateKeys } from '../../src/views/index.ts';
import { day, dep, only, outsidePolicy, sha, take } from '../rules/world.ts';

const SCRIPT = '<script>alert(1)</script>';
/** U+202E RIGHT-TO-LEFT OVERRIDE: `feature/‮exe.txt` would read as `feature/txt.exe`. */
const RLO = '\u202e';

/** world.ts `outsidePolicy` with a script in its branch policy's patterns. */
const hostilePolicy = (ref: string, createdBy: string) => outsidePolicy(ref, createdBy, { branchPolicy: ['main', `release/*${SCRIPT}`] });

const transient: PassedOver = {
  service: 'web',
  environment: 'qa',
  source: 'github',
  deploymentId: 9002,
  ref: 'preview/pr-12',
  refType: 'branch',
  commit: sha('web-preview'),
  createdBy: 'preview-bot',
  createdAt: day(9, '13:00:00'),
  kind: 'transient-environment',
  reason: 'it was made for a transient environment (transient_environment: true)',
  url: 'https://github.com/acme/web/actions/runs/77',
};

function nightWith(passedOver: PassedOver[] | undefined): Snapshot {
  return take({
    takenAt: day(10),
    deployments: [dep('web', 'prod', '1.0.0', { deployedAt: day(8, '10:00:00'), ref: 'main' }), dep('web', 'qa', '1.0.0', { deployedAt: day(8, '09:00:00'), ref: 'main' })],
    ...(passedOver && { passedOver }),
  });
}

describe('passed-over deployments on the day pages', () => {
  it('shows each one escaped, a ref and a login with <script> or a right-to-left override isolated, and links the finding that stands for it', () => {
    const s = nightWith([hostilePolicy(`feature/${SCRIPT}${RLO}exe.txt`, `mallory${RLO}nimda${SCRIPT}`), transient]);
    const [finding] = only(s, 'deployment.outside-branch-policy');
    expect(finding).toBeDefined();
    const rows = passedOverRows(s, { service: 'web' });
    expect(rows.map((r) => [r.environment, r.finding])).toEqual([
      ['prod', finding!.id],
      ['qa', null],
    ]);
    const page = passedOverHtml(rows, 'environment', (id) => `#${findingAnchor(id)}`)!.value;
    expect(page).not.toContain('<script>');
    expect(page).not.toContain(RLO);
    expect(page).not.toContain('javascript:');
    expect(page).toContain('<bdi class="mono">feature/&lt;script&gt;alert(1)&lt;/script&gt;\\u202eexe.txt</bdi>');
    expect(page).toContain('<bdi class="mono">mallory\\u202enimda&lt;script&gt;alert(1)&lt;/script&gt;</bdi>');
    expect(page).toContain('<code>release/*&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    // The unsafe link is not a link: the id is text. The transient one links its run and has no finding.
    expect(page).toContain('<td>9001</td>');
    expect(page).toContain('<a href="https://github.com/acme/web/actions/runs/77" rel="nofollow noopener">9002</a>');
    expect(page).toContain(`<a href="#${findingAnchor(finding!.id)}">finding</a>`);
    expect(page).toContain('made for a transient environment</td>');
    expect(page).toContain(`<span class="mono" title="${sha('web-feature')}">${sha('web-feature').slice(0, 7)}</span>`);
    expect(page).toContain('2026-03-09 12:00 UTC by ');
    // The environment's page names the service instead, and has only its own environment's records.
    const prod = passedOverHtml(passedOverRows(s, { environment: 'prod' }), 'service', (id) => `/days/2026-03-10/#${findingAnchor(id)}`)!.value;
    expect(prod).toContain('<th scope="col">Service</th>');
    expect(prod).toContain('<td>web</td>');
    expect(prod).toContain(`<a href="/days/2026-03-10/#${findingAnchor(finding!.id)}">finding</a>`);
    expect(prod).not.toContain('9002');
  });

  it('says "no finding" for a deployment outside the policy whose finding is no longer open, and links none', () => {
    const s = nightWith([hostilePolicy('feature/x', 'erin')]);
    const closed = { ...s, findings: s.findings.filter((f) => f.rule !== 'deployment.outside-branch-policy') };
    const page = passedOverHtml(passedOverRows(closed, { environment: 'prod' }), 'service', () => '/x')!.value;
    expect(page).toContain('<span class="muted">no finding</span>');
    expect(page).not.toContain('href="/x"');
  });

  it('adds nothing to a page without records', () => {
    const s = nightWith(undefined);
    expect(passedOverRows(s, { service: 'web' })).toEqual([]);
    expect(passedOverHtml([], 'service', () => '')).toBeNull();
    expect(passedOverRows(nightWith([transient]), { environment: 'prod' })).toEqual([]);
  });
});

describe('passed-over deployments in the revision keys', () => {
  it('a change in the list revises the environment and service pages it shows on, and nothing else', () => {
    const before = nightWith([hostilePolicy('feature/x', 'erin')]);
    const changes: [string, Snapshot][] = [
      ['a new record', { ...before, passedOver: [...before.passedOver!, { ...transient, environment: 'prod' }] }],
      ['another creator', { ...before, passedOver: [{ ...before.passedOver![0]!, createdBy: 'mallory' }] }],
      ['another ref', { ...before, passedOver: [{ ...before.passedOver![0]!, ref: 'feature/y' }] }],
      ['no record', { ...before, passedOver: [] }],
    ];
    const [services, environments] = [serviceStateKeys(before), environmentStateKeys(before)];
    for (const [what, after] of changes) {
      const [s, e] = [serviceStateKeys(after), environmentStateKeys(after)];
      expect(s.get('web'), what).not.toBe(services.get('web'));
      expect(e.get('prod'), what).not.toBe(environments.get('prod'));
      for (const [name, key] of s) if (name !== 'web') expect(key, `${what}: ${name}`).toBe(services.get(name));
      for (const [name, key] of e) if (name !== 'prod') expect(key, `${what}: ${name}`).toBe(environments.get(name));
    }
  });

  it('the finding standing for one is part of what is shown: its closing revises the pages', () => {
    const before = nightWith([hostilePolicy('feature/x', 'erin')]);
    const closed = { ...before, findings: before.findings.filter((f) => f.rule !== 'deployment.outside-branch-policy') };
    expect(environmentStateKeys(closed).get('prod')).not.toBe(environmentStateKeys(before).get('prod'));
  });

  it('an unchanged list (a new night, the reason reworded by the source) revises nothing', () => {
    const before = nightWith([hostilePolicy('feature/x', 'erin'), transient]);
    const next = { ...before, takenAt: day(11), passedOver: before.passedOver!.map((p) => ({ ...p, reason: `${p.reason}.` })) };
    expect(serviceStateKeys(next)).toEqual(serviceStateKeys(before));
    expect(environmentStateKeys(next)).toEqual(environmentStateKeys(before));
  });

  it('a page without records keeps the key it had before the section existed', () => {
    const none = nightWith(undefined);
    const empty = { ...none, passedOver: [] };
    expect(serviceStateKeys(empty)).toEqual(serviceStateKeys(none));
    const withQa = nightWith([transient]);
    // web's page has a record now (qa), prod's environment page has none: its key is that of a night without any.
    expect(environmentStateKeys(withQa).get('prod')).toBe(environmentStateKeys(none).get('prod'));
  });
});
