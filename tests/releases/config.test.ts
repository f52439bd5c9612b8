/** `releases:` in the config: validated like the rest, one line naming file, line and field. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { parseConfig } from '../../src/model/index.ts';

const HEAD = `name: Acme
environments:
  - name: qa
  - name: prod
    production: true
services:
  - name: payments-api
  - name: web
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, 'release-ledger.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected parseConfig to fail');
}

describe('releases in the config', () => {
  it('parses a declared release; environments and planned are optional', () => {
    const config = parseConfig(
      `${HEAD}releases:\n  - name: checkout-2026-03\n    components: { payments-api: 2.4.0, web: v1.9.0 }\n    owner: team-payments\n    environments: [prod]\n    planned: 2026-03-20\n  - name: tiny\n    components: { web: 1.0.0 }\n    owner: carol\n`,
      'release-ledger.config.yaml',
    );
    expect(config.releases).toEqual([
      { name: 'checkout-2026-03', components: { 'payments-api': '2.4.0', web: 'v1.9.0' }, owner: 'team-payments', environments: ['prod'], planned: '2026-03-20' },
      { name: 'tiny', components: { web: '1.0.0' }, owner: 'carol' },
    ]);
    expect(parseConfig(HEAD, 'c.yaml').releases).toEqual([]);
  });

  it('an unknown service names the line and the field', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { payments-api: 2.4.0, wbe: 1.9.0 }\n    owner: carol\n`)).toMatch(
      /^release-ledger\.config\.yaml:11:\d+: releases\[0\]\.components\.wbe: no service named "wbe"/,
    );
  });

  it('a version that is not semver names the line and the field', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components:\n      payments-api: banana\n    owner: carol\n`)).toMatch(
      /^release-ledger\.config\.yaml:12:\d+: releases\[0\]\.components\.payments-api: expected a version such as "2\.4\.0" \(semver, a leading v allowed\)/,
    );
  });

  it('an unknown environment, a missing owner, a duplicate name and an empty release are refused', () => {
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n    owner: carol\n    environments: [qa, stagin]\n`)).toMatch(
      /^release-ledger\.config\.yaml:13:\d+: releases\[0\]\.environments\[1\]: no environment named "stagin"/,
    );
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n`)).toMatch(/^release-ledger\.config\.yaml:10:\d+: releases\[0\]/);
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: { web: 1.0.0 }\n    owner: a\n  - name: r1\n    components: { web: 1.0.1 }\n    owner: b\n`)).toMatch(
      /^release-ledger\.config\.yaml:13:\d+: releases\[1\]\.name: "r1" is named twice/,
    );
    expect(errorOf(`${HEAD}releases:\n  - name: r1\n    components: {}\n    owner: a\n`)).toMatch(/releases\[0\]\.components: .*at least one service -> version/);
  });

  it('new policies are optional and bounded', () => {
    expect(parseConfig(`${HEAD}policies: { releaseGraceDays: 3, maxScopePerDeployment: 8 }\n`, 'c.yaml').policies).toMatchObject({ releaseGraceDays: 3, maxScopePerDeployment: 8 });
    expect(errorOf(`${HEAD}policies:\n  maxScopePerDeployment: 0\n`)).toMatch(/^release-ledger\.config\.yaml:10:\d+: policies\.maxScopePerDeployment/);
  });
});

describe('releasesDir: a folder of release files', () => {
  const write = async (files: Record<string, string>, extra = '') => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'rl-release-dir-'));
    await writeFile(path.join(dir, 'release-ledger.config.yaml'), `${HEAD}releasesDir: releases\nreleases:\n  - { name: inline, components: { web: 1.0.0 }, owner: a }\n${extra}`);
    await mkdir(path.join(dir, 'releases'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'releases', name), text);
    return dir;
  };
  const load = async (dir: string) => {
    const { loadConfig } = await import('../../src/model/index.ts');
    return loadConfig('release-ledger.config.yaml', { cwd: dir });
  };
  const failure = async (dir: string) => {
    try {
      await load(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message;
    }
    throw new Error('expected loadConfig to fail');
  };

  it('adds every file\'s releases, in file name order, after the config\'s own', async () => {
    const dir = await write({
      'b.yaml': 'releases:\n  - { name: second, components: { payments-api: 2.0.0 }, owner: b }\n',
      'a.yml': 'releases:\n  - { name: first, components: { web: 1.1.0, payments-api: 2.0.0 }, owner: a, environments: [prod] }\n',
      'notes.txt': 'ignored',
    });
    expect((await load(dir)).config.releases.map((r) => r.name)).toEqual(['inline', 'first', 'second']);
  });

  it('an unknown service, a bad version, a name used twice: one line naming the file, line and field', async () => {
    expect(await failure(await write({ 'a.yaml': 'releases:\n  - name: r\n    components: { wbe: 1.0.0 }\n    owner: a\n' }))).toMatch(/^releases\/a\.yaml:3:\d+: releases\[0\]\.components\.wbe: no service named "wbe"/);
    expect(await failure(await write({ 'a.yaml': 'releases:\n  - name: r\n    components:\n      web: banana\n    owner: a\n' }))).toMatch(/^releases\/a\.yaml:4:\d+: releases\[0\]\.components\.web: expected a version such as "2\.4\.0"/);
    expect(await failure(await write({ 'a.yaml': 'releases:\n  - { name: inline, components: { web: 1.0.0 }, owner: a }\n' }))).toMatch(/^releases\/a\.yaml:2:\d+: releases\[0\]\.name: "inline" is named twice/);
    expect(await failure(await write({ 'a.yaml': 'releases:\n  - { name: x, components: { web: 1.0.0 }, owner: a }\n', 'b.yaml': 'releases:\n  - { name: x, components: { web: 1.0.0 }, owner: a }\n' }))).toMatch(/^releases\/b\.yaml:2:\d+: releases\[0\]\.name: "x" is named twice/);
    expect(await failure(await write({ 'a.yaml': '- { name: x }\n' }))).toMatch(/^releases\/a\.yaml:1:1: expected a mapping with `releases:`/);
  });

  it('a folder that does not exist is one line naming the config and the folder', async () => {
    const { rm } = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await write({});
    await rm(path.join(dir, 'releases'), { recursive: true });
    expect(await failure(dir)).toBe('release-ledger.config.yaml: releasesDir: releases does not exist; create it or correct the path');
  });
});
