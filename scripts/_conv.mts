// Measurement aid (not committed): the 1,095-day cache converted to the current state format.
import { readFile, writeFile } from 'node:fs/promises';
const p = '/tmp/pre1095/cache.base/ledger-index.json';
const j = JSON.parse(await readFile(p, 'utf8'));
j.format = 5;
let prev: string[] | null = null;
j.state.days = j.state.days.map((d: { services: string[] }) => { const same = prev && prev.length === d.services.length && prev.every((x, i) => x === d.services[i]); prev = d.services; return same ? { ...d, services: null } : d; });
await writeFile(p, JSON.stringify(j));
