/**
 * A Vitest reporter that prints the reliability figures as one table at the
 * end of the run (https://vitest.dev/advanced/reporters). Each case attaches
 * its figures to its test's `meta` (see `recordFigure` in world.ts); a case
 * whose test failed before recording anything shows as FAIL with no figures,
 * and any FAIL row makes the run exit non-zero.
 *
 *   vitest run tests/reliability --reporter=default --reporter=./tests/reliability/figures-reporter.ts
 */
import type { Reporter, TestModule } from 'vitest/node';
import type { Figure } from './world.ts';

export function formatFigures(rows: readonly Figure[]): string {
  const header = ['case', 'runs', 'result', 'target', 'status'];
  const cells = rows.map((r) => [r.case, String(r.runs), r.result, r.target, r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
  const details = rows.filter((r) => r.detail).map((r) => `  ${r.case}: ${r.detail}`);
  return `\nReliability figures (issue 8)\n${out.join('\n')}\n${details.length ? `\n${details.join('\n')}\n` : ''}`;
}

export default class FiguresReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: Figure[] = [];
    for (const module of testModules) {
      if (!module.moduleId.includes('/tests/reliability/')) continue;
      for (const test of module.children.allTests()) {
        const figures = (test.meta() as { reliability?: Figure[] }).reliability;
        if (figures?.length) rows.push(...figures);
        else if (test.result().state === 'failed') rows.push({ case: test.name, runs: 0, result: 'failed before recording figures', target: '-', pass: false });
      }
    }
    rows.sort((a, b) => a.case.localeCompare(b.case, 'en', { numeric: true }));
    if (rows.length) process.stdout.write(formatFigures(rows));
    // A missed target fails the run even if its test's own assertions did not (Vitest only ever raises exitCode).
    const missed = rows.filter((r) => !r.pass);
    if (missed.length) {
      process.stdout.write(`\n${missed.length} target(s) missed: ${missed.map((r) => r.case).join('; ')}\n`);
      process.exitCode = 1;
    }
  }
}
