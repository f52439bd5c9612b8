#!/usr/bin/env node
// Plain JavaScript on purpose: this file must run on any Node to say, in one
// sentence, that the Node is too old — before anything newer is loaded.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `release-ledger needs Node.js 22.12 or newer (this is ${process.version}); install a current Node from https://nodejs.org and run it again.\n`,
  );
  process.exit(2);
}
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
