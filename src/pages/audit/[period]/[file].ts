/**
 * `/audit/PERIOD/population-PERIOD.csv` and its `.manifest.json`: a closed
 * period's export files, exactly as `release-ledger export` writes them
 * (site/data.ts `periodExport`). Static file endpoints:
 * https://docs.astro.build/en/guides/endpoints/#static-file-endpoints
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { auditPeriods, periodExport, renders } from '../../../site/data.ts';
import { periodFiles } from '../../../views/index.ts';

export const getStaticPaths: GetStaticPaths = async () =>
  (await auditPeriods()).filter((p) => renders('audit', p.name)).flatMap((period) => {
    const files = periodFiles(period);
    return [
      { params: { period: period.name, file: files.csv }, props: { kind: 'csv' } },
      { params: { period: period.name, file: files.manifest }, props: { kind: 'manifest' } },
    ];
  });

export const GET: APIRoute = async ({ params, props }) => {
  const files = await periodExport(String(params.period));
  return props.kind === 'csv'
    ? new Response(files.csv, { headers: { 'content-type': 'text/csv; charset=utf-8' } })
    : new Response(files.manifest, { headers: { 'content-type': 'application/json' } });
};
