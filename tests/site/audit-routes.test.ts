/**
 * The audit routes in the route table (src/views/routes.ts): a change page is
 * grouped by the deployment day its id carries, the same key the build gives
 * its group (src/site/audit-index.ts), whatever dots the service name holds;
 * a closed period's table and files are one group; `/audit/` is ledger-wide.
 */
import { describe, expect, it } from 'vitest';
import { changeId } from '../../src/model/change-id.ts';
import { changeGroupDay } from '../../src/site/audit-index.ts';
import { paths } from '../../src/views/links.ts';
import { renderGroupOf, ROUTES } from '../../src/views/routes.ts';

const fileOf = (url: string) => `${url.replace(/^\//, '')}${url.endsWith('/') ? 'index.html' : ''}`;

describe('the audit routes', () => {
  it('group a change page by its deployment day, as the build keys it', () => {
    for (const service of ['web', 'payments-api', 'ledger.core', 'a...b', 'x_y', '20260101T000000Z']) {
      const id = changeId({ service, environment: 'prod.eu', source: 'github', deployedAt: '2026-09-15T14:52:00Z', commit: 'a'.repeat(40) });
      expect(renderGroupOf(fileOf(paths.change(id))), id).toBe('change/20260915');
      expect(changeGroupDay(id)).toBe('20260915');
    }
    // The search detail files of a service are the service's, never a change page.
    expect(renderGroupOf('changes/services/web.20260915T145200Z.0123456789.json')).toBe('services/web.20260915T145200Z.0123456789');
  });

  it('keep a closed period\'s table, CSV and manifest in one group, and /audit/ ledger-wide', () => {
    for (const period of ['2026-09', '2026-Q3']) {
      expect(renderGroupOf(fileOf(paths.auditPeriod(period)))).toBe(`audit/${period}`);
      expect(renderGroupOf(fileOf(paths.auditFile(period, `population-${period}.csv`)))).toBe(`audit/${period}`);
      expect(renderGroupOf(fileOf(paths.auditFile(period, `population-${period}.csv.manifest.json`)))).toBe(`audit/${period}`);
    }
    expect(ROUTES.audit.group).toBeUndefined();
    expect(renderGroupOf(fileOf(paths.audit()))).toBe('always');
  });
});
