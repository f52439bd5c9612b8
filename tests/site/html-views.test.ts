/** The view functions that render HTML directly (the matrix, findings): everything from outside is escaped, and the markup says what the Astro components said. */
import { describe, expect, it } from 'vitest';
import { buildDeployment, buildFinding, buildSnapshot } from '../helpers/snapshot-builder.ts';
import { configChangesHtml, environmentVersionsHtml, pullRequestsWhereHtml, versionStretchesHtml, approvalsHtml, approvalRows, deployedBuildRows, serviceWhereHtml, protectionHtml, protectionRows, blastRadiusHtml, buildMatrix, configByEnvironmentHtml, PULL_REQUESTS_NAMED, pullRequestsBetweenHtml, undeclaredConfigHtml, groupUndeclared, serviceSet, serviceSetText, changesHtml, escapeHtml, findingAnchor, findingsHtml, graphEdgesHtml, html, matrixHtml, type DeploymentChange, type PrBetween } from '../../src/views/index.ts';

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
      findings: [buildFinding({ id: 'drift.version/api/prod', rule: 'drift.version', service: 'api', environment: 'prod' })],
    });
    const out = matrixHtml(buildMatrix(s), '2026-03-14', links).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
    expect(out).toContain('<a href="/env/prod/">prod</a><span class="muted"> (production)</span>');
    expect(out).toContain('<a href="/svc/api/">api</a>');
    // The status is the cell's class, its mark and its words; the version and short commit show, who deployed it is on the service page.
    expect(out).toMatch(/<td class="drift"><b aria-hidden="true">≠<\/b><code>1\.0\.0<\/code><span class="sr"> \(drift\)<\/span><small>[0-9a-f]{7}<\/small>/);
    expect(out).not.toContain('title=');
    expect(out).toContain('≠ previous env: <code>2.0.0-&lt;img');
    // ✓ (most cells) has no class and reads its mark aloud; site.css colours a classless matrix cell as aligned.
    expect(out).toMatch(/<td><b>✓<\/b><code>2\.0\.0-&lt;img[^<]*<\/code><small>[0-9a-f]{7}<\/small><\/td>/);
    expect(out).not.toContain('(aligned)');
    // A ✓ after the same build gives its short commit once, in the column before it.
    const same = buildSnapshot({
      environments: [{ name: 'dev', production: false, requiredApprovals: 0 }, { name: 'prod', production: true, requiredApprovals: 1 }],
      services: [{ name: 'api', kind: 'service', dependsOn: {}, envSpecificKeys: [] }],
      deployments: ['dev', 'prod'].map((environment) => buildDeployment({ service: 'api', environment, version: '1.0.0', commit: 'd'.repeat(40) })),
    });
    const twice = matrixHtml(buildMatrix(same), '2026-03-14', links).value;
    expect(twice).toContain('<td><b>✓</b><code>1.0.0</code><small>ddddddd</small></td><td><b>✓</b><code>1.0.0</code></td>');
    expect(twice).toContain('✓ the same build as the previous environment (its commit is given there)');
  });
});

describe('findingsHtml', () => {
  it('withholds the plain secret hashes that findings of snapshots before keyed fingerprints quote', () => {
    const plain = 'ab12cd34ef56'.padEnd(64, '0');
    const f = buildFinding({
      rule: 'config.unrecorded-change',
      message: `api config key DB_PASSWORD in prod changed from redacted sha256:${plain.slice(0, 12)} to redacted sha256:${'9'.repeat(12)}.`,
      evidence: { key: 'DB_PASSWORD', old: { redacted: true, sha256: plain }, new: { redacted: true, hmac: 'e'.repeat(64), keyId: 'f'.repeat(16) }, artifact: `sha256:${plain}` },
    });
    const out = findingsHtml([f]).value;
    expect(out).not.toContain(`sha256:${plain.slice(0, 12)} `);
    expect(out).not.toContain('9'.repeat(12));
    expect(out).not.toContain(`&quot;${plain}&quot;`);
    expect(out).toContain('redacted (plain hash withheld)');
    // An artifact digest is not a secret's hash: it stays.
    expect(out).toContain(`sha256:${plain}`);
  });

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

describe('the long tables', () => {
  it('approvals: escape who, comments and sources, and link only http(s) records', () => {
    const snapshot = buildSnapshot({
      deployments: [
        buildDeployment({
          service: 'api', environment: 'prod', deployedAt: '2026-03-14T02:00:00Z', deployedBy: HOSTILE, url: 'javascript:alert(1)',
          approvals: [{ by: `bob${HOSTILE}`, at: null, state: 'approved', kind: 'deployment', comment: HOSTILE, url: 'https://example.test/r?a=1&b=2' }],
          promotion: { previousEnvironment: 'staging', previous: { environment: 'staging', at: '2026-03-13T02:00:00Z', source: HOSTILE }, path: [] },
        }),
      ],
    });
    const out = approvalsHtml(approvalRows(snapshot)).value;
    expect(out).not.toContain('<img');
    expect(out).not.toContain('javascript:');
    expect(out).toContain('<a href="https://example.test/r?a=1&amp;b=2" rel="nofollow noopener">record</a>');
    expect(out).toContain('<span class="badge appr-met"><span aria-hidden="true">✓</span> separate</span> <span class="muted">1/1 required</span>');
    expect(out).toContain(`“${escapeHtml(HOSTILE)}”`);
    expect(approvalsHtml([]).value).toBe('<p>No deployment to a production environment.</p>');
  });

  it('deployment protection: per environment in the snapshot\'s order, custom branch patterns escaped, unprotected environments plain to see', () => {
    const snapshot = buildSnapshot({
      environments: [{ name: 'dev', production: false, requiredApprovals: 0 }, { name: 'staging', production: false, requiredApprovals: 0 }, { name: 'prod', production: true, requiredApprovals: 1 }],
      deployments: [
        buildDeployment({ service: 'api', environment: 'prod', protection: { requiredReviewers: ['team:sre', HOSTILE], preventSelfReview: true, waitTimerMinutes: 5, branchPolicy: `custom: main, ${HOSTILE}` } }),
        buildDeployment({ service: 'api', environment: 'dev', protection: { requiredReviewers: [], preventSelfReview: false, waitTimerMinutes: 0, branchPolicy: 'all' } }),
        buildDeployment({ service: 'api', environment: 'staging' }),
        buildDeployment({ service: 'web', environment: 'prod', protection: { requiredReviewers: ['dana'], preventSelfReview: false, waitTimerMinutes: 0, branchPolicy: 'custom' } }),
      ],
    });
    const rows = protectionRows(snapshot.environments, snapshot.deployments.filter((d) => d.service === 'api'));
    expect(rows.map((r) => `${r.environment}: ${r.branchPolicy}`)).toEqual(['dev: all', `prod: custom: main, ${HOSTILE}`]);
    expect(rows[1]!.requiredReviewers).toEqual([HOSTILE, 'team:sre'].sort());
    const out = protectionHtml(rows).value;
    expect(out).not.toContain('<img');
    expect(out).toContain(`<td><code>main, ${escapeHtml(HOSTILE)}</code></td>`);
    expect(out).toContain('<tr><td>dev</td><td><strong>none</strong></td><td><strong>yes</strong></td><td><span class="muted">none</span></td><td><strong>any branch</strong></td></tr>');
    const web = protectionHtml(protectionRows(snapshot.environments, snapshot.deployments.filter((d) => d.service === 'web'))).value;
    expect(web).toContain('<tr><td>prod</td><td>dana</td><td><strong>yes</strong></td><td><span class="muted">none</span></td><td>custom rules <span class="muted">(not read)</span></td></tr>');
    expect(protectionHtml([]).value).toBe('');
  });

  it('where a service runs: one row per environment, its cell, full commit and artifact digest, escaped; the legend names the marks shown', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const snapshot = buildSnapshot({
      environments: [{ name: 'dev', production: false, requiredApprovals: 0 }, { name: 'qa', production: false, requiredApprovals: 0 }, { name: 'prod', production: true, requiredApprovals: 1 }],
      services: [{ name: 'api', kind: 'service', dependsOn: {}, envSpecificKeys: [] }, { name: 'web', kind: 'service', dependsOn: {}, envSpecificKeys: [] }],
      deployments: [
        buildDeployment({ service: 'api', environment: 'prod', version: '2.0.0', commit: 'a'.repeat(40), artifact: digest, ref: 'v2.0.0', url: 'https://example.test/d?a=1&b=2', deployedBy: HOSTILE }),
        buildDeployment({ service: 'api', environment: 'dev', version: '2.1.0', commit: 'b'.repeat(40), ref: HOSTILE, url: 'javascript:alert(1)' }),
        buildDeployment({ service: 'web', environment: 'qa', artifact: `sha256:${HOSTILE}` }),
      ],
    });
    const rows = deployedBuildRows(snapshot.environments, snapshot.deployments.filter((d) => d.service === 'api'));
    expect(rows.map((r) => `${r.environment}${r.production ? '*' : ''} ${r.version} ${r.artifact ?? '-'}`)).toEqual(['dev 2.1.0 -', `prod* 2.0.0 ${digest}`]);
    const matrix = buildMatrix(snapshot);
    const cells = (service: string) => matrix.rows.find((r) => r.service === service)!.cells;
    const out = serviceWhereHtml(cells('api'), matrix.environments, rows, (e) => `/env/${e}/`).value;
    expect(out).not.toContain('<img');
    expect(out).not.toContain('javascript:');
    // Full commits and digests may break anywhere when printed (class "hash"); nothing else may. No short commit repeats the full one.
    expect(out).toContain(`<td class="mono hash">${'a'.repeat(40)}<div>${digest}</div></td>`);
    expect(out).toContain(`<td class="mono hash">${'b'.repeat(40)}<div class="muted">from ${escapeHtml(HOSTILE)}</div></td>`);
    expect(out).not.toContain('<small>');
    expect(out).toContain('<a href="https://example.test/d?a=1&amp;b=2" rel="nofollow noopener">record</a>');
    expect(out).toContain(`by ${escapeHtml(HOSTILE)} <span class="muted">(`);
    // A ref that is the version itself is not repeated.
    expect(out).not.toContain('v2.0.0');
    // Every environment has a row, with its status in words; qa has no record.
    expect(out).toContain('<tr><th scope="row"><a href="/env/qa/">qa</a></th><td class="absent"><b aria-hidden="true">–</b><span class="muted">—</span><span class="sr"> (not deployed)</span></td><td colspan="2" class="muted">no deployment record</td></tr>');
    expect(out).toContain('<a href="/env/prod/">prod</a><span class="muted"> (production)</span>');
    // The legend: only the marks this table shows, in the day matrix's words.
    const caption = /<caption class="muted">([^<]*)<\/caption>/.exec(out)![1]!;
    const marks = [...out.matchAll(/<b(?: aria-hidden="true")?>(.)<\/b>/g)].map((m) => m[1]!);
    expect(new Set(marks).size).toBeGreaterThan(1);
    for (const mark of ['✓', '→', '≠', '⚠', '?', '–']) expect({ mark, legend: caption.includes(`${mark} `) }).toEqual({ mark, legend: marks.includes(mark) });
    const day = matrixHtml(matrix, '2026-03-14', { environment: (e) => `/env/${e}/`, service: (x) => `/svc/${x}/` }).value;
    for (const part of caption.replace("As the day's last snapshot recorded it (UTC). ", '').split(' · ')) expect(day).toContain(part);
    const web = serviceWhereHtml(cells('web'), matrix.environments, deployedBuildRows(snapshot.environments, snapshot.deployments.filter((d) => d.service === 'web')), (e) => `/env/${e}/`).value;
    expect(web).toContain(`<div>sha256:${escapeHtml(HOSTILE)}</div>`);
  });

  it('changes: escape pull request titles and authors, link services through the given function', () => {
    const change = {
      service: 'api', environment: 'prod', change: 'changed', production: true, url: undefined, tickets: [HOSTILE], fields: ['version'],
      from: { version: '1.0.0', commit: 'b'.repeat(40), artifact: null, deployedAt: '2026-03-13T02:00:00Z', deployedBy: 'a' },
      to: { version: '1.1.0', commit: 'c'.repeat(40), artifact: null, deployedAt: '2026-03-14T02:00:00Z', deployedBy: HOSTILE },
      pullRequests: [{ number: 7, title: HOSTILE, author: HOSTILE, mergedBy: null, mergedAt: null, reviewers: [], url: 'data:text/html,x' }],
    } as DeploymentChange;
    const out = changesHtml([change], (s) => `/svc/${s}/`).value;
    expect(out).not.toContain('<img');
    expect(out).not.toContain('data:text');
    expect(out).toContain('<td>prod<strong> (production)</strong></td><td><a href="/svc/api/">api</a></td>');
    expect(out).toContain('<li>#7 &lt;img');
    // On a page of one service (or one environment) that column says nothing new on each row, so it is left out.
    const ofService = changesHtml([change], (s) => `/svc/${s}/`, 'service').value;
    expect(ofService).toContain('<thead><tr><th scope="col">Environment</th><th scope="col">From</th>');
    expect(ofService).toContain('<tr><td>prod<strong> (production)</strong></td><td><span class="mono">1.0.0</span>');
    expect(ofService).not.toContain('/svc/api/');
    const ofEnvironment = changesHtml([change], (s) => `/svc/${s}/`, 'environment').value;
    expect(ofEnvironment).toContain('<thead><tr><th scope="col">Service</th><th scope="col">From</th>');
    expect(ofEnvironment).toContain('<tr><td><a href="/svc/api/">api</a></td><td>');
  });

  it('graph edges: escape names and ranges; team summaries are not links', () => {
    const model = { environment: 'prod', nodes: [], edges: [{ from: HOSTILE, to: 'db', range: `^1 ${HOSTILE}`, running: null, status: 'incompatible' as const }] };
    const out = graphEdgesHtml(model, false, (s) => `/svc/${encodeURIComponent(s)}/`).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('<tr class="edge-incompatible"><td><a href="/svc/%3Cimg');
    expect(out).toContain('<th scope="col">Running in prod</th>');
    const summary = graphEdgesHtml({ ...model, edges: [{ ...model.edges[0]!, count: 3, incompatibleCount: 1 }] }, true, (s) => `/svc/${s}/`).value;
    expect(summary).not.toContain('<a ');
    expect(summary).toContain('<td>3 (1 incompatible)</td>');
  });

  it('blast radius and configuration: escape names, ranges, keys and values; secrets show only that they are secret', () => {
    expect(blastRadiusHtml([]).value).toBe('nothing depends on it here');
    const radius = blastRadiusHtml([
      { service: 'web', depth: 1, via: 'api', range: '^1', version: '1.0.0', satisfied: true },
      { service: HOSTILE, depth: 2, via: 'web', range: HOSTILE, version: '0.1.0', satisfied: false },
    ]).value;
    expect(radius).toBe(`web, ${escapeHtml(HOSTILE)}<span class="muted"> (via web)</span><strong> ✗ range ${escapeHtml(HOSTILE)} not met</strong>`);
    const configs = configByEnvironmentHtml([
      { service: 'api', environment: 'prod', source: 'file', changedBy: HOSTILE, changedAt: '2026-03-14T02:00:00Z', values: { [HOSTILE]: HOSTILE, TOKEN: { redacted: true, sha256: 'f'.repeat(64) } } },
    ] as Parameters<typeof configByEnvironmentHtml>[0]).value;
    expect(configs).not.toContain('<img');
    // Values are monospace by the table's class (site.css `table.cfg td + td`), not a class a cell.
    expect(configs).toContain('<table class="cfg">');
    expect(configs).toContain('</code></td><td>(redacted)</td>');
    expect(configs).not.toContain('class="mono"');
    expect(configs).not.toContain('f'.repeat(64));
    expect(configs).toContain(', changed 2026-03-14 02:00 UTC by &lt;img');
    expect(configByEnvironmentHtml([]).value).toBe('<p>No configuration recorded.</p>');
  });

  it('pull requests between two environments: a group per side said once, a row per service, the newest few named, the rest counted and linked', () => {
    const prs: PrBetween[] = Array.from({ length: PULL_REQUESTS_NAMED + 3 }, (_, i) => ({ service: 'api', number: i + 1, title: i === 0 ? HOSTILE : `change ${i + 1}`, url: 'javascript:x', tickets: [], in: 'a' }));
    prs.push({ service: HOSTILE, number: 9, title: 'x', url: 'https://example.test/pr/9', tickets: ['PAY-1'], in: 'b' });
    const out = pullRequestsBetweenHtml(prs, 'dev', 'prod', (s) => `/services/${encodeURIComponent(s)}/`).value;
    expect(out).not.toContain('<img');
    expect(out).not.toContain('javascript:');
    expect(out).toContain(`<tbody><tr><th colspan="3" scope="rowgroup">Only in dev: ${PULL_REQUESTS_NAMED + 3} pull requests in 1 service</th></tr><tr><td>api</td><td>${PULL_REQUESTS_NAMED + 3}</td>`);
    expect(out.indexOf('Only in dev')).toBeLessThan(out.indexOf('Only in prod: 1 pull request in 1 service'));
    expect(out).toContain(`<li>#${PULL_REQUESTS_NAMED + 3} change ${PULL_REQUESTS_NAMED + 3}</li>`);
    expect(out).not.toContain('<li>#1 ');
    expect(out).toContain('<a href="/services/api/">3 more in its history</a>');
    expect(out).toContain('<td>1</td><td><ul><li><a href="https://example.test/pr/9" rel="nofollow noopener">#9</a> x <span class="muted">(PAY-1)</span></li></ul></td>');
    // A ticket its title already names is not repeated.
    expect(pullRequestsBetweenHtml([{ service: 'api', number: 4, title: 'PAY-2 fix rounding', url: undefined, tickets: ['PAY-2', 'PAY-3'], in: 'a' }], 'dev', 'prod', () => '/').value).toContain('<li>#4 PAY-2 fix rounding <span class="muted">(PAY-3)</span></li>');
    expect(pullRequestsBetweenHtml([], 'dev', 'prod', () => '/').value).toBe('<p>None: no pull request is known to be in one build and not the other.</p>');
  });

  it('undeclared config differences: one row per key and value pair naming its services, values escaped, secrets never shown', () => {
    const row = (service: string, key: string, a: string | null, b: string | null, extra: Partial<{ redacted: boolean; notComparable: 'no common fingerprint' }> = {}) => ({ service, source: 'file', key, a, b, redacted: false, notComparable: null, envSpecific: false, ...extra });
    const universe = ['api', 'db', 'web', 'jobs', 'mail'];
    const out = undeclaredConfigHtml(
      groupUndeclared([
        row('api', HOSTILE, JSON.stringify(HOSTILE), null),
        row('web', 'FLAG', 'true', 'false'),
        row('api', 'FLAG', 'true', 'false'),
        row('db', 'FLAG', 'false', 'true'),
        row('api', 'TOKEN', '(redacted)', '(redacted)', { redacted: true }),
        row('api', 'DB_PASSWORD', '(redacted)', '(redacted)', { redacted: true, notComparable: 'no common fingerprint' }),
      ]),
      'dev',
      HOSTILE,
      universe,
    ).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('<h3>Not declared environment-specific <span class="muted">(6 differences)</span></h3>');
    expect(out).toContain('<td class="mono">(not set)</td>');
    // The same key and values in two services: one row naming both; the other value pair its own row.
    expect(out).toContain('<tr><td><code>FLAG</code></td><td class="mono">true</td><td class="mono">false</td><td>changed</td><td>in 2 services: api, web</td></tr>');
    expect(out).toContain('<tr><td><code>FLAG</code></td><td class="mono">false</td><td class="mono">true</td><td>changed</td><td>in 1 service: db</td></tr>');
    expect(out).toContain('<td>changed (redacted)</td>');
    expect(out).toContain('<td>not comparable (no common fingerprint)</td>');
  });

  it('a group of services is said by the fewest names: all, all but the few it lacks, or the few', () => {
    const universe = ['a', 'b', 'c', 'd', 'e'];
    expect(serviceSetText(serviceSet(['e', 'd', 'c', 'b', 'a'], universe))).toBe('in all 5 services');
    expect(serviceSetText(serviceSet(['a', 'b', 'd', 'e'], universe))).toBe('in 4 of the 5 services: all but c');
    expect(serviceSetText(serviceSet(['b', 'a'], universe))).toBe('in 2 services: a, b');
    // A name outside the snapshot's services is never hidden behind "all but".
    expect(serviceSetText(serviceSet(['a', 'b', 'c', 'x'], universe))).toBe('in 4 services: a, b, c, x');
  });

  it('a service history: versions and pull requests escaped, links to days, where each pull request is now', () => {
    const stretches = versionStretchesHtml(
      [
        { version: HOSTILE, commit: 'd'.repeat(40), deployedAt: '2026-03-14T02:00:00Z', deployedBy: HOSTILE, until: null, rollback: true, snapshot: '2026-03-14T020000Z' },
        { version: '1.0.0', commit: 'e'.repeat(40), deployedAt: '2026-03-12T02:00:00Z', deployedBy: 'bob', until: '2026-03-14T02:00:00Z', rollback: false, snapshot: '2026-03-12T020000Z' },
      ],
      true,
      (d) => `/days/${d}/`,
    ).value;
    expect(stretches).not.toContain('<img');
    expect(stretches).toContain('<tr class="status-drift"><td class="mono">&lt;img');
    expect(stretches).toContain('<td>still running</td><td><a href="/days/2026-03-14/">2026-03-14</a></td>');
    expect(stretches).toContain('<td>2 d</td>');
    const prs = pullRequestsWhereHtml(
      [{ service: 'api', number: 3, title: HOSTILE, author: 'a', mergedAt: '2026-03-13T02:00:00Z', url: 'javascript:x', tickets: ['T-1'], environments: { dev: [{ since: '2026-03-13T03:00:00Z', exact: true, until: null, version: '1', snapshot: 's' }] }, now: { dev: { presence: 'in', version: '1' } } } as unknown as Parameters<typeof pullRequestsWhereHtml>[0][number]],
      ['dev', 'prod'],
    ).value;
    expect(prs).not.toContain('<img');
    expect(prs).not.toContain('javascript:');
    expect(prs).toContain('<td>✓ since 2026-03-13 03:00 UTC (1)</td><td><span class="muted">not deployed</span></td>');
  });

  it('compare versions: differing services in a table, the same build as one line of names and versions, all escaped', () => {
    const state = (version: string) => ({ version, commit: 'a'.repeat(40), artifact: null, deployedAt: '2026-03-13T10:00:00Z', deployedBy: HOSTILE });
    const out = environmentVersionsHtml(
      [
        { service: 'api', status: 'different', a: state(`2.0.0-${HOSTILE}`), b: state('1.0.0'), fields: ['version'] },
        { service: 'web', status: 'only-b', a: null, b: state('1.0.0'), fields: [] },
        { service: 'db', status: 'same', a: state(HOSTILE), b: state(HOSTILE), fields: [] },
        { service: 'cache', status: 'same', a: state('3.1.0'), b: state('3.1.0'), fields: [] },
      ],
      'dev',
      HOSTILE,
      (service) => `/svc/${service}/`,
    ).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('<th scope="col">&lt;img src=x');
    expect(out).toContain('<tr><th scope="row"><a href="/svc/api/">api</a></th><td>2.0.0-&lt;img');
    expect(out).toContain(`<small>aaaaaaa · 2026-03-13</small></td><td>1.0.0 <small>`);
    expect(out).toContain('<td>version</td>');
    expect(out).toContain('<td>—</td>');
    expect(out).toContain('<td>only in &lt;img src=x');
    expect(out).toContain('<h3>✓ The same build in both (2)</h3><p class="same">db (&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;), cache (3.1.0)</p>');
    expect(environmentVersionsHtml([], 'dev', 'prod', () => '/').value).toBe('<p>✓ Every service runs the same build in both.</p>');
  });

  it('a day\'s config changes: keys and values escaped, secret values never shown', () => {
    const change = { service: 'api', environment: 'prod', source: 'file', change: 'changed' as const, label: 'changed' };
    const out = configChangesHtml([
      { ...change, key: HOSTILE, from: JSON.stringify(HOSTILE), to: null, redacted: false },
      { ...change, key: 'TOKEN', from: 'sha256:abc', to: 'sha256:def', redacted: true },
    ]).value;
    expect(out).not.toContain('<img');
    expect(out).toContain('<td><code>&lt;img src=x');
    expect(out).toContain('<td>—</td>');
    expect(out).toContain('<td><code>TOKEN</code></td><td>changed</td><td>(redacted)</td><td>(redacted)</td>');
    expect(out).not.toContain('sha256:abc');
    expect(configChangesHtml([]).value).toBe('');
  });
});
