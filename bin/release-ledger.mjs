#!/usr/bin/env node
import { requireNode } from './require-node.mjs';

requireNode();
// Astro reports telemetry on every build unless told not to; a ledger build never phones home.
process.env.ASTRO_TELEMETRY_DISABLED ??= '1';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../collectors/cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
});
