/**
 * The release pages' tables as plain functions (views/html.ts escapes every
 * value): the list of releases, one release's positions, blast radius and
 * timeline, and the day page's releases in flight. `link` turns a site path
 * into an href (the site's base).
 */
import type { ComponentPosition, EnvironmentStatus } from '../model/release.ts';
import { formatTime } from './format.ts';
import { html, type Html } from './html.ts';
import { paths } from './links.ts';
import { hasReleasePage, type ReleaseDay, type ReleaseSummary, type ReleaseView } from './releases.ts';

/** A release's name, linked to its page when it has one. */
const nameLink = (name: string, link: Link): Html => (hasReleasePage(name) ? html`<a href="${link(paths.release(name))}">${name}</a>` : html`${name}`);

type Link = (path: string) => string;

const STATE_CLASS: Record<EnvironmentStatus['state'], string> = {
  complete: 'status-aligned',
  superseded: 'status-aligned',
  partial: 'status-drift',
  'not-started': 'muted',
  unknown: 'status-gap',
};
const STATE_LABEL: Record<EnvironmentStatus['state'], string> = {
  complete: '✓ complete',
  superseded: '✓ superseded',
  partial: '◐ partial',
  'not-started': '○ not started',
  unknown: '? unknown',
};

/** A release's state in one environment, as a badge whose text says it (colour is never the only signal). */
export function releaseStateHtml(state: EnvironmentStatus['state']): Html {
  return html`<span class="badge ${STATE_CLASS[state]}" data-state="${state}">${STATE_LABEL[state]}</span>`;
}

const POSITION_LABEL: Record<ComponentPosition['state'], string> = {
  running: '✓ arrived',
  superseded: '✓ later version',
  other: '✗ missing',
  absent: '✗ not deployed',
  unknown: '? unknown',
};

/** `/releases/`: every release with its completeness per environment. */
export function releasesListHtml(releases: readonly ReleaseSummary[], environments: readonly string[], link: Link, caption: string): Html {
  if (releases.length === 0) return html`<p>No releases: none is declared under <code>releases:</code> in the config, and no ticket key has changed two services.</p>`;
  const cell = (r: ReleaseSummary, env: string) => {
    const s = r.states.find((x) => x.environment === env);
    return s ? releaseStateHtml(s.state) : html`<span class="muted">not targeted</span>`;
  };
  return html`<div class="table-wrap"><table class="releases">
<caption>${caption}</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Owner</th><th scope="col">Components</th>${environments.map((e) => html`<th scope="col">${e}</th>`)}</tr></thead>
<tbody>${releases.map(
    (r) => html`<tr data-release="${r.name}"><th scope="row">${nameLink(r.name, link)} <span class="muted">${r.kind === 'declared' ? 'declared' : 'ticket'}</span>${r.openFindings > 0 && html` <span class="badge sev-medium">${r.openFindings} open</span>`}</th><td>${r.owner ?? html`<span class="muted">none declared</span>`}</td><td>${r.components.map((c, i) => html`${i > 0 && ', '}${c.service} ${c.version}`)}</td>${environments.map((e) => html`<td>${cell(r, e)}</td>`)}</tr>`,
  )}</tbody>
</table></div>`;
}

/** One release: per environment, each component's position and since when, and what is missing. */
export function releasePositionsHtml(view: ReleaseView): Html {
  return html`${view.environments.map(
    (env) => html`<section class="release-env" aria-labelledby="env-${env.environment}">
<h3 id="env-${env.environment}">${env.environment} ${releaseStateHtml(env.state)}${env.partialSince && html` <span class="muted">since ${formatTime(env.partialSince)}</span>`}</h3>
${env.state === 'partial' && html`<p>Missing: ${env.components.filter((p) => p.state === 'other' || p.state === 'absent').map((p, i) => html`${i > 0 && ', '}<strong>${p.service} ${p.wanted}</strong>`)}.</p>`}
<div class="table-wrap"><table>
<thead><tr><th scope="col">Service</th><th scope="col">Release wants</th><th scope="col">Where it is</th><th scope="col">Running</th><th scope="col">Since</th></tr></thead>
<tbody>${env.components.map(
      (p) => html`<tr data-component="${p.service}" data-position="${p.state}"><th scope="row">${p.service}</th><td>${p.wanted}</td><td>${POSITION_LABEL[p.state]}${p.why && html` <span class="muted">(${p.why})</span>`}</td><td>${p.running ? p.running.version : '—'}</td><td>${p.running ? formatTime(p.running.since) : '—'}</td></tr>`,
    )}</tbody>
</table></div>
</section>`,
  )}`;
}

/** Every service that depends on a component, per environment. */
export function releaseBlastRadiusHtml(view: ReleaseView, link: Link): Html {
  const rows = view.blastRadius.filter((r) => r.dependents.length > 0);
  if (rows.length === 0) return html`<p>No other service depends on a component of this release.</p>`;
  return html`<ul class="blast-radius">${rows.map(
    (r) => html`<li><strong>${r.environment}</strong>: ${r.dependents.map((d, i) => html`${i > 0 && ', '}<a href="${link(paths.service(d.service))}">${d.service}</a> <span class="muted">(via ${d.via}${d.depth > 1 ? `, ${d.depth} hops` : ''}${d.unknown ? ', deployment unknown' : ''})</span>`)}</li>`,
  )}</ul>`;
}

/** The release day by day: each environment's state at the end of each day, newest first, with where each component was. */
export function releaseTimelineHtml(days: readonly ReleaseDay[], link: Link): Html {
  const shown = days.filter((d) => d.states.some((s) => s.state !== 'not-started')).reverse();
  if (shown.length === 0) return html`<p>No component of this release has arrived in any environment yet.</p>`;
  const environments = shown[0]!.states.map((s) => s.environment);
  const mark = (position: ComponentPosition['state']) => (position === 'running' || position === 'superseded' ? '✓' : position === 'unknown' ? '?' : '✗');
  return html`<div class="table-wrap"><table class="release-timeline">
<caption>At the end of each day, newest first (days when nothing had arrived anywhere are left out); ✓ arrived (or a later version), ✗ not there</caption>
<thead><tr><th scope="col">Day</th>${environments.map((e) => html`<th scope="col">${e}</th>`)}</tr></thead>
<tbody>${shown.map(
    (d) => html`<tr data-day="${d.date}"><th scope="row"><a href="${link(paths.day(d.date))}">${d.date}</a></th>${d.states.map(
      (s) => html`<td>${releaseStateHtml(s.state)}${s.components.map((c) => html`<div${c.position === 'other' || c.position === 'absent' ? '' : html` class="muted"`} data-component="${c.service}">${mark(c.position)} ${c.service} ${c.running ?? '(not deployed)'}</div>`)}</td>`,
    )}</tr>`,
  )}</tbody>
</table></div>`;
}

/** The day page's section: releases partial that day, and those in flight (arrived somewhere, not everywhere). `recorded`: the snapshot holds a releases record at all. */
export function releasesInFlightHtml(flight: { inFlight: readonly ReleaseSummary[]; partial: readonly ReleaseSummary[] }, link: Link, recorded = true): Html {
  if (!recorded) return html`<p class="muted">This snapshot was taken before the ledger recorded releases: it says nothing about them.</p>`;
  // Names only: a past day's page must not depend on which releases the newest snapshot still knows (its pages), nor link to one it no longer does.
  const item = (r: ReleaseSummary) =>
    html`<li data-release="${r.name}"><strong>${r.name}</strong>${r.owner && html` <span class="muted">(${r.owner})</span>`}: ${r.states.map((s, i) => html`${i > 0 && ' · '}${s.environment} ${releaseStateHtml(s.state)}`)}</li>`;
  if (flight.partial.length === 0 && flight.inFlight.length === 0) return html`<p>No release is partial or in flight this day. <a href="${link(paths.releases())}">All releases</a>.</p>`;
  return html`${flight.partial.length > 0 && html`<h3>Partial</h3><ul class="releases-partial">${flight.partial.map(item)}</ul>`}${flight.inFlight.length > 0 && html`<h3>In flight</h3><ul class="releases-in-flight">${flight.inFlight.map(item)}</ul>`}<p class="no-print"><a href="${link(paths.releases())}">All releases</a></p>`;
}
