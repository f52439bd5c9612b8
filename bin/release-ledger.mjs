#!/usr/bin/env node
import module from 'node:module';
import { requireNode } from './require-node.mjs';

requireNode();
// Node keeps the compiled code of each module it loads (ours type-stripped, Astro's, Vite's) in a cache
// folder under the system's temporary folder, checked against each source's hash: a nightly build
// starts about 0.3 s of CPU sooner once the folder is warm. https://nodejs.org/api/module.html#module-compile-cache
module.enableCompileCache?.();
// Astro reports telemetry on every build unless told not to; a ledger build never phones home.
process.env.ASTRO_TELEMETRY_DISABLED ??= '1';
// Nor does `dev` ask the npm registry for a newer Astro at start: the site promises no network when viewed.
// Astro skips that check when ASTRO_DISABLE_UPDATE_CHECK is "true" (astro/dist/core/dev/update-check.js; the
// per-user switch for the same check is `astro preferences disable checkUpdates`,
// https://docs.astro.build/en/reference/cli-reference/#astro-preferences). Set, not defaulted: not a user choice.
process.env.ASTRO_DISABLE_UPDATE_CHECK = 'true';
// Node 22.18+ runs the TypeScript sources itself (type stripping; the code keeps to erasable syntax,
// tsconfig `erasableSyntaxOnly`), which starts about two seconds sooner than compiling through tsx.
// Node refuses to strip types under node_modules, so an installed copy (and older Node) uses tsx.
// https://nodejs.org/api/typescript.html#type-stripping
if (!process.features.typescript || import.meta.url.includes('/node_modules/')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
});
