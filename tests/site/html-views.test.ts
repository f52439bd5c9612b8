/** The view functions that render HTML directly (the matrix, findings): everything from outside is escaped, and the markup says what the Astro components said. */
import { describe, expect, it } from 'vitest';
import { buildDeployment, buildFinding, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { buildMatrix, escapeHtml, findingAnchor, findingsHtml, html, matrixHtml } from '../../src/views/index.ts';

const HOSTILE = `<img src=x onerror="alert('x')">&`;

describe('html', () => {
  it('escapes interpolated text and attributes, keeps Html, drops null, undefined and false', () => {
    expect(escapeHtml(HOSTILE)).toBe('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
    const inner = html`<b>${'a<b'}</b>`;
    expect(html`<p title="${'"q"'}">${inner}${null}${undefined}${false}${0}${['<', html`<i>`]}</p>`.value).toBe('<p title="&quot;q&quot;"><b>a&lt;b</b>0&lt;<i></p>');
  });
});

describe('matrixHtml', () => {
  const links = { environment: (name: string) => `/env/${name}/`, service: (name: string) => `/svc/${name}/` };

  it('renders every cell with its status in words and escapes names, versions, owners and deployers', () => {
    const s = buildSnapshot({
      environments: [
        { name: 'dev', production: false, requiredApprovals: 0 },
        { name: 'prod', production: true, requiredApprovals: 1 },
      ],
      services: [{ name: 'api', kind: 'service', owner: HOSTILE, dependsOn: {}, envSpecificKeys: [] }],
      deployments: [
        buildDeployment({ service: 'api', environment: 'dev', version: `2.0.0-${HOSTILE}`, deployedBy: HOSTILE }),
        buildDeployment({ service: 'api', environment: 'prod', version: '1.0.0' }),
      ],
    });
    const out = matrixHtml(buildMatrix(s), '2026-03-14', links).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
    expect(out).toContain('<a href="/env/prod/">prod</a><span class="muted"> (production)</span>');
    expect(out).toContain('<a href="/svc/api/">api</a>');
    expect(out).toMatch(/<td class="cell status-drift" title="[0-9a-f]{40} deployed 2026-03-13 10:00 UTC by alice">/);
    expect(out).toContain('<span class="sr-text"> (drift)</span>');
    expect(out).toContain('≠ previous env: <span class="mono">2.0.0-&lt;img');
  });
});

describe('findingsHtml', () => {
  it('says when there is nothing, and escapes messages, evidence and exception reasons', () => {
    expect(findingsHtml([], `none for ${HOSTILE}`).value).toBe('<p>✓ none for &lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>');
    const f = buildFinding({
      service: 'api',
      message: HOSTILE,
      evidence: { branch: HOSTILE, link: 'https://example.test/a?b=1&c=2', script: 'javascript:alert(1)', list: ['x', 'https://example.test/y'] },
      exception: { service: 'api', rule: 'drift.version', reason: HOSTILE, approvedBy: 'carol', expires: '2026-04-01' },
    });
    const out = findingsHtml([f]).value;
    expect(out).not.toContain('<img');
    expect(out).toContain(`<h3>&lt;img src=x`);
    expect(out).toContain('<a href="https://example.test/a?b=1&amp;c=2" rel="nofollow noopener">https://example.test/a?b=1&amp;c=2</a>');
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('<li><a href="https://example.test/y" rel="nofollow noopener">https://example.test/y</a></li>');
    expect(out).toContain(`id="${findingAnchor(f.id)}"`);
    expect(out).toContain('excepted until 2026-04-01');
  });
});
