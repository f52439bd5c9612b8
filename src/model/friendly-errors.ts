/**
 * One way to read a YAML file against a zod schema and explain what is wrong
 * in ONE line a person can act on: `file:line:col: path: what was expected,
 * what was found` (the shape compilers and linters use, so editors and CI
 * annotate the right line).
 *
 * Used by the config loader (`load-config.ts`, which throws a `ConfigError`)
 * and by the `file` source's inventory (`collectors/file/inventory.ts`, which
 * records the same line as a gap instead of failing the collect).
 *
 * Positions come from js-yaml's event offsets (src/model/yaml.ts); the zod issue shapes are
 * zod 4's (https://zod.dev/packages/core#issue-types). Nothing here prints
 * zod's own wording ("Invalid input"): every issue kind has its own sentence.
 */
import type { z } from 'zod';
import { looksLikeSecretValue } from './redact.ts';
import { nodeAt, readYaml, type YamlNode, type YamlText } from './yaml.ts';
import { TOO_DEEP } from './yaml-guard.ts';

type Issue = z.core.$ZodIssue;
type PathSegment = PropertyKey;
type AnySchema = z.core.$ZodType;

/** A parsed YAML text with what is needed to point into it. */
export interface YamlSource {
  /** The file name as shown in messages (as the user gave it, or relative to the config folder). */
  file: string;
  yaml: YamlText;
  /** The one document's tree. */
  root: YamlNode | null;
  /** The document as data; `prepare` may replace parts of it before validation. */
  data: unknown;
}

export type FriendlyResult<T> = { ok: true; data: T; source: YamlSource } | { ok: false; message: string };

/** What the top level of the file should be, for the "empty" and "not a mapping" messages. */
export interface ParseOptions {
  /** e.g. 'a mapping with at least `name` and `environments`'. */
  expectTop: string;
  /** Extra advice for an empty file, e.g. 'run "release-ledger init" for a starter'. */
  emptyHint?: string;
  /** The cap on the file (bytes): aliases may not expand the data past it (src/model/yaml-guard.ts). */
  maxBytes: number;
  /**
   * Names a reference may use, by kind, for "did you mean" on messages such
   * as `no environment named "prd"`: kind -> names found in the parsed data.
   */
  references?: Record<string, (data: unknown) => string[]>;
}

/**
 * Parses YAML text and validates it with `schema`. Never throws for bad
 * input: returns `{ ok: false, message }` with the one-line message, so the
 * caller decides whether that is a `ConfigError` or a gap.
 */
export function parseYamlWithSchema<S extends AnySchema>(
  schema: S,
  text: string,
  file: string,
  options: ParseOptions,
  prepare?: (source: YamlSource) => void,
): FriendlyResult<z.output<S>> {
  const read = readYaml(text, { schema: 'core', maxBytes: options.maxBytes });
  if (!read.ok) {
    const { line, col } = read.position(read.offset);
    const prefix = read.kind === 'syntax' ? (read.message === TOO_DEEP ? '' : 'YAML syntax error: ') : read.path.length > 0 ? `${formatPath(read.path)}: ` : '';
    return { ok: false, message: `${file}:${line}:${col}: ${prefix}${read.message}` };
  }
  const { documents } = read.yaml;
  if (documents.length > 1) {
    // The second document's first node; the "---" that starts it is on the line before, or on its own line.
    const next = documents[1]!.contents;
    const at = next ? Math.max(0, text.lastIndexOf('---', next.start)) : text.lastIndexOf('---');
    const { line, col } = read.yaml.position(at);
    return { ok: false, message: `${file}:${line}:${col}: a second YAML document ("---") starts here; keep everything in one document` };
  }
  const document = documents[0];
  const contents = document?.contents ?? null;
  if (contents === null || document!.data === null || document!.data === '') {
    return { ok: false, message: `${file}:1:1: the file is empty; expected ${options.expectTop}${options.emptyHint ? ` (${options.emptyHint})` : ''}` };
  }
  const source: YamlSource = { file, yaml: read.yaml, root: contents, data: document!.data };
  if (contents.kind !== 'map') {
    return { ok: false, message: `${where(source, contents.start)}: expected ${options.expectTop} at the top, received ${describeValue(source.data)}` };
  }
  prepare?.(source);
  const input = source.data;
  const result = (schema as unknown as z.ZodType).safeParse(input);
  if (result.success) return { ok: true, data: result.data as z.output<S>, source };
  return { ok: false, message: formatIssues(result.error.issues, source, schema, input, options.references) };
}

/**
 * All issues as one line: the first (in file order) in full, then how many
 * more there are. One line because it is printed by the CLI's single error
 * handler and stored as a gap reason.
 */
export function formatIssues(
  issues: readonly Issue[],
  source: YamlSource,
  schema?: AnySchema,
  input?: unknown,
  references?: ParseOptions['references'],
): string {
  const data = input === undefined ? source.data : input;
  const expanded = issues.flatMap(expandIssue);
  const located = expanded.map((issue, order) => ({ issue, order, offset: locateIssue(issue, source, schema, data).offset }));
  located.sort((a, b) => a.offset - b.offset || a.order - b.order);
  const first = located[0];
  if (!first) return `${source.file}: invalid`;
  let line = formatIssue(first.issue, source, schema, data);
  // `no environment named "prd"` -> add `; did you mean "prod"?` when a known name is close.
  const reference = first.issue.code === 'custom' ? /^no (\w+) named "([^"]*)"/.exec(first.issue.message) : null;
  const names = reference ? references?.[reference[1]!]?.(data) : undefined;
  const suggestion = reference && names ? closest(reference[2]!, names) : undefined;
  if (suggestion) line += `; did you mean "${suggestion}"?`;
  return withMore(line, located.length - 1);
}

/**
 * One zod issue as `file:line:col: path: sentence`. `schema` (the schema that
 * was parsed) enables "did you mean" suggestions and field descriptions;
 * `input` is the parsed data (defaults to the document's JS value).
 */
export function formatIssue(issue: Issue, source: YamlSource, schema?: AnySchema, input?: unknown): string {
  const data = input === undefined ? source.data : input;
  const { offset } = locateIssue(issue, source, schema, data);
  const text = describeIssue(issue, schema, data);
  return `${where(source, offset)}: ${text}`;
}

// ---------------------------------------------------------------------------
// Sentences

function describeIssue(issue: Issue, schema: AnySchema | undefined, data: unknown): string {
  const path = issue.path as PathSegment[];
  const value = valueAt(data, path);
  const label = formatPath(path);
  const at = (sentence: string, p: PathSegment[] = path) => (p.length === 0 ? sentence : `${formatPath(p)}: ${sentence}`);
  switch (issue.code) {
    case 'invalid_type': {
      if (value.found === false || value.value === undefined) {
        const parent = path.slice(0, -1);
        const key = String(path[path.length - 1]);
        const description = schema ? describeField(schema, path, data) : undefined;
        return at(`missing required field "${key}"${description ? ` (${description})` : ''}`, parent);
      }
      const expected = typeName(issue.expected);
      const hint = issue.expected === 'string' && typeof value.value === 'number' ? `; quote it to keep it as written` : '';
      return at(`expected ${expected}, received ${describeValue(value.value)}${hint}`);
    }
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const known = schema ? knownKeys(schema, path, data) : [];
      const suggestion = closest(key, known);
      const advice = suggestion ? `; did you mean "${suggestion}"?` : known.length > 0 ? `; known keys: ${known.join(', ')}` : '';
      return at(`unknown key "${key}"${advice}`);
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const received = value.found ? `, received ${describeValue(value.value)}` : '';
      const suggestion = typeof value.value === 'string' ? closest(value.value, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      return at(`expected ${expected}${received}${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map((o) => JSON.stringify(o));
        if (!value.found || value.value === undefined)
          return at(`missing required field "${issue.discriminator}" (one of ${options.join(', ')})`, path.slice(0, -1));
        const suggestion =
          typeof value.value === 'string' ? closest(value.value, ((issue as { options?: unknown[] }).options ?? []).filter((v): v is string => typeof v === 'string')) : undefined;
        return at(`expected one of ${options.join(', ')}, received ${describeValue(value.value)}${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
      }
      // A plain union: if one branch got further (deeper path), explain that branch; else list what each accepts.
      const branches = issue.errors.filter((e) => e.length > 0);
      const deepest = branches
        .map((errors) => errors.map((e) => ({ ...e, path: [...path, ...e.path] }) as Issue))
        .sort((a, b) => depth(b) - depth(a))[0];
      if (deepest && depth(deepest) > path.length) return describeIssue(deepest[0]!, schema, data);
      const expected = unique(branches.map((errors) => expectedOf(errors[0]!)).filter((e): e is string => Boolean(e)));
      return at(`expected ${expected.length > 0 ? either(expected) : 'a different value'}, received ${describeValue(value.value)}`);
    }
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const inner = issue.issues[0];
      const what = inner ? expectedOf(inner as Issue) : undefined;
      return at(`the key "${key}" is not valid${what ? `; expected ${what}` : ''}`);
    }
    case 'invalid_format':
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
      return at(`expected ${expectedOf(issue) ?? 'a different value'}, received ${describeValue(value.value)}`);
    case 'custom': {
      const message = issue.message;
      if (/^an? /.test(message)) return at(`expected ${message}, received ${describeValue(value.value)}`);
      return at(message);
    }
    default:
      return label ? `${label}: ${humanise(issue.message)}` : humanise(issue.message);
  }
}

/** What an issue wanted, as a noun phrase ("a whole number", "at least 1 item"). */
function expectedOf(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return typeName(issue.expected);
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format': {
      // Our own schemas write their regex messages as noun phrases ("a date as YYYY-MM-DD"); zod's defaults start with "Invalid".
      if (!/^Invalid\b/.test(issue.message)) return issue.message;
      return FORMAT_NAMES[issue.format] ?? `text in ${issue.format} format`;
    }
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n <= 1 ? 'non-empty text' : `text of at least ${n} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at least ${n} item${n === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive === false ? '>' : '≥'} ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `text of at most ${n} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${n} item${n === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive === false ? '<' : '≤'} ${n}`;
    }
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'custom':
      return /^an? /.test(issue.message) ? issue.message : undefined;
    default:
      return undefined;
  }
}

const FORMAT_NAMES: Record<string, string> = {
  url: 'a URL such as https://api.github.com',
  email: 'an email address',
  datetime: 'a UTC time such as 2026-03-14T02:00:00Z',
  date: 'a date as YYYY-MM-DD',
  uuid: 'a UUID',
  regex: 'text of the expected form',
};

function typeName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    case 'date':
      return 'a date';
    case 'null':
      return 'an empty value';
    default:
      return expected;
  }
}

/** How a received value is shown: short, quoted, never a credential. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    if (looksLikeSecretValue(value)) return 'a value that looks like a credential (not shown)';
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function humanise(message: string): string {
  return message.replace(/^Invalid input:?\s*/i, '').replace(/^Invalid\s+/i, 'not a valid ') || 'not a valid value';
}

/** `services[1].dependsOn.ledger-core`, `policies.rules["promotion.bypass"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Positions

function where(source: Pick<YamlSource, 'file' | 'yaml'>, offset: number): string {
  const { line, col } = source.yaml.position(offset);
  return `${source.file}:${line}:${col}`;
}

/** Offset in the text an issue is about: the value, the key (unknown or invalid keys, bad record keys) or the parent (missing fields). */
function locateIssue(issue: Issue, source: Pick<YamlSource, 'root'>, schema: AnySchema | undefined, data: unknown): { offset: number } {
  const path = issue.path as PathSegment[];
  if (issue.code === 'unrecognized_keys') return { offset: keyOffset(source.root, [...path, issue.keys[0] ?? '']) };
  if (issue.code === 'invalid_key') return { offset: keyOffset(source.root, path) };
  // A custom sentence on an entry of a record (dependsOn.X, versionUrl.X, an environments map) is about the key: a name that
  // does not exist. A noun phrase ("a semver range ...") describes the expected value, so it points at the value.
  if (issue.code === 'custom' && !/^an? /.test(issue.message) && path.length > 0 && schema && typeof path[path.length - 1] === 'string' && isRecordAt(schema, path.slice(0, -1), data))
    return { offset: keyOffset(source.root, path) };
  return { offset: nodeAt(source.root, path).node?.start ?? 0 };
}

function keyOffset(root: YamlNode | null, path: readonly PathSegment[]): number {
  const found = nodeAt(root, path);
  if (found.complete && found.keyNode) return found.keyNode.start;
  return found.node?.start ?? 0;
}

/** "a, b or c"; with a comma before "or" when an item itself contains "or" ("true or false"). */
function either(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  const last = items[items.length - 1]!;
  const head = items.slice(0, -1).join(', ');
  return items.some((i) => / or /.test(i)) ? `${head}, or ${last}` : `${head} or ${last}`;
}

function withMore(line: string, more: number): string {
  return more > 0 ? `${line} (and ${more} more problem${more === 1 ? '' : 's'})` : line;
}

// ---------------------------------------------------------------------------
// Data and schema lookups

function valueAt(data: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !(String(segment) in (current as object))) return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[segment as string];
  }
  return { found: true, value: current };
}

function expandIssue(issue: Issue): Issue[] {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 1) return issue.keys.map((key) => ({ ...issue, keys: [key] }));
  return [issue];
}

function depth(issues: Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  keyType?: AnySchema;
  valueType?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  getter?: () => AnySchema;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

const defOf = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers that do not change the shape (optional, default, pipe into a transform...). Collects descriptions on the way. */
function unwrap(schema: AnySchema, data: unknown, descriptions?: string[]): AnySchema {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const description = (current as { description?: string }).description;
    if (description && descriptions) descriptions.push(description);
    const def = defOf(current);
    if (['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional'].includes(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = defOf(def.in).type === 'transform' && def.out ? def.out : def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else if (def.type === 'union' && def.options) {
      const options = def.options;
      const pick = def.discriminator
        ? options.find((o) => {
            const field = defOf(unwrap(o, undefined)).shape?.[def.discriminator!];
            const values = field ? literalValues(field) : [];
            return data !== null && typeof data === 'object' && values.includes((data as Record<string, unknown>)[def.discriminator!]);
          })
        : (options.find((o) => defOf(unwrap(o, undefined)).type === 'object') ?? options[0]);
      if (!pick) return current;
      current = pick;
    } else return current;
  }
  return current;
}

function literalValues(schema: AnySchema): unknown[] {
  const def = defOf(schema);
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  return [];
}

/** The schema that describes `path`, following the data through unions. */
function schemaAt(schema: AnySchema, path: readonly PathSegment[], data: unknown, descriptions?: string[]): AnySchema | undefined {
  let current = unwrap(schema, data, path.length === 0 ? descriptions : undefined);
  let value = data;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const def = defOf(current);
    let next: AnySchema | undefined;
    if (def.type === 'object') next = def.shape?.[String(segment)];
    else if (def.type === 'array') next = def.element;
    else if (def.type === 'record') next = def.valueType;
    if (!next) return undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment as string] : undefined;
    current = unwrap(next, value, i === path.length - 1 ? descriptions : undefined);
  }
  return current;
}

function knownKeys(schema: AnySchema, path: readonly PathSegment[], data: unknown): string[] {
  const target = schemaAt(schema, path, data);
  if (!target) return [];
  const def = defOf(target);
  if (def.type === 'object') return Object.keys(def.shape ?? {}).filter((k) => k !== '$schema');
  if (def.type === 'record' && def.keyType) return literalValues(unwrap(def.keyType, undefined)).map(String);
  return [];
}

function isRecordAt(schema: AnySchema, path: readonly PathSegment[], data: unknown): boolean {
  const target = schemaAt(schema, path, data);
  return target !== undefined && defOf(target).type === 'record';
}

function describeField(schema: AnySchema, path: readonly PathSegment[], data: unknown): string | undefined {
  const descriptions: string[] = [];
  schemaAt(schema, path, data, descriptions);
  const description = descriptions[0];
  return description?.replace(/\.$/, '');
}

/** The known word closest to `word` (edit distance, case-insensitive), if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit && bestDistance < word.length ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
