/**
 * Checks a parsed YAML document before it is turned into data, in one linear
 * walk, and names the first problem with its position:
 *
 * - more than `INPUT_LIMITS.yamlAliases` aliases, or aliases that expand the
 *   data past what the file itself may hold (`expandedBytes`, the file's cap):
 *   "billion laughs" (https://en.wikipedia.org/wiki/Billion_laughs_attack)
 *   stays a one-line error, while an anchor used on every deployment of a
 *   large inventory is fine. This replaces the yaml package's `maxAliasCount`
 *   (default 100, https://eemeli.org/yaml/#tojs-options), which counts uses
 *   of one anchor, not what they cost, and throws an untyped ReferenceError;
 * - an alias inside the node it names (a cycle);
 * - nesting deeper than `INPUT_LIMITS.yamlDepth` (keeps every later recursive
 *   step, in yaml and in zod, far from the stack limit);
 * - a `__proto__` key: JavaScript objects cannot keep it as data (zod and
 *   plain assignment drop it), so it is refused rather than lost;
 * - a repeated key in one mapping: the yaml package's own `uniqueKeys` check
 *   compares each key with every earlier one (two minutes for a 4 MiB mapping),
 *   this one uses a set.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { formatBytes, INPUT_LIMITS } from './input-limits.ts';

export interface YamlProblem {
  /** Offset in the text the problem is at. */
  offset: number;
  /** One sentence, without the position. */
  message: string;
  /** The field it is in (keys and list indexes), when short enough to help; [] for the top or for nesting. */
  path: (string | number)[];
}

/** Counts carried across the documents of one file, so a multi-document file gets one budget. */
export interface YamlTally {
  aliases: number;
  expanded: number;
}

/** Said for nesting past the cap, whether this walk or the yaml parser (which reports a stack overflow as a syntax error) finds it. */
export const TOO_DEEP = `nested more than ${INPUT_LIMITS.yamlDepth} levels deep; flatten the structure`;

/** Said for a `__proto__` key, in YAML or in `.env`/`.properties` lines. */
export const PROTO_KEY = 'the key "__proto__" cannot be kept as data (JavaScript reserves it, so it would be dropped); rename it';

/** True for the yaml parser's error on nesting so deep that it ran out of stack. */
export const isTooDeepForParser = (message: string): boolean => /Maximum call stack size exceeded/.test(message);

class Stop {
  readonly problem: YamlProblem;
  constructor(problem: YamlProblem) {
    this.problem = problem;
  }
}

/** The first problem in `doc`, or null. `expandedBytes` is the cap of the file the document came from. */
export function yamlProblem(doc: Document.Parsed, expandedBytes: number, tally: YamlTally = { aliases: 0, expanded: 0 }): YamlProblem | null {
  const anchors = new Map<string, YamlNode>();
  /** Expanded size of each anchored node, once it is complete (absent while inside it: an alias then is a cycle). */
  const sizes = new Map<YamlNode, number>();
  /** Where the walk is: the keys and indexes from the top. */
  const trail: (string | number)[] = [];
  const stop = (node: { range?: readonly number[] | null | undefined } | null | undefined, message: string): never => {
    const path = message === TOO_DEEP || trail.length > 12 ? [] : [...trail];
    throw new Stop({ offset: node?.range?.[0] ?? 0, message, path });
  };
  const add = (node: YamlNode, size: number) => {
    tally.expanded += size;
    // Without aliases the data is no bigger than the text, which fit its cap.
    if (tally.aliases > 0 && tally.expanded > expandedBytes) {
      stop(node, `${isAlias(node) ? `the alias *${node.source}` : 'this value'} takes the file past ${formatBytes(expandedBytes)} once aliases are expanded, more than the file itself may hold (an alias bomb?); use fewer aliases`);
    }
  };

  const walk = (node: unknown, depth: number): number => {
    if (node === null || node === undefined) return 1;
    const n = node as YamlNode;
    if (isAlias(n)) {
      tally.aliases += 1;
      if (tally.aliases > INPUT_LIMITS.yamlAliases) stop(n, `more than ${INPUT_LIMITS.yamlAliases} aliases (*name) in one file; write some values out or split the file`);
      const target = anchors.get(n.source);
      if (!target) return 1; // an unknown anchor: the yaml package reports it
      const size = sizes.get(target);
      if (size === undefined) return stop(n, `the alias *${n.source} is inside the value it names (a cycle); point it at a value defined before it`);
      add(n, size);
      return size;
    }
    if (depth > INPUT_LIMITS.yamlDepth) stop(n, TOO_DEEP);
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, n);
    let size = 1;
    if (isScalar(n)) {
      size = Math.max(1, (n.range?.[1] ?? 0) - (n.range?.[0] ?? 0));
      add(n, size);
    } else if (isMap(n)) {
      add(n, 1);
      const keys = new Set<string>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlNode | null;
        if (isScalar(key)) {
          if (key.value === '__proto__') stop(key, PROTO_KEY);
          const id = `${typeof key.value}:${String(key.value)}`;
          if (keys.has(id)) stop(key, `duplicate key "${String(key.value)}"; each key may appear only once in a mapping`);
          keys.add(id);
        }
        size += walk(key, depth + 1);
        trail.push(isScalar(key) ? String(key.value) : '?');
        size += walk(pair.value, depth + 1);
        trail.pop();
      }
    } else if (isSeq(n)) {
      add(n, 1);
      n.items.forEach((item, i) => {
        trail.push(i);
        size += walk(item, depth + 1);
        trail.pop();
      });
    }
    if (anchor) sizes.set(n, size); // only anchored nodes are named by aliases
    return size;
  };

  try {
    walk(doc.contents, 1);
    return null;
  } catch (error) {
    if (error instanceof Stop) return error.problem;
    throw error;
  }
}
