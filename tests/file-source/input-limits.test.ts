/**
 * The `file` source's input limits and YAML edge cases (issue 17, items 5 and
 * 8): every bad inventory file is one gap naming that file, and the other
 * files of the folder are still read.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFile } from '../../collectors/file/source.ts';
import type { ConfigInput, FileSourceConfig } from '../../src/model/index.ts';
import { aliasBomb, encode, nested, writeSparse } from '../helpers/adversarial-yaml.ts';
import { sourceContext } from '../helpers/runtime-context.ts';

const MiB = 1024 * 1024;
const SERVICES = ['api', 'web', 'core', 'jobs'];
const config = (inventoryPath: string): ConfigInput => ({
  name: 'Acme',
  environments: [{ name: 'dev' }, { name: 'prod', production: true }],
  sources: { inventory: { type: 'file', path: inventoryPath } },
  services: SERVICES.map((name) => ({ name, sources: ['inventory'] })),
});
const collect = (folder: string) => collectFile(sourceContext<FileSourceConfig>(config('inv'), 'inventory', { configDir: folder }));

const deployment = (service: string, extra = '') =>
  `  - service: ${service}\n    environment: prod\n    version: 1.0.0\n    commit: abc1234\n    deployedAt: 2026-03-01T10:00:00Z\n    deployedBy: alice\n${extra}`;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'ledger-file-limits-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('file source: a bad file is a gap naming it; the other files still count', () => {
  it('alias bomb, 200 MiB file, Latin-1, UTF-16, __proto__, deep nesting beside good files', async () => {
    const folder = path.join(tmp, 'mixed');
    const inv = path.join(folder, 'inv');
    await mkdir(inv, { recursive: true });
    await writeFile(path.join(inv, 'a-good.yaml'), `deployments:\n${deployment('api')}`);
    await writeFile(path.join(inv, 'b-bomb.yaml'), `deployments: []\n${aliasBomb(9, 9)}`);
    await writeSparse(path.join(inv, 'c-huge.yaml'), 'deployments: []\n', 200 * MiB);
    await writeFile(path.join(inv, 'd-latin1.yaml'), encode(`deployments:\n${deployment('web', '    status: d\u00e9ploy\u00e9\n')}`, 'latin1'));
    await writeFile(path.join(inv, 'e-utf16.yaml'), encode(`deployments:\n${deployment('web')}`, 'utf16le-bom'));
    await writeFile(path.join(inv, 'f-proto.yaml'), 'configs:\n  - service: web\n    environment: prod\n    values:\n      __proto__: x\n      LOG: info\n');
    await writeFile(path.join(inv, 'g-deep.yaml'), `deployments: []\nextra: ${nested(5000, 'flow')}\n`);
    // One anchor used by 101 deployments: fine (it was the whole source's gap).
    const many = Array.from({ length: 101 }, (_, i) => `  - service: core\n    environment: ${i === 0 ? 'prod' : 'dev'}\n    version: 1.0.${i}\n    commit: c${i}\n    deployedAt: 2026-03-01T10:00:00Z\n    deployedBy: ${i === 0 ? '&who alice' : '*who'}\n`);
    await writeFile(path.join(inv, 'h-aliases.yaml'), `deployments:\n${many.join('')}`);

    const evidence = await collect(folder);
    expect(evidence.deployments.map((d) => [d.service, d.environment, d.deployedBy])).toEqual([
      ['api', 'prod', 'alice'],
      ['core', 'dev', 'alice'],
      ['core', 'prod', 'alice'],
    ]);
    const reasons = evidence.gaps.map((g) => g.reason);
    // Each bad file is named by exactly one gap, in one line.
    for (const file of ['b-bomb', 'c-huge', 'd-latin1', 'e-utf16', 'f-proto', 'g-deep']) {
      expect(reasons.filter((r) => r.startsWith(`inv/${file}.yaml`)), file).toHaveLength(1);
    }
    for (const reason of reasons) expect(reason).not.toContain('\n');
    expect(reasons).toContain('inv/c-huge.yaml: 200 MiB, over the 1 MiB cap on one inventory file; split it into several files in a folder (sources.inventory.path may name a folder)');
    expect(reasons).toContain('inv/e-utf16.yaml: the file is UTF-16LE (byte-order mark FF FE), not UTF-8; save it as UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)');
    expect(reasons.find((r) => r.startsWith('inv/d-latin1.yaml'))).toMatch(/^inv\/d-latin1\.yaml:8: not UTF-8: byte 0xE9 at byte offset \d+ /);
    expect(reasons.find((r) => r.startsWith('inv/b-bomb.yaml'))).toMatch(/^inv\/b-bomb\.yaml:\d+:\d+: x\d+\[\d+\]: the alias \*a\d takes the file past 1 MiB once aliases are expanded/);
    expect(reasons.find((r) => r.startsWith('inv/f-proto.yaml'))).toBe('inv/f-proto.yaml:5:7: configs[0].values: the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it');
    expect(reasons.find((r) => r.startsWith('inv/g-deep.yaml'))).toMatch(/^inv\/g-deep\.yaml:2:\d+: nested more than 100 levels deep/);
    // The services with no records say which files could not be used.
    expect(reasons.find((r) => r.startsWith('no records for jobs'))).toContain('6 inventory files could not be used: inv/b-bomb.yaml, inv/c-huge.yaml');
  });

  it('files past the 4 MiB total of one source are gaps, not read; the files before them count', async () => {
    const folder = path.join(tmp, 'total');
    const inv = path.join(folder, 'inv');
    await mkdir(inv, { recursive: true });
    // Five files of 0.95 MiB (mostly a comment): the fifth would take the total past 4 MiB.
    const padding = `# ${'x'.repeat(Math.floor(0.95 * MiB))}\n`;
    for (const [i, service] of ['api', 'web', 'core', 'jobs', 'api'].entries()) {
      await writeFile(path.join(inv, `${i}.yaml`), `deployments:\n${deployment(service).replace('environment: prod', i === 4 ? 'environment: dev' : 'environment: prod')}${padding}`);
    }
    const evidence = await collect(folder);
    expect(evidence.deployments.map((d) => `${d.service}/${d.environment}`)).toEqual(['api/prod', 'core/prod', 'jobs/prod', 'web/prod']);
    expect(evidence.gaps.map((g) => g.reason).filter((r) => r.startsWith('inv/'))).toEqual([
      expect.stringMatching(/^inv\/4\.yaml: not read: with it the inventory files of sources\.inventory would total 4\.8 MiB, over the 4 MiB cap on one file source; move some files to a second file source$/),
    ]);
  });
});
