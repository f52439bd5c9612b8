/** View functions: plain, tested functions from snapshots to what a page shows. Components only render. */
export * from './approvals.ts';
export * from './changes.ts';
export * from './compare.ts';
export * from './days.ts';
export * from './findings.ts';
export * from './format.ts';
export * from './graph.ts';
export * from './history.ts';
export * from './links.ts';
export * from './matrix.ts';
export * from './matrix-html.ts';
export * from './environment-html.ts';
export * from './findings-html.ts';
export { EVIDENCE_RENDERERS, ruleEvidenceHtml } from './evidence-html.ts';
export * from './tables-html.ts';
export * from './service-day-html.ts';
export * from './html.ts';
export * from './search.ts';
export * from './stats.ts';

export * from './footer.ts';
export * from './answers.ts';
export * from './revisions.ts';
export * from './audit.ts';
export * from './releases.ts';
export * from './releases-html.ts';
export * from './passed-over.ts';
export * from './passed-over-html.ts';
