/** Milliseconds in a UTC day: every duration the ledger counts in days (drift, retention, stats windows) uses it. */
export const DAY_MS = 86_400_000;
