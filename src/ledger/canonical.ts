/**
 * Canonical bytes. Two forms of one idea, "the same data gives the same bytes":
 *
 * - `canonicalJson` is RFC 8785 (JSON Canonicalization Scheme), the form that is
 *   hashed for the chain: https://www.rfc-editor.org/rfc/rfc8785
 * - `serializeSnapshot` is what is written to disk: the same key order and
 *   number forms, but indented so `git diff` shows one change per line.
 *
 * Both sort object keys by UTF-16 code units (RFC 8785 §3.2.3), which is what
 * `Array.prototype.sort()` does on strings, and both print numbers the way
 * ECMAScript `Number.prototype.toString` does (RFC 8785 §3.2.2.3), which is
 * what `JSON.stringify` does on a number.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Snapshot } from '../model/index.ts';

/** RFC 8785 canonical JSON of a JSON value. Throws on NaN/Infinity and on `undefined` at the top. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
}

/** Lowercase hex sha256 of a string (as UTF-8) or of bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash the chain records: sha256 of the snapshot's canonical JSON. */
export function snapshotHash(snapshot: Snapshot): string {
  return sha256Hex(canonicalJson(snapshot));
}

/**
 * The exact text of a snapshot file: keys sorted recursively (same order as
 * RFC 8785), 2-space indent, a trailing newline. `verify` requires a file's
 * bytes to equal `serializeSnapshot(JSON.parse(bytes))`, so any edit, even of
 * whitespace, is detected.
 *
 * Written by hand rather than `JSON.stringify(sorted, null, 2)` because JS
 * objects enumerate integer-like keys ("9", "10") numerically first, whatever
 * order they were inserted in, which would break the sorted order.
 */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${pretty(snapshot, '')}\n`;
}

/** `serializeSnapshot` for any JSON value (used by verify on a file that may not be a snapshot). */
export function serializeCanonicalPretty(value: unknown): string {
  return `${pretty(value, '')}\n`;
}

const INDENT = '  ';

function pretty(input: unknown, indent: string): string {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`serializeSnapshot: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`serializeSnapshot: a ${typeof value} has no JSON form`);
  }
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => (isOmitted(item) ? 'null' : pretty(item, inner)));
    return `[\n${inner}${items.join(`,\n${inner}`)}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => !isOmitted(record[key]))
    .sort();
  if (keys.length === 0) return '{}';
  const entries = keys.map((key) => `${JSON.stringify(key)}: ${pretty(record[key], inner)}`);
  return `{\n${inner}${entries.join(`,\n${inner}`)}\n${indent}}`;
}

/** Values JSON leaves out of objects (and turns into null in arrays). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
