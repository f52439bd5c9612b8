import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig, parseConfig } from '../../src/model/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ledger-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` as release-ledger.config.yaml in a fresh folder and returns the one-line error loadConfig throws. */
let counter = 0;
async function errorOf(text: string): Promise<string> {
  const folder = path.join(dir, `case-${++counter}`);
  await mkdir(folder);
  await writeFile(path.join(folder, 'release-ledger.config.yaml'), text);
  try {
    await loadConfig('release-ledger.config.yaml', { cwd: folder });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/Invalid input|Invalid option|Unrecognized key/);
    return message;
  }
  throw new Error('expected loadConfig to fail');
}

const HEAD = 'name: Acme\nenvironments:\n  - name: dev\n  - name: prod\n    production: true\n';

describe('loadConfig', () => {
  it('resolves the file, its folder and the ledger folder; applies defaults', async () => {
    const folder = path.join(dir, 'ok');
    await mkdir(path.join(folder, 'ledger'), { recursive: true });
    await writeFile(path.join(folder, 'ledger', 'release-ledger.config.yaml'), `${HEAD}snapshotsDir: history/snaps\n`);
    const loaded = await loadConfig('ledger/release-ledger.config.yaml', { cwd: folder });
    expect(loaded.file).toBe(path.join(folder, 'ledger', 'release-ledger.config.yaml'));
    expect(loaded.dir).toBe(path.join(folder, 'ledger'));
    expect(loaded.snapshotsDir).toBe(path.join(folder, 'ledger', 'history', 'snaps'));
    expect(loaded.config.policies.maxDriftDays).toBe(14);
    expect(loaded.config.environments[1]).toEqual({ name: 'prod', production: true, requiredApprovals: 0 });
  });

  it('defaults the ledger to content/snapshots beside the config', async () => {
    const folder = path.join(dir, 'default-ledger');
    await mkdir(folder);
    await writeFile(path.join(folder, 'c.yaml'), HEAD);
    const loaded = await loadConfig(path.join(folder, 'c.yaml'));
    expect(loaded.snapshotsDir).toBe(path.join(folder, 'content', 'snapshots'));
  });

  it('says how to create a missing config', async () => {
    await expect(loadConfig('nope.yaml', { cwd: dir })).rejects.toThrowErrorMatchingInlineSnapshot(`[ConfigError: nope.yaml: no such config file; create one with "release-ledger init", or point to yours with --config PATH]`);
  });

  it('names a folder given as the config', async () => {
    await expect(loadConfig('.', { cwd: dir })).rejects.toThrowErrorMatchingInlineSnapshot(`[ConfigError: .: is a folder, not a config file; point --config at the YAML file inside it (e.g. release-ledger.config.yaml)]`);
  });

  it('reports a path that cannot be read', async () => {
    await writeFile(path.join(dir, 'plain-file'), 'x');
    await expect(loadConfig('plain-file/release-ledger.config.yaml', { cwd: dir })).rejects.toThrowErrorMatchingInlineSnapshot(`[ConfigError: plain-file/release-ledger.config.yaml: cannot be read (ENOTDIR); check the path given to --config]`);
  });
});

describe('one-line errors with line:column', () => {
  it('an unclosed quote is reported where it opens, not at the end of the file', async () => {
    expect(await errorOf('name: Acme\nenvironments: [{name: dev}]\nexceptions:\n  - rule: drift.version\n    reason: "never closed\n    approvedBy: cto\n    expires: 2026-01-01\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:5:13: YAML syntax error: this double-quoted value is never closed; add the closing ""`);
  });

  it('YAML syntax error', async () => {
    expect(await errorOf('name: Acme\nenvironments: [{name: dev}\nservices: []\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:2:15: YAML syntax error: this flow list ([) is never closed; add the closing ]"`);
  });

  it('duplicate YAML keys', async () => {
    expect(await errorOf(`${HEAD}name: Other\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:6:1: duplicate key "name"; each key may appear only once in a mapping"`);
  });

  it('a second YAML document', async () => {
    expect(await errorOf(`${HEAD}---\nname: Other\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:6:1: a second YAML document ("---") starts here; keep everything in one document"`);
  });

  it('empty file', async () => {
    expect(await errorOf('# nothing yet\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:1:1: the file is empty; expected a mapping with at least \`name\` and \`environments\` (run "release-ledger init" for a commented starter)"`);
  });

  it('not a mapping', async () => {
    expect(await errorOf('- dev\n- prod\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:1:1: expected a mapping with at least \`name\` and \`environments\` at the top, received a list"`);
  });

  it('wrong type', async () => {
    expect(await errorOf('name: Acme\nenvironments:\n  - name: dev\n    production: maybe\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:4:17: environments[0].production: expected true or false, received "maybe""`);
  });

  it('a number where text is expected', async () => {
    expect(await errorOf('name: 2026\nenvironments: [{name: dev}]\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:1:7: name: expected text, received 2026; quote it to keep it as written"`);
  });

  it('unknown key, with the closest known key', async () => {
    expect(await errorOf('name: Acme\nenvironments: [{name: dev}]\nservics: []\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:3:1: unknown key "servics"; did you mean "services"?"`);
  });

  it('unknown key deep inside a source, matched to the source type', async () => {
    expect(await errorOf(`${HEAD}sources:\n  gh:\n    type: github\n    tokenenv: GH_TOKEN\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:9:5: sources.gh: unknown key "tokenenv"; did you mean "tokenEnv"?"`);
  });

  it('unknown key with nothing close lists the known keys', async () => {
    expect(await errorOf('name: Acme\nenvironments:\n  - name: dev\n    colour: red\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:4:5: environments[0]: unknown key "colour"; known keys: name, production, requiredApprovals, description"`);
  });

  it('missing required field points at the parent', async () => {
    expect(await errorOf(`${HEAD}sources:\n  inventory:\n    type: file\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:8:5: sources.inventory: missing required field "path" (Inventory YAML file, or a folder of them, relative to the config file)"`);
  });

  it('missing required field at the top', async () => {
    expect(await errorOf('environments: [{name: dev}]\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:1:1: missing required field "name" (The organisation or system, shown on every page)"`);
  });

  it('invalid enum lists the allowed values', async () => {
    expect(await errorOf(`${HEAD}services:\n  - name: payments-api\n    kind: librray\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:8:11: services[0].kind: expected one of "service", "library", received "librray"; did you mean "library"?"`);
  });

  it('unknown source type', async () => {
    expect(await errorOf(`${HEAD}sources:\n  gl: { type: gitlab }\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:15: sources.gl.type: expected one of "github", "http", "file", "gitops", "kubernetes", "argocd", received "gitlab"; did you mean "github"?"`);
  });

  it('bad semver range', async () => {
    const text = `${HEAD}services:\n  - name: ledger-core\n    kind: library\n  - name: payments-api\n    dependsOn:\n      ledger-core: banana\n`;
    expect(await errorOf(text)).toMatchInlineSnapshot(`"release-ledger.config.yaml:11:20: services[1].dependsOn.ledger-core: expected a semver range such as ">=2.3.0 <3" or "^1.4", received "banana""`);
  });

  it('bad name in a record key', async () => {
    expect(await errorOf(`${HEAD}sources:\n  "my source": { type: file, path: inv.yaml }\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:3: sources["my source"]: the key "my source" is not valid; expected a source name of letters, digits, ".", "_" or "-" (at most 100, starting with a letter or digit)"`);
  });

  it('empty list', async () => {
    expect(await errorOf('name: Acme\nenvironments: []\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:2:15: environments: expected at least 1 item, received an empty list"`);
  });

  it('bad URL', async () => {
    expect(await errorOf(`${HEAD}sources:\n  gh: { type: github, baseUrl: github.example }\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:32: sources.gh.baseUrl: expected a URL such as https://api.github.com, received "github.example""`);
  });

  it('duplicate names', async () => {
    expect(await errorOf('name: Acme\nenvironments:\n  - name: dev\n  - name: dev\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:4:11: environments[1].name: "dev" is named twice; names must be unique"`);
  });

  it('unknown environment reference, with a suggestion', async () => {
    const text = `${HEAD}services:\n  - name: payments-api\nexceptions:\n  - { rule: drift.version, service: payments-api, environment: prd, reason: pinned, approvedBy: cto, expires: 2026-12-31 }\n`;
    expect(await errorOf(text)).toMatchInlineSnapshot(`"release-ledger.config.yaml:9:64: exceptions[0].environment: no environment named "prd"; did you mean "prod"?"`);
  });

  it('unknown service in dependsOn points at the key', async () => {
    expect(await errorOf(`${HEAD}services:\n  - name: payments-api\n    dependsOn: { ledger-cor: "^2" }\n  - name: ledger-core\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:8:18: services[0].dependsOn.ledger-cor: no service named "ledger-cor"; did you mean "ledger-core"?"`);
  });

  it('unknown source reference', async () => {
    expect(await errorOf(`${HEAD}sources:\n  inventory: { type: file, path: inv.yaml }\nservices:\n  - name: payments-api\n    sources: [inventroy]\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:10:15: services[0].sources[0]: no source named "inventroy" (known: inventory); did you mean "inventory"?"`);
  });

  it('dependency cycle', async () => {
    const text = `${HEAD}services:\n  - name: a\n    dependsOn: { b: "^1" }\n  - name: b\n    dependsOn: { c: "^1" }\n  - name: c\n    dependsOn: { a: "^1" }\n`;
    expect(await errorOf(text)).toMatchInlineSnapshot(`"release-ledger.config.yaml:8:16: services[0].dependsOn: dependency cycle: a -> b -> c -> a"`);
  });

  it('bad regular expression', async () => {
    expect(await errorOf(`${HEAD}policies:\n  ticketPattern: "([A-Z]+"\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:18: policies.ticketPattern: not a valid regular expression (Unterminated group)"`);
  });

  it('unknown rule id in policies.rules', async () => {
    expect(await errorOf(`${HEAD}policies:\n  rules:\n    promotion.bypas: { enabled: false }\n`)).toMatchInlineSnapshot(`"release-ledger.config.yaml:8:5: policies.rules: unknown key "promotion.bypas"; did you mean "promotion.bypass"?"`);
  });

  it('several problems: the first in file order, then a count', async () => {
    expect(await errorOf('name: [Acme]\nenvironments:\n  - name: dev\n    production: maybe\nextra: 1\n')).toMatchInlineSnapshot(`"release-ledger.config.yaml:1:7: name: expected text, received a list (and 2 more problems)"`);
  });

  it('never echoes a credential it received', async () => {
    const message = await errorOf(`${HEAD}sources:\n  gh: { type: github, tokenEnv: [ghp_abcdefghijklmnopqrstuvwxyz0123456789] }\n`);
    expect(message).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:33: sources.gh.tokenEnv: expected text, received a list"`);
    const secret = await errorOf(`${HEAD}sources:\n  gh: { type: github, baseUrl: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" }\n`);
    expect(secret).not.toContain('ghp_');
    expect(secret).toMatchInlineSnapshot(`"release-ledger.config.yaml:7:32: sources.gh.baseUrl: expected a URL such as https://api.github.com, received a value that looks like a credential (not shown)"`);
  });
});

describe('parseConfig', () => {
  it('accepts the illustrative config from the design', async () => {
    const file = fileURLToPath(new URL('../fixtures/config/design-example.yaml', import.meta.url));
    const config = parseConfig(await readFile(file, 'utf8'), 'design-example.yaml');
    expect(config.services.map((s) => s.name)).toEqual(['payments-api', 'ledger-core']);
    expect(config.exceptions[0]?.expires).toBe('2026-12-31');
    const github = config.sources.github;
    expect(github?.type === 'github' ? github.environments : undefined).toEqual({ prod: 'production' });
  });
});
