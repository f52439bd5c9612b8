/**
 * Case 5 — bad configuration. 100 generated mutations of a valid config
 * (wrong types, unknown keys, missing fields, bad YAML, duplicate names,
 * unknown environments/services/sources in references, dependency cycles)
 * go through `collect` in the CLI. Each must give exit code 2 and ONE line
 * naming the file, the line of the mutation and the field; no stack trace;
 * and nothing written (the folder, ledger included, is byte-identical).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { recordFigure, SEED, treeState, useTempRoot, writeInventory, baseInventory } from './world.ts';

const RUNS = 100;
const tempRoot = useTempRoot('config');

const BASE = `name: Mutation Org
environments:
  - name: dev
  - name: qa
  - name: prod
    production: true
    requiredApprovals: 1
sources:
  inventory:
    type: file
    path: inventory.yaml
services:
  - name: api
    repo: acme/api
    kind: service
    sources: [inventory]
    dependsOn: { core: ">=1.0.0 <2" }
  - name: web
    repo: acme/web
    sources: [inventory]
    dependsOn: { api: "^1.0.0" }
  - name: core
    repo: acme/core
    kind: library
policies:
  maxDriftDays: 14
exceptions:
  - rule: drift.version
    service: api
    environment: qa
    reason: pinned for certification
    approvedBy: cto
    expires: 2026-12-31
`;
const LINES = BASE.split('\n');
/** 1-based line of the first line that equals `text` (trimmed), searching from `from`. */
const lineOf = (text: string, from = 1) => LINES.findIndex((l, i) => i + 1 >= from && l.trim() === text) + 1;

interface Mutation {
  kind: string;
  text: string;
  /** The line the error must name (1-based). */
  line: number;
  /** The field the error must name, as the message prints it. */
  field: string;
}

/** Replace line `line` (1-based) with `replacement` lines. */
function replaceLine(line: number, ...replacement: string[]): string {
  return [...LINES.slice(0, line - 1), ...replacement, ...LINES.slice(line)].join('\n');
}
const indentOf = (line: number) => /^\s*(- )?/.exec(LINES[line - 1]!)![0].replace('-', ' ');

const word = fc.stringMatching(/^[a-z]{3,10}$/);

/** Scalar fields and wrong values for them. */
const TYPED: { key: string; line: number; field: string; wrong: string[] }[] = [
  { key: 'requiredApprovals', line: lineOf('requiredApprovals: 1'), field: 'environments[2].requiredApprovals', wrong: ['"many"', '-1', '[1]', 'true', '1.5'] },
  { key: 'production', line: lineOf('production: true'), field: 'environments[2].production', wrong: ['"yes"', '1', '[]', '{ a: 1 }'] },
  { key: 'maxDriftDays', line: lineOf('maxDriftDays: 14'), field: 'policies.maxDriftDays', wrong: ['"two weeks"', '-3', '2.5', 'null', '[14]'] },
  { key: 'kind', line: lineOf('kind: service'), field: 'services[0].kind', wrong: ['daemon', '42', 'true', '[service]'] },
  { key: 'repo', line: lineOf('repo: acme/web'), field: 'services[1].repo', wrong: ['"not a repo"', 'acme', '12', '"a/b/c"'] },
  { key: 'expires', line: lineOf('expires: 2026-12-31'), field: 'exceptions[0].expires', wrong: ['2026-13-45', 'next year', '2026-02-30', '12'] },
  { key: 'rule', line: lineOf('- rule: drift.version'), field: 'exceptions[0].rule', wrong: ['drift.unknown', 'promotion', '7'] },
  { key: 'type', line: lineOf('type: file'), field: 'sources.inventory.type', wrong: ['ftp', '3', 'null'] },
  { key: 'name', line: lineOf('name: Mutation Org'), field: 'name', wrong: ['""', '[a, b]', '{ x: 1 }'] },
];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  // Wrong types.
  fc.record({ field: fc.constantFrom(...TYPED), pick: fc.nat() }).map(({ field, pick }) => {
    const value = field.wrong[pick % field.wrong.length]!;
    const original = LINES[field.line - 1]!;
    return { kind: 'wrong type', text: replaceLine(field.line, original.replace(/:\s.*$/, `: ${value}`)), line: field.line, field: field.field };
  }),
  // Unknown keys, in every strict mapping.
  fc
    .record({
      where: fc.constantFrom(
        { after: lineOf('name: Mutation Org'), field: '' },
        { after: lineOf('production: true'), field: 'environments[2].' },
        { after: lineOf('path: inventory.yaml'), field: 'sources.inventory.' },
        { after: lineOf('repo: acme/web'), field: 'services[1].' },
        { after: lineOf('maxDriftDays: 14'), field: 'policies.' },
        { after: lineOf('approvedBy: cto'), field: 'exceptions[0].' },
      ),
      key: word.filter((w) => !['name', 'kind', 'repo', 'owner', 'type', 'path', 'reason', 'rule', 'service', 'sources', 'services', 'policies', 'exceptions', 'production', 'description', 'environment', 'environments', 'expires', 'approvedBy', 'secretKeys', 'dependsOn', 'rules', 'snapshotsDir'].includes(w)),
    })
    .map(({ where, key }) => {
      const indent = indentOf(where.after);
      return { kind: 'unknown key', text: replaceLine(where.after, LINES[where.after - 1]!, `${indent}${key}: x`), line: where.after + 1, field: `${where.field}${key}` };
    }),
  // Missing required fields.
  fc.constantFrom(
    { remove: lineOf('reason: pinned for certification'), field: 'exceptions[0].reason', line: lineOf('- rule: drift.version') },
    { remove: lineOf('approvedBy: cto'), field: 'exceptions[0].approvedBy', line: lineOf('- rule: drift.version') },
    { remove: lineOf('expires: 2026-12-31'), field: 'exceptions[0].expires', line: lineOf('- rule: drift.version') },
    { remove: lineOf('name: Mutation Org'), field: 'name', line: 1 },
    { remove: lineOf('path: inventory.yaml'), field: 'sources.inventory.path', line: lineOf('type: file') },
  ).map(({ remove, field, line }) => {
    const text = replaceLine(remove);
    // Removing a line above shifts nothing before it; the object starts at `line` (or the next line when the first line went).
    return { kind: 'missing field', text, line: remove < line ? line - 1 : line, field };
  }),
  // Bad YAML.
  fc
    .record({
      at: fc.constantFrom(lineOf('sources: [inventory]'), lineOf('dependsOn: { api: "^1.0.0" }'), lineOf('reason: pinned for certification'), lineOf('path: inventory.yaml')),
      how: fc.constantFrom('unclosed bracket', 'unclosed quote', 'tab indent', 'bad indent', 'duplicate key'),
    })
    .map(({ at, how }) => {
      const original = LINES[at - 1]!;
      const [key] = original.trim().split(':');
      const indent = indentOf(at);
      const replacement: Record<string, string[]> = {
        'unclosed bracket': [`${indent}${key}: [a, b`],
        'unclosed quote': [`${indent}${key}: "never closed`],
        'tab indent': [`\t${original.trimStart()}`],
        'bad indent': [original, `${indent}   stray: [1, 2]`],
        'duplicate key': [original, original],
      };
      const shift = how === 'bad indent' || how === 'duplicate key' ? 1 : 0;
      return { kind: `bad YAML (${how})`, text: replaceLine(at, ...replacement[how]!), line: at + shift, field: '' };
    }),
  // Duplicate names.
  fc.constantFrom('api', 'web', 'core').map((name) => {
    const last = lineOf('kind: library');
    return { kind: 'duplicate name', text: replaceLine(last, LINES[last - 1]!, `  - name: ${name}`, `    repo: acme/${name}-copy`), line: last + 1, field: 'services[3].name' };
  }),
  fc.constant({ kind: 'duplicate name', text: replaceLine(lineOf('- name: qa'), '  - name: dev'), line: lineOf('- name: qa'), field: 'environments[1].name' }),
  // References to things that do not exist.
  fc
    .record({
      ref: fc.constantFrom(
        { line: lineOf('environment: qa'), key: 'environment', field: 'exceptions[0].environment' },
        { line: lineOf('service: api'), key: 'service', field: 'exceptions[0].service' },
      ),
      name: word,
    })
    .filter(({ name }) => !['dev', 'qa', 'prod', 'api', 'web', 'core'].includes(name))
    .map(({ ref, name }) => ({ kind: `unknown ${ref.key} in an exception`, text: replaceLine(ref.line, `    ${ref.key}: ${name}`), line: ref.line, field: ref.field })),
  word
    .filter((name) => name !== 'inventory')
    .map((name) => ({ kind: 'unknown source', text: replaceLine(lineOf('sources: [inventory]'), `    sources: [${name}]`), line: lineOf('sources: [inventory]'), field: 'services[0].sources[0]' })),
  // Dependency cycles of length 1-3.
  fc.constantFrom(
    { line: lineOf('kind: library'), add: '    dependsOn: { web: "*" }' },
    { line: lineOf('kind: library'), add: '    dependsOn: { api: "*" }' },
    // The cycle is reported on the dependsOn of the first service in it (api, the first in the file).
  ).map(({ line, add }) => ({ kind: 'dependency cycle', text: replaceLine(line, LINES[line - 1]!, add), line: lineOf('dependsOn: { core: ">=1.0.0 <2" }'), field: 'services[0].dependsOn' })),
);

/**
 * Whether an error body names `field` (`services[1].repo`): as its path, or
 * as its parent's path with the key quoted (`services[1]: unknown key "x"`,
 * `exceptions[0]: missing required field "reason"`).
 */
function namesField(body: string, field: string): boolean {
  if (field === '' || body.startsWith(`${field}:`)) return true;
  const cut = Math.max(field.lastIndexOf('.'), field.endsWith(']') ? -1 : -1);
  const parent = cut === -1 ? '' : field.slice(0, cut);
  const key = field.slice(cut + 1);
  return (parent === '' || body.startsWith(`${parent}:`)) && body.includes(`"${key}"`);
}

describe('bad configuration', () => {
  it(`${RUNS} mutated config files: one line naming file, line and field; no stack; nothing written`, async ({ task }) => {
    const root = await tempRoot();
    const configFile = path.join(root, 'release-ledger.config.yaml');
    await writeFile(configFile, BASE);
    await writeInventory(root, baseInventory(['api', 'web', 'core']));
    const first = await runCli(['collect', '--config', configFile, '--at', '2026-03-01T02:00:00Z', '--quiet'], { cwd: root });
    expect(first.code, first.stderr).toBeLessThanOrEqual(3);

    const mutations = fc.sample(mutationArb, { seed: SEED, numRuns: RUNS });
    const problems: string[] = [];
    const byKind = new Map<string, number>();
    let oneLine = 0;
    let named = 0;
    let stacks = 0;
    let writes = 0;
    for (const [index, m] of mutations.entries()) {
      byKind.set(m.kind.replace(/ \(.*\)$/, ''), (byKind.get(m.kind.replace(/ \(.*\)$/, '')) ?? 0) + 1);
      await writeFile(configFile, m.text);
      const before = await treeState(root);
      const run = await runCli(['collect', '--config', configFile, '--at', `2026-03-02T02:${String(index % 60).padStart(2, '0')}:00Z`], { cwd: root });
      const after = await treeState(root);
      const lines = run.stderr.split('\n').filter(Boolean);
      if (/^\s+at /m.test(run.stderr) || /internal error/.test(run.stderr)) stacks++;
      if (JSON.stringify(before) !== JSON.stringify(after)) writes++;
      if (run.code === 2 && lines.length === 1 && run.stdout === '') oneLine++;
      const match = /^release-ledger: (.+?):(\d+):(\d+): (.*)$/.exec(lines[0] ?? '');
      // A YAML syntax error is reported where the parser notices it: the line of the mistake or a neighbour.
      const lineOk = match !== null && match[1] === configFile && (Number(match[2]) === m.line || (m.kind.startsWith('bad YAML') && Math.abs(Number(match[2]) - m.line) === 1));
      const fieldOk = match !== null && namesField(match[4]!, m.field);
      if (lineOk && fieldOk) named++;
      else problems.push(`run ${index} (${m.kind}, expected line ${m.line}, field ${m.field || '(any)'}): ${run.stderr.trim().replace(configFile, '<config>')}`);
    }

    recordFigure(task, {
      case: '5 bad config: mutated config files',
      runs: RUNS,
      result: `${oneLine}/${RUNS} one-line errors (exit 2), ${named}/${RUNS} name file+line+field; ${stacks} stack traces; ${writes} wrote something`,
      target: '100 one-line errors naming file, line and field; 0 stacks; nothing written',
      pass: oneLine === RUNS && named === RUNS && stacks === 0 && writes === 0,
      detail: [...byKind].map(([k, n]) => `${k} ${n}`).join(', '),
    });
    expect(problems.slice(0, 15), `seed ${SEED}; ${problems.length} problems`).toEqual([]);
    expect({ oneLine, stacks, writes }).toEqual({ oneLine: RUNS, stacks: 0, writes: 0 });
  });
});
