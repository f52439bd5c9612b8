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
  return canonicalForms(value, false).canonical;
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
  return canonicalForms(snapshot, true).pretty;
}

/**
 * Both forms of any JSON value at once (verify needs both for every file).
 *
 * Fast path: copy the value with keys inserted in sorted order and let V8's
 * `JSON.stringify` print it — several times faster than the `canonicalize`
 * package on multi-megabyte snapshots, and identical output (same string
 * escaping, same number forms). It cannot keep integer-like keys ("9",
 * "10") in sorted order, so such values take the reference path: the
 * `canonicalize` package and the hand-written printer below. A property test
 * (tests/ledger/canonical.test.ts) holds the two paths equal.
 */
export function canonicalForms(value: unknown, withPretty: true): { canonical: string; pretty: string };
export function canonicalForms(value: unknown, withPretty: false): { canonical: string; pretty?: undefined };
export function canonicalForms(value: unknown, withPretty: boolean): { canonical: string; pretty?: string } {
  let copy: unknown;
  try {
    copy = sortedCopy(value);
  } catch (error) {
    if (error !== INTEGER_KEY_FOUND) throw error;
    return referenceForms(value, withPretty);
  }
  const canonical = JSON.stringify(copy) as string | undefined;
  if (canonical === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return withPretty ? { canonical, pretty: `${JSON.stringify(copy, null, 2)}\n` } : { canonical };
}

/** The reference implementation of both forms (also used directly by tests). */
export function referenceForms(value: unknown, withPretty: boolean): { canonical: string; pretty?: string } {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return withPretty ? { canonical, pretty: `${pretty(value, '')}\n` } : { canonical };
}

const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/;
const INTEGER_KEY_FOUND = Symbol('integer-like key');

/** A copy with object keys inserted in sorted order; throws INTEGER_KEY_FOUND where insertion order would not hold. */
function sortedCopy(input: unknown): unknown {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (typeof value === 'number') {
    // JSON.stringify would print null; RFC 8785 (and the canonicalize package) refuse.
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => sortedCopy(item));
  const record = value as Record<string, unknown>;
  // A plain object (null-prototype objects are dictionary-mode in V8 and stringify 2-4x slower).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (INTEGER_KEY.test(key)) throw INTEGER_KEY_FOUND;
    // `out.__proto__ = x` would set the prototype instead of adding the key.
    if (key === '__proto__') Object.defineProperty(out, key, { value: sortedCopy(record[key]), enumerable: true, writable: true, configurable: true });
    else out[key] = sortedCopy(record[key]);
  }
  return out;
}

const INDENT = '  ';

function pretty(input: unknown, indent: string): string {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
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
