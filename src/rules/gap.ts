/** Missing evidence (`source.gap`): one finding per gap the sources reported, so nothing disappears silently. */
import { exceptionHint, type Rule, type RuleResult } from './_context.ts';

export const docs = {
  title: 'Evidence is missing',
  why: 'A source could not give part of the evidence (network, rate limit, bad payload, missing permission). Findings that need that evidence cannot be judged for that service and environment, so the ledger says so instead of staying silent.',
  resolve: 'Fix the source (the reason names it: token scope, URL, timeout) so the next collect has the evidence. Or record an exception for a service whose evidence is knowingly unavailable.',
};

export const sourceGap: Rule = (ctx) =>
  ctx.draft.gaps.map(
    (g): RuleResult => ({
      rule: 'source.gap',
      ...(g.service !== undefined ? { service: g.service } : {}),
      ...(g.environment !== undefined ? { environment: g.environment } : {}),
      detail: [g.source, g.evidence],
      message: `${g.source} gave no ${g.evidence === 'all' ? 'evidence' : `${g.evidence} evidence`}${g.service ? ` for ${g.service}` : ''}${g.environment ? ` in ${g.environment}` : ''}: ${g.reason}`,
      resolution: `Fix source ${g.source} so the next collect has the evidence. ${exceptionHint('source.gap', g.service, g.environment)}`,
      evidence: { source: g.source, evidence: g.evidence, reason: g.reason },
    }),
  );
