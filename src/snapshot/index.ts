export { redactConfigs, redactValue, isSecretKey, looksLikeSecretValue, secretHash } from './redact.ts';
