// Measurement aid (not committed): the pre-Astro steps of a nightly build at 1,095 days.
import { readFile } from 'node:fs/promises';
import { listSnapshotIds } from '../src/ledger/index.ts';
import { computeLedgerIndex, generatorFingerprint, groupKeys, ledgerFacts, serviceGroupKeys } from '../src/site/incremental.ts';
const dir = '/tmp/pre1095/hist', cache = '/tmp/pre1095/cache';
const lap = (() => { let t = performance.now(); return (label: string) => { const n = performance.now(); console.log(label.padEnd(28), (n - t).toFixed(0), 'ms'); t = n; }; })();
const ids = await listSnapshotIds(dir); lap('list ids');
const fp = await generatorFingerprint({ siteName: null }); lap('fingerprint');
const old = JSON.parse(await readFile(`${cache}/ledger-index.json`, 'utf8')).fingerprint as string; lap('(read old fp: parse state)');
const facts = await ledgerFacts(dir, ids, cache); lap('ledgerFacts');
const { index, read } = await computeLedgerIndex(dir, facts, ids, cache, process.env.OLD ? old : fp); lap(`computeLedgerIndex read=${read}`);
const g = groupKeys(facts, fp); lap(`groupKeys ${g.size}`);
const s = serviceGroupKeys(index, fp, null); lap(`serviceGroupKeys ${s.size}`);
const text = JSON.stringify(index); lap(`stringify index ${(text.length / 1e6).toFixed(1)} MB`);
console.log(Object.entries(index).map(([k, v]) => `${k}:${(JSON.stringify(v).length / 1e6).toFixed(1)}MB`).join(' '));
