/**
 * A finding's evidence as a reader needs it: one small renderer per rule id
 * (a registry, as release-please keeps one entry per strategy), each a short
 * sentence or table with links to the records. Evidence is stored data that
 * older rules versions may have shaped differently, so each renderer first
 * checks the shape it knows (zod, non-strict) and returns null otherwise; the
 * caller then falls back to the generic rows (`evidenceRows`). The raw JSON is
 * always kept one click away by the caller.
 */
import { z } from 'zod';
import type { RuleId } from '../model/index.ts';
import { formatTime, plural, safeUrl, shortCommit } from './format.ts';
import { html, type Html } from './html.ts';
import { findingAnchor } from './links.ts';
import { printable } from '../model/printable.ts';

type Renderer = (evidence: Record<string, unknown>) => Html | null;

const text = z.string();
const nullableText = z.string().nullable();
const sighting = z.object({ environment: text, at: text, source: text, snapshot: text.optional(), url: text.optional() });
/** Where a declaration standing in for a deployment record was read (src/model/believed.ts). */
const declaredIn = z.object({ file: text, revision: text, changedBy: text.optional(), changedAt: text.optional(), source: text });
const build = z.object({ environment: text.optional(), version: text, commit: text, artifact: text.optional(), deployedAt: text, source: text, declared: declaredIn.optional() });
/** A build's commit cell: the commit, or the file a declaration was read from. */
const buildCommit = (b: z.infer<typeof build>) => (b.declared ? html`declared in <span class="mono">${b.declared.file}</span> at ${commit(b.declared.revision)}` : commit(b.commit));
const approval = z.object({ by: text, at: nullableText, state: text, kind: text.optional(), url: text.optional() });

/** `render` only when `evidence` has the shape `schema` describes. */
function shaped<S extends z.ZodType>(schema: S, render: (e: z.output<S>) => Html): Renderer {
  return (evidence) => {
    const parsed = schema.safeParse(evidence);
    return parsed.success ? render(parsed.data) : null;
  };
}

function table(headers: readonly (string | Html)[], rows: readonly (readonly unknown[])[]): Html {
  return html`<div class="table-wrap"><table class="evidence-table"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map(
    (cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

/** A link to an http(s) record, else nothing (never an unsafe href). */
function record(url: string | undefined | null, label = 'record'): Html | null {
  const href = safeUrl(url);
  return href ? html`<a href="${href}" rel="nofollow noopener">${label}</a>` : null;
}

/** A name from outside (a branch, a login) isolated from the text around it, its bidi overrides and control characters shown as escapes (src/model/printable.ts). */
export const outside = (name: string) => html`<bdi class="mono">${printable(name)}</bdi>`;

const commit = (sha: string | null | undefined) => html`<span class="mono" title="${sha ?? ''}">${shortCommit(sha)}</span>`;
const names = (list: readonly string[]) => (list.length === 0 ? html`<span class="muted">nobody</span>` : list.join(', '));

/** A config value as evidence shows it: secrets only as secrets (model/secret-fingerprint.ts decides what is one). */
function configValue(value: unknown, present = true): Html | string {
  if (!present || value === undefined) return html`<span class="muted">not set</span>`;
  if (value === null) return html`<code>null</code>`;
  if (typeof value === 'object') return 'secret' in value ? html`<span class="muted">(secret, value never read)</span>` : html`<span class="muted">(redacted)</span>`;
  return html`<code>${JSON.stringify(value)}</code>`;
}

function approvalsTable(approvals: readonly z.output<typeof approval>[], deployedAt: string): Html {
  if (approvals.length === 0) return html`<p>No approval recorded.</p>`;
  return table(
    ['Who', 'What', 'State', 'When'],
    approvals.map((a) => [
      a.by,
      a.kind === 'pull-request' ? 'pull request' : 'deployment',
      a.state,
      html`${formatTime(a.at)}${a.at && Date.parse(a.at) > Date.parse(deployedAt) && html` <strong>(after the deployment)</strong>`} ${record(a.url)}`,
    ]),
  );
}

/** Evidence renderers by rule id; a rule without one (or evidence of another shape) gets the generic rows. */
export const EVIDENCE_RENDERERS: Partial<Record<RuleId, Renderer>> = {
  'promotion.bypass': shaped(
    z.object({ commit: text, version: text, artifact: text.optional(), deployedAt: text, deployedBy: text, arrivedAt: text, previousEnvironment: text, previousSeenAt: nullableText, path: z.array(sighting), url: text.optional(), declared: declaredIn.optional() }),
    (e) =>
      html`<p>${e.version} (${e.declared ? html`declared in <span class="mono">${e.declared.file}</span> at ${commit(e.declared.revision)}` : commit(e.commit)}${e.artifact && html`, artifact <span class="mono">${e.artifact}</span>`}) was ${e.declared ? 'declared' : 'deployed'} by ${e.deployedBy} at ${formatTime(e.deployedAt)} and arrived ${formatTime(e.arrivedAt)}; in ${e.previousEnvironment} it was ${
        e.previousSeenAt ? html`first seen only at <strong>${formatTime(e.previousSeenAt)}</strong>` : html`<strong>never seen</strong>`
      }. ${record(e.url, 'deployment record')}</p>${
        e.path.length > 0
          ? html`<p>Where the same build was first seen:</p>${table(['Environment', 'First seen', 'From'], e.path.map((s) => [s.environment, formatTime(s.at), html`${s.source}${s.snapshot && html` <span class="muted">snapshot ${s.snapshot}</span>`} ${record(s.url)}`]))}`
          : html`<p>It was seen in no environment before this one.</p>`
      }`,
  ),
  'promotion.artifact-mismatch': shaped(z.object({ version: text, builds: z.array(build) }), (e) =>
    html`<p>Version ${e.version} is these builds:</p>${table(
      ['Environment', 'Commit', 'Artifact', 'Deployed', 'Source'],
      e.builds.map((b) => [b.environment ?? '—', commit(b.commit), b.artifact ? html`<span class="mono">${b.artifact}</span>` : html`<span class="muted">not recorded</span>`, formatTime(b.deployedAt), b.source]),
    )}`,
  ),
  'drift.version': shaped(
    z.object({ lower: text, higher: text, since: text, sinceBasis: text, driftDays: z.number(), maxDriftDays: z.number(), lowerDeployment: build, higherDeployment: build }),
    (e) =>
      html`<p>${e.higher} has run a different build from ${e.lower} for <strong>${plural(e.driftDays, 'day')}</strong>${e.sinceBasis === 'estimate' && ' at least'} (since ${formatTime(e.since)}); ${e.maxDriftDays} allowed.</p>${table(
        ['Environment', 'Version', 'Commit', 'Deployed', 'Source'],
        [
          [e.lower, e.lowerDeployment.version, buildCommit(e.lowerDeployment), formatTime(e.lowerDeployment.deployedAt), e.lowerDeployment.source],
          [e.higher, e.higherDeployment.version, buildCommit(e.higherDeployment), formatTime(e.higherDeployment.deployedAt), e.higherDeployment.source],
        ],
      )}`,
  ),
  'drift.runtime': shaped(
    z.object({
      mismatches: z.array(text),
      deployed: build.nullable(),
      observed: z.array(
        z.object({
          version: nullableText,
          commit: nullableText,
          at: text,
          source: text,
          url: text.optional(),
          artifact: text.optional(),
          workload: text.optional(),
          digests: z.array(z.object({ digest: text, pods: z.array(text) })).optional(),
        }),
      ),
      declared: z.array(z.object({ version: nullableText, image: text.optional(), artifact: text.optional(), file: text, revision: text, source: text, syncStatus: text.optional() })),
    }),
    (e) =>
      html`<ul>${e.mismatches.map((m) => html`<li>${m}</li>`)}</ul>${table(
        ['Record', 'Version', 'Commit or artifact', 'When / where', 'Source'],
        [
          e.deployed
            ? ['recorded deployment', e.deployed.version, html`${commit(e.deployed.commit)}${e.deployed.artifact && html` <span class="mono">${e.deployed.artifact}</span>`}`, formatTime(e.deployed.deployedAt), e.deployed.source]
            : ['recorded deployment', html`<span class="muted">none</span>`, '—', '—', '—'],
          ...e.observed.map((o) => [
            'observed running',
            o.version ?? '—',
            o.artifact ? html`<span class="mono">${o.artifact}</span>` : commit(o.commit),
            // A cluster's observation: the workload, and which pods run which digest.
            html`${formatTime(o.at)} ${record(o.url, 'endpoint')}${o.workload && html` <code>${o.workload}</code>`}${o.digests && o.digests.length > 0 && html`<ul>${o.digests.map((d) => html`<li><span class="mono">${d.digest}</span>: ${d.pods.join(', ')}</li>`)}</ul>`}`,
            o.source,
          ]),
          ...e.declared.map((d) => ['declared (GitOps)', d.version ?? '—', d.artifact ? html`<span class="mono">${d.artifact}</span>` : (d.image ?? '—'), html`<code>${d.file}</code> at ${commit(d.revision)}${d.syncStatus && ` (${d.syncStatus})`}`, d.source]),
        ],
      )}`,
  ),
  'config.drift': shaped(
    z.object({
      key: text,
      lower: z.object({ environment: text, value: z.unknown(), present: z.boolean(), source: text.optional(), origin: text.optional() }),
      higher: z.object({ environment: text, value: z.unknown(), present: z.boolean(), source: text.optional(), origin: text.optional() }),
    }),
    (e) =>
      table(
        ['Environment', html`<code>${e.key}</code>`, 'Read from'],
        [e.lower, e.higher].map((side) => [side.environment, configValue(side.value, side.present), html`${side.source ?? '—'}${side.origin && html` <span class="muted">${side.origin}</span>`}`]),
      ),
  ),
  'config.unrecorded-change': shaped(
    z.object({
      key: text,
      old: z.unknown(),
      new: z.unknown(),
      previousSnapshot: text,
      changedBy: text.optional(),
      changedAt: text.optional(),
      source: text.optional(),
      origin: text.optional(),
      deployment: z.object({ version: text, commit: text, deployedAt: text }).nullable(),
    }),
    (e) =>
      html`<p><code>${e.key}</code> changed since snapshot ${e.previousSnapshot}${e.changedBy && html` by ${e.changedBy}`}${e.changedAt && html` at ${formatTime(e.changedAt)}`}${e.source && html` <span class="muted">(${e.source}${e.origin && html`, ${e.origin}`})</span>`}, while ${
        e.deployment ? html`the deployment stayed ${e.deployment.version} (${commit(e.deployment.commit)}, deployed ${formatTime(e.deployment.deployedAt)})` : 'nothing was deployed'
      }.</p>${table(['Before', 'After'], [[configValue(e.old, e.old !== null), configValue(e.new, e.new !== null)]])}`,
  ),
  'approval.missing': shaped(
    z.object({ required: z.number(), approvedBy: z.array(text), selfApprovals: z.array(text), deployedBy: text, deployedAt: text, commit: text, version: text, approvals: z.array(approval), url: text.optional() }),
    (e) =>
      html`<p>${e.version} (${commit(e.commit)}) deployed by ${e.deployedBy} at ${formatTime(e.deployedAt)}: <strong>${e.approvedBy.length} of ${e.required}</strong> required approvals by someone else (${names(e.approvedBy)})${
        e.selfApprovals.length > 0 && html`; approved by the deployer, not counted: ${e.selfApprovals.join(', ')}`
      }. ${record(e.url, 'deployment record')}</p>${approvalsTable(e.approvals, e.deployedAt)}`,
  ),
  'approval.self': shaped(
    z.object({ deployedBy: text, deploymentApprovers: z.array(text), pullRequestAuthors: z.array(text), pullRequestApprovers: z.array(text), commit: text, version: text, approvals: z.array(approval) }),
    (e) =>
      html`${table(
        ['Role', 'Who'],
        [
          ['pull request authors', e.pullRequestAuthors.length > 0 ? e.pullRequestAuthors.join(', ') : html`<span class="muted">not recorded</span>`],
          ['pull request approvers', names(e.pullRequestApprovers)],
          ['deployment approvers', names(e.deploymentApprovers)],
          ['deployer', e.deployedBy],
        ],
      )}${approvalsTable(e.approvals, '')}`,
  ),
  'branch.not-merged-back': shaped(
    z.object({ branch: text, aheadBy: z.number(), behindBy: z.number(), lastCommitAt: nullableText, ageDays: z.number().nullable(), source: text }),
    (e) =>
      html`<p><code>${e.branch}</code> has <strong>${plural(e.aheadBy, 'commit')}</strong> the default branch does not have (and is ${e.behindBy} behind it); last commit ${formatTime(e.lastCommitAt)}${
        e.ageDays !== null && `, ${plural(e.ageDays, 'day')} before the snapshot`
      } <span class="muted">(${e.source})</span>.</p>`,
  ),
  'dependency.incompatible': shaped(
    z.object({
      dependency: text,
      kind: text,
      range: text,
      running: text,
      parsed: nullableText,
      from: z.union([z.object({ service: text, environment: text, version: text, commit: text, deployedAt: text, source: text }), z.object({ components: text })]),
      dependent: z.object({ version: text, commit: text }),
    }),
    (e) =>
      table(
        ['Needs', 'Accepted range', 'Running', 'Where that comes from'],
        [
          [
            html`${e.dependency} <span class="muted">(${e.kind})</span>`,
            html`<code>${e.range}</code>`,
            html`<strong>${e.running}</strong>${e.parsed === null && html` <span class="muted">(not a semantic version)</span>`}`,
            'components' in e.from
              ? html`built into ${e.from.components} ${e.dependent.version} (${commit(e.dependent.commit)})`
              : html`${e.from.service} deployed in ${e.from.environment} ${formatTime(e.from.deployedAt)} (${commit(e.from.commit)}, ${e.from.source})`,
          ],
        ],
      ),
  ),
  'component.skew': shaped(z.object({ library: text, versions: z.record(text, z.array(text)) }), (e) =>
    table(
      [html`${e.library} version`, 'Services built with it'],
      Object.entries(e.versions).map(([version, services]) => [html`<span class="mono">${version}</span>`, html`${services.length} <span class="muted">(${services.join(', ')})</span>`]),
    ),
  ),
  'exception.expired': shaped(
    z.object({ exception: z.object({ rule: text, service: text, environment: text.optional(), reason: text, approvedBy: text, expires: text }), expiredAt: text, findings: z.array(text) }),
    (e) =>
      html`<p>The exception for <code>${e.exception.rule}</code> on ${e.exception.service}${e.exception.environment ? ` in ${e.exception.environment}` : ' (all environments)'}, approved by ${e.exception.approvedBy} (“${e.exception.reason}”), expired at ${formatTime(e.expiredAt)}.</p>${
        e.findings.length > 0 ? html`<p>Open again: ${e.findings.map((id, i) => html`${i > 0 && ', '}<a href="#${findingAnchor(id)}">${id}</a>`)}</p>` : html`<p>It covers no finding today.</p>`
      }`,
  ),
  'source.gap': shaped(z.object({ source: text, evidence: text, reason: text }), (e) =>
    html`<p>Source ${e.source} gave no ${e.evidence === 'all' ? 'evidence' : `${e.evidence} evidence`}: ${e.reason}</p>`,
  ),
  'release.partial': shaped(
    z.object({
      release: text,
      kind: text,
      owner: nullableText,
      environment: text,
      partialSince: text,
      partialDays: z.number(),
      graceDays: z.number(),
      missing: text,
      components: z.array(z.object({ service: text, wanted: text, state: text, running: z.object({ version: text, commit: text, since: text }).nullable() })),
    }),
    (e) =>
      html`<p>${e.kind === 'declared' ? 'Release' : 'Ticket'} <strong>${e.release}</strong>${e.owner && html` (owner ${e.owner})`} has been in ${e.environment} in part for <strong>${plural(e.partialDays, 'day')}</strong> (since ${formatTime(e.partialSince)}); ${e.graceDays} allowed. <strong>${e.missing}</strong> has not arrived.</p>${table(
        ['Service', 'Release wants', 'Where it is', 'Running', 'Since'],
        e.components.map((c) => [c.service, c.wanted, c.state === 'running' ? '✓ arrived' : c.state === 'superseded' ? '✓ later version' : c.state === 'unknown' ? '? unknown' : html`<strong>✗ ${c.state === 'absent' ? 'not deployed' : 'missing'}</strong>`, c.running ? html`${c.running.version} ${commit(c.running.commit)}` : '—', c.running ? formatTime(c.running.since) : '—']),
      )}`,
  ),
  'release.mixed-scope': shaped(
    z.object({ version: text, commit: text, deployedAt: text, deployedBy: text, fromVersion: nullableText, units: z.number(), maxScope: z.number(), tickets: z.array(text), untracked: z.array(z.object({ number: z.number(), title: text })), releases: z.array(text), url: text.optional() }),
    (e) =>
      html`<p>${e.version} (${commit(e.commit)}), deployed by ${e.deployedBy} at ${formatTime(e.deployedAt)}${e.fromVersion && ` over ${e.fromVersion}`}, brought <strong>${e.units} unrelated changes</strong>; ${e.maxScope} allowed. ${record(e.url, 'deployment record')}</p><p>Tickets: ${e.tickets.join(', ') || '—'}${e.untracked.length > 0 && html`; pull requests without one: ${e.untracked.map((p, i) => html`${i > 0 && ', '}#${p.number} ${p.title}`)}`}${e.releases.length > 0 && html`; part of ${e.releases.join(', ')}`}.</p>`,
  ),
  'deployment.outside-branch-policy': shaped(
    z.object({
      deploymentId: z.number().optional(),
      ref: nullableText,
      refType: text.optional(),
      commit: text,
      createdBy: text,
      createdAt: text,
      branchPolicy: z.array(text),
      reason: text,
      source: text,
      newerThanWhatRuns: z.boolean(),
      whatRuns: z.object({ version: text, commit: text, ref: text.optional(), deployedAt: text, deployedBy: text }).nullable(),
      url: text.optional(),
    }),
    (e) =>
      html`<p>Deployment ${e.deploymentId ?? '(no id)'} of ${e.refType ?? 'ref'} ${e.ref === null ? html`<span class="muted">unknown</span>` : outside(e.ref)} (${commit(e.commit)}), created by ${outside(e.createdBy)} at ${formatTime(e.createdAt)}, succeeded outside the branch policy ${
        e.branchPolicy.length > 0 ? e.branchPolicy.map((p, i) => html`${i > 0 && ', '}<code>${printable(p)}</code>`) : html`<span class="muted">(no patterns)</span>`
      }; ${e.source} did not take it as what runs. ${record(e.url, 'run')}</p>${table(
        ['', 'Ref', 'Commit', 'When', 'By'],
        [
          ['Outside the policy', e.ref === null ? '—' : outside(e.ref), commit(e.commit), formatTime(e.createdAt), outside(e.createdBy)],
          e.whatRuns
            ? [html`Taken as what runs <span class="muted">(${e.whatRuns.version})</span>`, e.whatRuns.ref ? outside(e.whatRuns.ref) : '—', commit(e.whatRuns.commit), formatTime(e.whatRuns.deployedAt), outside(e.whatRuns.deployedBy)]
            : [html`Taken as what runs`, html`<span class="muted">nothing</span>`, '—', '—', '—'],
        ],
      )}${e.newerThanWhatRuns && html`<p><strong>It is newer than what is taken as running:</strong> if it was a real deployment, it is what runs.</p>`}`,
  ),
};

/** The rule's own rendering of `evidence`, or null when it has none for this shape (the caller shows generic rows). */
export function ruleEvidenceHtml(rule: RuleId, evidence: Record<string, unknown>): Html | null {
  return EVIDENCE_RENDERERS[rule]?.(evidence) ?? null;
}
