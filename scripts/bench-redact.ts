/**
 * How fast redaction runs on one long value, in MB/s (issue 17: a 100,000
 * character value took 6 s, 1,000,000 did not finish).
 *
 *   npm run bench:redact [-- --sizes 1,4,10]
 *
 * For each generated shape (tests/helpers/adversarial-values.ts) and size:
 * `looksLikeSecretValue` (what decides whether a config value is stored
 * redacted) and `redactUrl` (what every stored URL field goes through), the
 * best of three runs. Linear redaction shows as MB/s that stays level as the
 * size grows.
 */
import { redactUrl } from '../src/model/redact-url.ts';
import { looksLikeSecretValue } from '../src/model/redact.ts';
import { ADVERSARIAL_SHAPES, MB } from '../tests/helpers/adversarial-values.ts';

const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg === -1 ? '1,4,10' : process.argv[sizesArg + 1]!).split(',').map(Number);

function best(run: () => unknown): number {
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

const rate = (size: number, ms: number) => (size / MB / (ms / 1000)).toFixed(1).padStart(7);
console.log(`${'shape'.padEnd(18)} ${'MB'.padStart(3)}  detect MB/s  url MB/s`);
const totals = new Map<number, { bytes: number; ms: number }>();
for (const shape of ADVERSARIAL_SHAPES) {
  for (const size of sizes) {
    const value = shape.make(size * MB);
    const detect = best(() => looksLikeSecretValue(value));
    const url = best(() => redactUrl(value));
    const total = totals.get(size) ?? { bytes: 0, ms: 0 };
    totals.set(size, { bytes: total.bytes + 2 * size * MB, ms: total.ms + detect + url });
    console.log(`${shape.name.padEnd(18)} ${String(size).padStart(3)}  ${rate(size * MB, detect)}      ${rate(size * MB, url)}`);
  }
}
for (const [size, { bytes, ms }] of totals) console.log(`all shapes at ${size} MB: ${rate(bytes, ms).trim()} MB/s`);
