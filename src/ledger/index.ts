/**
 * The ledger: canonical JSON and hashing, the append-only store, verification,
 * point-in-time lookup and diffs. Everything here takes paths and times as
 * arguments; only the CLI decides where they come from.
 *
 * Chain hashes are taken over a file's JSON as written (see `readHead` /
 * `readSnapshotEntry`, which return them); take `previous` from there rather
 * than re-hashing a parsed snapshot, whose schema defaults could differ from
 * what an older file holds.
 */
export { canonicalJson, serializeSnapshot, sha256Hex, snapshotHash } from './canonical.ts';
export { parseAt, snapshotIdFor, snapshotIdToDate } from './ids.ts';
export { appendSnapshot, listSnapshotIds, readHead, readSnapshot, readSnapshotEntry, readSnapshotFile } from './store.ts';
export type { AppendOptions, AppendStep, SnapshotEntry } from './store.ts';
export { HASH_FORM_NAME, verifyLedger, verifySnapshotFile } from './verify.ts';
export type { FileVerifyResult, HashForm, VerifyOptions, VerifyResult } from './verify.ts';
export { findSnapshotAt } from './lookup.ts';
export { gunzipCopy, gzipCopy, isGzip } from './gzip-copy.ts';
export { diffEnvironments, diffSnapshots, displayValue, environmentDiffInputs, lastKnownBefore, parseDiffOperand, secretConfigKeys } from './diff.ts';
export type {
  ConfigEnvironmentDiff,
  ConfigKeyDiff,
  DeploymentDiff,
  DeploymentField,
  DeploymentState,
  EnvironmentDiff,
  EnvironmentSide,
  FindingRef,
  LastKnownDeployment,
  ServiceEnvironmentDiff,
  SnapshotDiff,
  SnapshotRef,
  UnknownRecord,
} from './diff.ts';
export { formatEnvironmentDiff, formatSnapshotDiff } from './diff-format.ts';
