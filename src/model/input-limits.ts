/**
 * The caps on what release-ledger reads from files a person or a repository
 * hands it, decided here once (docs/guarantees.md, "Bounded input"). Each is
 * checked BEFORE the bytes are read (the file's size from `fstat`, a git
 * blob's from `git cat-file --batch-check`), so a 200 MiB config or a 1.2 GB
 * values.yaml costs a `stat`, not the memory to hold it. The YAML caps bound
 * what a small file can turn into once parsed (alias bombs, deep nesting).
 *
 * Parsing, validating and collecting YAML allocates about 100 bytes per byte
 * of text, and V8 collects it lazily (measured, Node 24: a collect over four
 * valid 0.95 MiB inventory files peaks at 413 MB, 120 MB of it Node and the
 * CLI, with 32 MB live after a full GC; eight 1 MiB files peaked at 500 MB),
 * so the caps keep a collect with one source of each kind under 512 MB peak
 * RSS whatever the inputs (tests/reliability/adversarial-yaml.test.ts).
 * The caps are per source: a config with many sources may use more.
 */

const MiB = 1024 * 1024;

export const INPUT_LIMITS = {
  /** `release-ledger.config.yaml`. A config for 500 services is about 200 KB. */
  configBytes: 1 * MiB,
  /** One inventory file of a `file` source (about 2,500 deployment records; a folder holds more). */
  inventoryFileBytes: 1 * MiB,
  /** All inventory files of one `file` source together (3,000 deployments with approvals take about 1.5 MiB); files past it are gaps. */
  inventoryTotalBytes: 4 * MiB,
  /** One file a `gitops` source reads (Helm values, overlays, manifests, config files). */
  sourceFileBytes: 2 * MiB,
  /** All files one `gitops` source reads in a run together; files past it are gaps. */
  sourceTotalBytes: 32 * MiB,
  /**
   * One answer from GitHub (a REST page or a GraphQL query), counted after
   * decompression as it streams in. GitHub's own pages of 100 items and the
   * batched queries of the GitHub source are well under 1 MiB; a larger
   * answer is cancelled when it passes the cap and is a gap for what was asked.
   */
  githubResponseBytes: 16 * MiB,
  /**
   * One snapshot `verify --file` reads: the file, or what a gzip copy expands to (checked as it
   * expands, so a gzip bomb stops here). A snapshot of 500 services is about 6 MB.
   */
  snapshotFileBytes: 64 * MiB,
  /** Alias uses (`*name`) in one YAML file: each is walked by the guard and by zod as the data it stands for. */
  yamlAliases: 10_000,
  /** Nesting depth of one YAML file (a Kubernetes manifest needs about 12). */
  yamlDepth: 100,
} as const;

/** `1 MiB`, `4.2 MiB`, `950 KiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${Number.isInteger(bytes / MiB) ? bytes / MiB : (bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** The one-line reason for a file over its cap, e.g. `big.yaml: 200 MiB, over the 4 MiB cap on one inventory file; split it …`. */
export function overCap(file: string, size: number, cap: number, what: string, advice: string): string {
  return `${file}: ${formatBytes(size)}, over the ${formatBytes(cap)} cap on ${what}; ${advice}`;
}

export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as UTF-8 text, or one line saying why not: YAML files here are UTF-8
 * (https://yaml.org/spec/1.2.2/#52-character-encodings allows UTF-16/32, but
 * a file that is not UTF-8 is almost always a mistake, and silently turning
 * bytes into U+FFFD would store something nobody wrote). A UTF-8 byte-order
 * mark is dropped; UTF-16/32 (with a byte-order mark, or recognised by the
 * zero bytes of ASCII as the YAML spec does) is named; any other bad byte is
 * named with its offset and line.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): Decoded {
  const encoding = wideEncoding(bytes);
  if (encoding) return { ok: false, reason: `${file}: the file is ${encoding}, not UTF-8; save it as UTF-8 (e.g. iconv -f ${encoding.split(' ')[0]} -t UTF-8)` };
  try {
    return { ok: true, text: strictUtf8.decode(bytes) };
  } catch {
    const offset = firstInvalidByte(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return {
      ok: false,
      reason: `${file}:${line}: not UTF-8: byte 0x${byte} at byte offset ${offset} is not valid UTF-8 (Latin-1 or Windows-1252 text?); save the file as UTF-8`,
    };
  }
}

/** UTF-16/32 by byte-order mark, or by where the zero bytes of an ASCII first character fall (YAML 1.2 §5.2). */
function wideEncoding(b: Uint8Array): string | undefined {
  const at = (i: number) => (i < b.length ? b[i] : -1);
  if (at(0) === 0x00 && at(1) === 0x00 && at(2) === 0xfe && at(3) === 0xff) return 'UTF-32BE (byte-order mark 00 00 FE FF)';
  if (at(0) === 0xff && at(1) === 0xfe && at(2) === 0x00 && at(3) === 0x00) return 'UTF-32LE (byte-order mark FF FE 00 00)';
  if (at(0) === 0xfe && at(1) === 0xff) return 'UTF-16BE (byte-order mark FE FF)';
  if (at(0) === 0xff && at(1) === 0xfe) return 'UTF-16LE (byte-order mark FF FE)';
  if (b.length >= 2 && at(0) === 0x00 && at(1) !== 0x00) return 'UTF-16BE (no byte-order mark; every other byte is zero)';
  if (b.length >= 2 && at(0) !== 0x00 && at(1) === 0x00) return 'UTF-16LE (no byte-order mark; every other byte is zero)';
  return undefined;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629 §4). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) min = 0xa0; // no overlong forms
      if (c === 0xed) max = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) min = 0x90;
      if (c === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const next = b[i + k];
      if (next === undefined) return i;
      if (k === 1 ? next < min || next > max : next < 0x80 || next > 0xbf) return i;
    }
    i += need + 1;
  }
  return b.length;
}
