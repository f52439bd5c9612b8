export { redactConfigs, redactValue, isSecretKey, looksLikeSecretValue } from './redact.ts';
