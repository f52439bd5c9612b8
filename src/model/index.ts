export * from './config.ts';
export * from './snapshot.ts';
export * from './evidence.ts';
export { approversOf, requiredApprovals, sameLogin } from './approvals.ts';
export { loadConfig, parseConfig, type LoadedConfig } from './load-config.ts';
export { formatIssue, formatIssues, parseYamlWithSchema, type YamlSource, type FriendlyResult } from './friendly-errors.ts';
export * from './inventory.ts';
export { configJsonSchema, configJsonSchemaText, CONFIG_SCHEMA_ID } from './json-schema.ts';
export { compareSecrets, describeSecret, fingerprintSecret, isRedacted, secretKeyFrom, whyNotComparable, withholdPlainHashes, type NotComparable, MIN_SECRET_KEY_LENGTH, type RedactedValue, type SecretComparison, type SecretKey } from './secret-fingerprint.ts';
