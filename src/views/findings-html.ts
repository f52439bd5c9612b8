/**
 * Findings with their evidence as HTML (components/Findings.astro inserts
 * it); each has the stable anchor `#finding-<id>`. A plain function for the
 * same reason as the matrix (views/html.ts): a day page lists every finding.
 * Evidence is the rule's own table or sentence (views/evidence-html.ts), else
 * the generic rows, with the raw JSON one click away; it is open for
 * medium and worse, closed for info and low, so a page of low findings stays
 * short (issue 19: three low findings were 4,000 px of a day page).
 */
import { withholdPlainHashes, type Finding } from '../model/index.ts';
import { ruleEvidenceHtml } from './evidence-html.ts';
import { evidenceRows, evidenceOpen, SEVERITY_ICON, type EvidenceValue } from './findings.ts';
import { formatTime } from './format.ts';
import { html, type Html } from './html.ts';
import { findingAnchor } from './links.ts';
import { printable } from '../model/printable.ts';

export function findingsHtml(findings: readonly Finding[], empty = 'No findings.'): Html {
  if (findings.length === 0) return html`<p>✓ ${empty}</p>`;
  return html`<div class="findings">${findings.map(findingHtml)}</div>`;
}

function findingHtml(shown: Finding): Html {
  // Findings of snapshots written before keyed fingerprints may quote a secret's plain hash.
  const f = withholdPlainHashes(shown);
  const anchor = findingAnchor(f.id);
  return html`<article class="${`finding sev-border-${f.severity}${f.exception ? ' excepted' : ''}`}" id="${anchor}"><p><span class="badge sev-${f.severity}"><span aria-hidden="true">${SEVERITY_ICON[f.severity]}</span> ${f.severity}</span> <code>${f.rule}</code>${
    f.service && html` · ${f.service}`
  }${f.environment && html` @ ${f.environment}`}${f.exception && html` · <span class="badge appr-self">excepted until ${f.exception.expires}</span>`} <a href="#${anchor}" class="muted" aria-label="Link to finding ${f.id}">#</a></p><h3>${f.message}</h3><dl><dt>Resolve by</dt><dd>${f.resolution}</dd><dt>Open since</dt><dd>${formatTime(f.since)}</dd><dt>Finding id</dt><dd><code>${f.id}</code></dd>${
    f.exception && html`<dt>Exception</dt><dd>${f.exception.reason} — approved by ${f.exception.approvedBy}, expires ${f.exception.expires}</dd>`
  }</dl>${evidenceHtml(f)}</article>`;
}

/** The raw JSON is the same JSON with bidi overrides written as `\u202e` escapes (src/model/printable.ts), so it cannot reorder on the page. */
function evidenceHtml(f: Finding): Html {
  const shown = ruleEvidenceHtml(f.rule, f.evidence) ?? html`<dl>${evidenceRows(f.evidence).map((row) => html`<dt>${row.key}</dt><dd>${valueHtml(row.value)}</dd>`)}</dl>`;
  return html`<details class="evidence"${evidenceOpen(f.severity) && html` open`}><summary>Evidence</summary>${shown}<details class="raw-evidence"><summary>Raw evidence (JSON)</summary><pre>${printable(JSON.stringify(f.evidence, null, 2))}</pre></details></details>`;
}

function valueHtml(value: EvidenceValue): Html | string {
  switch (value.kind) {
    case 'text':
      return value.text;
    case 'link':
      return html`<a href="${value.href}" rel="nofollow noopener">${value.text}</a>`;
    case 'list':
      return html`<ul>${value.items.map((item) => html`<li>${item.kind === 'link' ? html`<a href="${item.href}" rel="nofollow noopener">${item.text}</a>` : item.kind === 'text' ? item.text : ''}</li>`)}</ul>`;
    case 'json':
      return html`<pre>${value.text}</pre>`;
  }
}
