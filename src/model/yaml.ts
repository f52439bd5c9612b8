/**
 * The one way YAML is read: js-yaml 5 (https://github.com/nodeca/js-yaml),
 * through its event parser (`parseEvents`), whose events carry source offsets
 * for every node. From them this module builds a small positioned tree (to
 * point a message at `file:line:column`, and to check the document before it
 * becomes data, src/model/yaml-guard.ts), and js-yaml's `constructFromEvents`
 * turns the same events into data. One parse, both uses.
 *
 * Schemas: `core` (YAML 1.2 core: numbers, booleans, null) for the config,
 * inventories and config values; `failsafe` (every scalar a string, so an
 * image tag `2.10` stays "2.10") where text must stay as written.
 *
 * Never throws for bad input: the result names the offset and one sentence.
 */
import { constructFromEvents, CORE_SCHEMA, EVENT_ID, FAILSAFE_SCHEMA, getScalarValue, parseEvents, YAMLException, type Event, type ScalarEvent } from 'js-yaml';
import { INPUT_LIMITS } from './input-limits.ts';
import { TOO_DEEP, yamlProblem, type YamlTally } from './yaml-guard.ts';

interface NodeBase {
  /** Offset of the node's first character (its value, not its anchor or tag). */
  start: number;
  /** The anchor it defines (`&name`), if any. */
  anchor?: string;
}
export interface YamlScalar extends NodeBase {
  kind: 'scalar';
  end: number;
  /** The decoded text (quotes and escapes resolved), before any schema typing. */
  text: string;
  /** Written without quotes or block indicators: the schema decides its type. */
  plain: boolean;
}
export interface YamlMap extends NodeBase {
  kind: 'map';
  items: { key: YamlNode; value: YamlNode }[];
}
export interface YamlSeq extends NodeBase {
  kind: 'seq';
  items: YamlNode[];
}
export interface YamlAlias extends NodeBase {
  kind: 'alias';
  /** The anchor it names. */
  name: string;
}
export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

export interface YamlDocument {
  /** The top node; null for an empty document. */
  contents: YamlNode | null;
  /** What the document is as data. */
  data: unknown;
}

/** A read YAML text: its documents, and positions in it. */
export interface YamlText {
  text: string;
  documents: YamlDocument[];
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number };
}

export type YamlRead =
  | { ok: true; yaml: YamlText }
  | {
      ok: false;
      offset: number;
      /** One sentence, without the position. */
      message: string;
      /** A YAML syntax error, or a guard's refusal (aliases, nesting, reserved or repeated keys). */
      kind: 'syntax' | 'guard';
      /** For a guard's refusal: the field it is in, when short enough to help. */
      path: (string | number)[];
      position: (offset: number) => { line: number; col: number };
    };

export interface ReadOptions {
  schema: 'core' | 'failsafe';
  /** The cap on the file (bytes): aliases may not expand the data past it. */
  maxBytes: number;
}

/** Reads every document of `text`, checked by the guard (one budget for the whole file) before it becomes data. */
export function readYaml(text: string, options: ReadOptions): YamlRead {
  const position = positions(text);
  const fail = (offset: number, message: string, kind: 'syntax' | 'guard', path: (string | number)[] = []): YamlRead => ({ ok: false, offset, message, kind, path, position });
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: INPUT_LIMITS.yamlDepth });
  } catch (error) {
    return parseFailure(error, text, fail);
  }
  const trees = buildTrees(text, events);
  const tally: YamlTally = { aliases: 0, expanded: 0 };
  for (const tree of trees) {
    const problem = tree && yamlProblem(tree, options.maxBytes, tally);
    if (problem) return fail(problem.offset, problem.message, 'guard', problem.path);
  }
  let data: unknown[];
  try {
    // Aliases are already bounded by the guard, which also says where.
    data = constructFromEvents(events, { source: text, schema: options.schema === 'core' ? CORE_SCHEMA : FAILSAFE_SCHEMA, maxAliases: -1 });
  } catch (error) {
    return parseFailure(error, text, fail);
  }
  return { ok: true, yaml: { text, documents: trees.map((contents, i) => ({ contents, data: data[i] ?? null })), position } };
}

/** The node at `path` (keys and indexes), following aliases; the deepest node reached and whether the whole path was found. */
export function nodeAt(root: YamlNode | null, path: readonly PropertyKey[], anchors = anchorsOf(root)): { node: YamlNode | null; keyNode: YamlNode | null; complete: boolean } {
  let node = root;
  let keyNode: YamlNode | null = null;
  for (const segment of path) {
    if (node?.kind === 'alias') node = anchors.get(node.name) ?? node;
    if (node?.kind === 'map') {
      const pair = node.items.find((p) => p.key.kind === 'scalar' && p.key.text === String(segment));
      if (!pair) return { node, keyNode: null, complete: false };
      keyNode = pair.key;
      node = pair.value;
    } else if (node?.kind === 'seq' && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) return { node, keyNode: null, complete: false };
      keyNode = null;
      node = item;
    } else {
      return { node, keyNode: null, complete: false };
    }
  }
  return { node, keyNode, complete: true };
}

function anchorsOf(root: YamlNode | null): Map<string, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.anchor) anchors.set(node.anchor, node);
    if (node.kind === 'map') for (const { key, value } of node.items) stack.push(key, value);
    else if (node.kind === 'seq') stack.push(...node.items);
  }
  return anchors;
}

function parseFailure(error: unknown, text: string, fail: (offset: number, message: string, kind: 'syntax') => YamlRead): YamlRead {
  // js-yaml's recursive descent runs out of stack only past its own depth limit; said as the limit either way.
  if (error instanceof RangeError) return fail(0, TOO_DEEP, 'syntax');
  if (!(error instanceof YAMLException)) throw error;
  const offset = error.mark?.position ?? 0;
  const reason = error.reason;
  if (/nesting exceeded maxDepth/.test(reason)) return fail(offset, TOO_DEEP, 'syntax');
  const unclosed = unclosedQuote(text, offset, reason) ?? unclosedFlow(text, offset, reason);
  if (unclosed) return fail(unclosed.offset, unclosed.message, 'syntax');
  return fail(offset, reason, 'syntax');
}

/**
 * A quoted value left open is noticed only lines later ("deficient
 * indentation", or the end of the stream); point at the quote that opened it.
 */
function unclosedQuote(text: string, offset: number, reason: string): { offset: number; message: string } | null {
  if (!/deficient indentation|within a (double|single) quoted scalar|end of the stream/.test(reason)) return null;
  // From the line the parser stopped on back to where the value could have opened (a few lines up).
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  for (let lines = 0; lines < 50 && end > 0; lines++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const open = openQuoteIn(text.slice(start, end));
    if (open) return { offset: start + open.at, message: `this ${open.quote === '"' ? 'double' : 'single'}-quoted value is never closed; add the closing ${open.quote}` };
    if (start === 0) break;
    end = start - 1;
  }
  return null;
}

/** The quote a line opens and does not close (`''` inside single quotes and `\"` inside double quotes are escapes), or null. */
function openQuoteIn(line: string): { quote: '"' | "'"; at: number } | null {
  let open: { quote: '"' | "'"; at: number } | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (open === null) {
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return null;
      if (c === '"' || c === "'") open = { quote: c, at: i };
    } else if (open.quote === "'" && c === "'") {
      if (line[i + 1] === "'") i++;
      else open = null;
    } else if (open.quote === '"' && c === '\\') i++;
    else if (open.quote === '"' && c === '"') open = null;
  }
  return open;
}

/**
 * A flow list or mapping left open (`[a, b` then a new line) is noticed as
 * "deficient indentation" or the end of the stream; point at the bracket
 * that opened it, when it is near.
 */
function unclosedFlow(text: string, offset: number, reason: string): { offset: number; message: string } | null {
  if (!/deficient indentation|end of the stream|flow collection/.test(reason)) return null;
  const open: number[] = [];
  let quote: string | null = null;
  for (let j = 0; j < Math.min(text.length, offset + 1); j++) {
    const c = text[j]!;
    if (quote) {
      if (quote === "'" && c === "'" && text[j + 1] === "'") j++;
      else if (quote === '"' && c === '\\') j++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (j === 0 || /\s/.test(text[j - 1]!))) {
      const eol = text.indexOf('\n', j);
      j = eol < 0 ? text.length : eol;
    } else if (c === '[' || c === '{') open.push(j);
    else if ((c === ']' || c === '}') && open.length > 0) open.pop();
  }
  const at = open[0];
  if (at === undefined || text.slice(at, offset).split('\n').length > 50) return null;
  const [what, close] = text[at] === '[' ? ['list', ']'] : ['mapping', '}'];
  return { offset: at, message: `this flow ${what} (${text[at]}) is never closed; add the closing ${close}` };
}

/** The events as one tree per document (null for an empty one). */
function buildTrees(text: string, events: Event[]): (YamlNode | null)[] {
  const trees: (YamlNode | null)[] = [];
  const stack: (YamlMap | YamlSeq | { kind: 'document' })[] = [];
  /** A map's key waiting for its value. */
  const pendingKey = new Map<YamlMap, YamlNode>();
  const slice = (start: number, end: number) => (start >= 0 ? text.slice(start, end) : undefined);
  const place = (node: YamlNode) => {
    const parent = stack[stack.length - 1];
    if (!parent || parent.kind === 'document') trees[trees.length - 1] = node;
    else if (parent.kind === 'seq') parent.items.push(node);
    else {
      const key = pendingKey.get(parent);
      if (key === undefined) pendingKey.set(parent, node);
      else {
        pendingKey.delete(parent);
        parent.items.push({ key, value: node });
      }
    }
  };
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        trees.push(null);
        stack.push({ kind: 'document' });
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const anchor = slice(event.anchorStart, event.anchorEnd);
        const node: YamlMap | YamlSeq = event.type === EVENT_ID.MAPPING ? { kind: 'map', start: event.start, items: [] } : { kind: 'seq', start: event.start, items: [] };
        if (anchor) node.anchor = anchor;
        place(node);
        stack.push(node);
        break;
      }
      case EVENT_ID.SCALAR: {
        const scalar = event as ScalarEvent;
        // A quoted scalar starts at its opening quote (its offsets are the text inside).
        const quoted = (scalar.style === 2 || scalar.style === 3) && scalar.valueStart > 0 && (text[scalar.valueStart - 1] === '"' || text[scalar.valueStart - 1] === "'");
        const node: YamlScalar = { kind: 'scalar', start: quoted ? scalar.valueStart - 1 : scalar.valueStart, end: quoted ? scalar.valueEnd + 1 : scalar.valueEnd, text: getScalarValue(text, scalar), plain: scalar.style === 1 && scalar.tagStart < 0 };
        const anchor = slice(scalar.anchorStart, scalar.anchorEnd);
        if (anchor) node.anchor = anchor;
        place(node);
        break;
      }
      case EVENT_ID.ALIAS:
        // The offsets are the name's; the `*` is just before it.
        place({ kind: 'alias', start: Math.max(0, event.anchorStart - 1), name: text.slice(event.anchorStart, event.anchorEnd) });
        break;
      case EVENT_ID.POP:
        stack.pop();
        break;
    }
  }
  return trees;
}

/** 1-based line and column of an offset, by binary search over the line starts. */
function positions(text: string): (offset: number) => { line: number; col: number } {
  let starts: number[] | null = null;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let [lo, hi] = [0, starts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  };
}
