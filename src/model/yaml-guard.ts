/**
 * Checks a parsed YAML document before it is turned into data, in one linear
 * walk, and names the first problem with its position:
 *
 * - more than `INPUT_LIMITS.yamlAliases` aliases, or aliases that expand the
 *   data past what the file itself may hold (`expandedBytes`, the file's cap):
 *   "billion laughs" (https://en.wikipedia.org/wiki/Billion_laughs_attack)
 *   stays a one-line error, while an anchor used on every deployment of a
 *   large inventory is fine (js-yaml's own `maxAliases` counts aliases, not
 *   what they cost);
 * - an alias inside the node it names (a cycle);
 * - nesting deeper than `INPUT_LIMITS.yamlDepth` (keeps every later recursive
 *   step, in js-yaml and in zod, far from the stack limit);
 * - a `__proto__` key: JavaScript objects cannot keep it as data (zod and
 *   plain assignment drop it), so it is refused rather than lost;
 * - a repeated key in one mapping, said with its position (a set, linear).
 *
 * The tree is src/model/yaml.ts's, built from js-yaml's events.
 */
import type { YamlNode } from './yaml.ts';
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

class Stop {
  readonly problem: YamlProblem;
  constructor(problem: YamlProblem) {
    this.problem = problem;
  }
}

/** The first problem in a document's tree, or null. `expandedBytes` is the cap of the file the document came from. */
export function yamlProblem(root: YamlNode, expandedBytes: number, tally: YamlTally = { aliases: 0, expanded: 0 }): YamlProblem | null {
  const anchors = new Map<string, YamlNode>();
  /** Expanded size of each anchored node, once it is complete (absent while inside it: an alias then is a cycle). */
  const sizes = new Map<YamlNode, number>();
  /** Where the walk is: the keys and indexes from the top. */
  const trail: (string | number)[] = [];
  const stop = (node: YamlNode, message: string): never => {
    const path = message === TOO_DEEP || trail.length > 12 ? [] : [...trail];
    throw new Stop({ offset: node.start, message, path });
  };
  const add = (node: YamlNode, size: number) => {
    tally.expanded += size;
    // Without aliases the data is no bigger than the text, which fit its cap.
    if (tally.aliases > 0 && tally.expanded > expandedBytes) {
      stop(node, `${node.kind === 'alias' ? `the alias *${node.name}` : 'this value'} takes the file past ${formatBytes(expandedBytes)} once aliases are expanded, more than the file itself may hold (an alias bomb?); use fewer aliases`);
    }
  };

  const walk = (node: YamlNode, depth: number): number => {
    if (node.kind === 'alias') {
      tally.aliases += 1;
      if (tally.aliases > INPUT_LIMITS.yamlAliases) stop(node, `more than ${INPUT_LIMITS.yamlAliases} aliases (*name) in one file; write some values out or split the file`);
      const target = anchors.get(node.name);
      if (!target) return stop(node, `the alias *${node.name} names no anchor (&${node.name}) defined before it`);
      const size = sizes.get(target);
      if (size === undefined) return stop(node, `the alias *${node.name} is inside the value it names (a cycle); point it at a value defined before it`);
      add(node, size);
      return size;
    }
    if (depth > INPUT_LIMITS.yamlDepth) stop(node, TOO_DEEP);
    if (node.anchor) anchors.set(node.anchor, node);
    let size = 1;
    if (node.kind === 'scalar') {
      size = Math.max(1, node.end - node.start);
      add(node, size);
    } else if (node.kind === 'map') {
      add(node, 1);
      const keys = new Set<string>();
      for (const { key, value } of node.items) {
        if (key.kind === 'scalar') {
          if (key.text === '__proto__') stop(key, PROTO_KEY);
          // JavaScript objects key by text, so `1` and "1" are the same key.
          if (keys.has(key.text)) stop(key, `duplicate key "${key.text}"; each key may appear only once in a mapping`);
          keys.add(key.text);
        }
        size += walk(key, depth + 1);
        trail.push(key.kind === 'scalar' ? key.text : '?');
        size += walk(value, depth + 1);
        trail.pop();
      }
    } else {
      add(node, 1);
      node.items.forEach((item, i) => {
        trail.push(i);
        size += walk(item, depth + 1);
        trail.pop();
      });
    }
    if (node.anchor) sizes.set(node, size); // only anchored nodes are named by aliases
    return size;
  };

  try {
    walk(root, 1);
    return null;
  } catch (error) {
    if (error instanceof Stop) return error.problem;
    throw error;
  }
}
