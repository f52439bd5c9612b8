/**
 * The config's input limits and YAML edge cases (issue 17, items 5 and 8):
 * each is one line naming the file (and line when there is one), exit 2.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig } from '../../src/model/index.ts';
import { aliasBomb, encode, nested, writeSparse } from '../helpers/adversarial-yaml.ts';
import { runCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ledger-config-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEAD = 'name: Acme\nenvironments:\n  - name: dev\n  - name: prod\n    production: true\n';
let counter = 0;

async function folderWith(content: string | Buffer): Promise<string> {
  const folder = path.join(dir, `case-${++counter}`);
  await mkdir(folder);
  await writeFile(path.join(folder, 'release-ledger.config.yaml'), content);
  return folder;
}

async function errorOf(content: string | Buffer): Promise<string> {
  const folder = await folderWith(content);
  try {
    await loadConfig('release-ledger.config.yaml', { cwd: folder });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('config size cap (1 MiB), checked before reading', () => {
  it('a 200 MiB config is refused by its size, without being read', async () => {
    const folder = path.join(dir, 'huge');
    await mkdir(folder);
    await writeSparse(path.join(folder, 'release-ledger.config.yaml'), HEAD, 200 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    await expect(loadConfig('release-ledger.config.yaml', { cwd: folder })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[ConfigError: release-ledger.config.yaml: 200 MiB, over the 1 MiB cap on a config file; check that --config names the release-ledger config]`,
    );
    // Not read: memory did not grow by anything like the file.
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('through the CLI: exit 2, one line', async () => {
    const folder = path.join(dir, 'huge-cli');
    await mkdir(folder);
    await writeSparse(path.join(folder, 'release-ledger.config.yaml'), HEAD, 2 * 1024 * 1024);
    const run = await runCli(['collect', '--config', 'release-ledger.config.yaml'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^release-ledger: \S*release-ledger\.config\.yaml: 2 MiB, over the 1 MiB cap on a config file; check that --config names the release-ledger config\n$/);
  });
});

describe('not a regular file', () => {
  it('a device given as the config is refused, not read', async () => {
    await expect(loadConfig('/dev/zero')).rejects.toThrowErrorMatchingInlineSnapshot(`[ConfigError: /dev/zero: not a regular file (a device, pipe or socket); point at a YAML file]`);
  });
});

describe('YAML aliases', () => {
  it('one anchor used 101 times is fine', async () => {
    const services = Array.from({ length: 101 }, (_, i) => `  - name: s${i}\n    secretKeys: ${i === 0 ? '&keys [TOKEN_*]' : '*keys'}\n`).join('');
    const folder = await folderWith(`${HEAD}services:\n${services}`);
    const loaded = await loadConfig('release-ledger.config.yaml', { cwd: folder });
    expect(loaded.config.services).toHaveLength(101);
    expect(loaded.config.services[100]?.secretKeys).toEqual(['TOKEN_*']);
  });

  it('billion laughs is one line naming where it blows up, exit 2 (was exit 1 "internal error")', async () => {
    expect(await errorOf(`${HEAD}${aliasBomb(9, 9)}`)).toMatchInlineSnapshot(
      `"release-ledger.config.yaml:12:20: x6[2]: the alias *a5 takes the file past 1 MiB once aliases are expanded, more than the file itself may hold (an alias bomb?); use fewer aliases"`,
    );
    const folder = await folderWith(`${HEAD}${aliasBomb(9, 9)}`);
    const run = await runCli(['collect', '--config', 'release-ledger.config.yaml'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('more aliases than the cap', async () => {
    const uses = Array.from({ length: 10_001 }, () => '*k').join(', ');
    expect(await errorOf(`${HEAD}services:\n  - name: s\n    secretKeys: [&k A, ${uses}]\n`)).toMatch(
      /^release-ledger\.config\.yaml:8:\d+: services\[0\]\.secretKeys\[\d+\]: more than 10000 aliases \(\*name\) in one file; write some values out or split the file$/,
    );
  });

  it('an alias inside the value it names', async () => {
    expect(await errorOf(`${HEAD}services: &s\n  - name: x\n    secretKeys: *s\n`)).toMatchInlineSnapshot(
      `"release-ledger.config.yaml:8:17: services[0].secretKeys: the alias *s is inside the value it names (a cycle); point it at a value defined before it"`,
    );
  });
});

describe('nesting', () => {
  it.each(['flow', 'block'] as const)('%s nesting past 100 levels is one line', async (style) => {
    const message = await errorOf(`${HEAD}deep:${style === 'flow' ? ' ' : ''}${nested(style === 'flow' ? 5000 : 300, style)}\n`);
    expect(message).toMatch(/^release-ledger\.config\.yaml:\d+:\d+: nested more than 100 levels deep; flatten the structure$/);
  });
});

describe('encodings', () => {
  it('a Latin-1 byte is named with its byte offset and line, not turned into U+FFFD', async () => {
    const text = `${HEAD}services:\n  - name: caf\u00e9\n`;
    const offset = Buffer.byteLength(`${HEAD}services:\n  - name: caf`);
    expect(await errorOf(encode(text, 'latin1'))).toBe(
      `release-ledger.config.yaml:7: not UTF-8: byte 0xE9 at byte offset ${offset} is not valid UTF-8 (Latin-1 or Windows-1252 text?); save the file as UTF-8`,
    );
  });

  it.each([
    ['utf16le-bom', 'UTF-16LE (byte-order mark FF FE)'],
    ['utf16be-bom', 'UTF-16BE (byte-order mark FE FF)'],
    ['utf16le', 'UTF-16LE (no byte-order mark; every other byte is zero)'],
    ['utf16be', 'UTF-16BE (no byte-order mark; every other byte is zero)'],
    ['utf32le-bom', 'UTF-32LE (byte-order mark FF FE 00 00)'],
    ['utf32be-bom', 'UTF-32BE (byte-order mark 00 00 FE FF)'],
  ] as const)('%s is named', async (encoding, named) => {
    expect(await errorOf(encode(HEAD, encoding))).toBe(`release-ledger.config.yaml: the file is ${named}, not UTF-8; save it as UTF-8 (e.g. iconv -f ${named.split(' ')[0]} -t UTF-8)`);
  });

  it('a UTF-8 byte-order mark is fine', async () => {
    const folder = await folderWith(encode(HEAD, 'utf8-bom'));
    expect((await loadConfig('release-ledger.config.yaml', { cwd: folder })).config.name).toBe('Acme');
  });
});

describe('reserved keys', () => {
  it('a __proto__ key is refused with its line, never dropped', async () => {
    expect(await errorOf(`${HEAD}services:\n  - name: api\n    dependsOn:\n      __proto__: ">=1"\n`)).toMatchInlineSnapshot(
      `"release-ledger.config.yaml:9:7: services[0].dependsOn: the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it"`,
    );
  });

  it('constructor and toString keys stay data', async () => {
    const folder = await folderWith(`${HEAD}services:\n  - name: constructor\n  - name: toString\n  - name: api\n    dependsOn:\n      constructor: ">=1"\n      toString: "^2"\n`);
    const loaded = await loadConfig('release-ledger.config.yaml', { cwd: folder });
    expect(loaded.config.services[2]?.dependsOn).toEqual({ constructor: '>=1', toString: '^2' });
  });
});
