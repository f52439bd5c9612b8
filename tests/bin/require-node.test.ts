import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../bin/require-node.mjs';

describe('an old Node gets one sentence', () => {
  it('accepts 22.12 and newer, refuses older with one sentence', () => {
    expect(nodeVersionProblem('22.12.0')).toBeNull();
    expect(nodeVersionProblem('24.1.0')).toBeNull();
    expect(nodeVersionProblem('23.0.0')).toBeNull();
    expect(nodeVersionProblem('22.11.9')).toMatchInlineSnapshot(`"release-ledger needs Node.js 22.12 or newer (this is v22.11.9); install a current Node from https://nodejs.org and run it again."`);
    expect(nodeVersionProblem('20.20.2')).toContain('needs Node.js 22.12 or newer');
  });

  it('the real entry point on an old Node prints the sentence and exits 2, no stack', () => {
    // Any machine: this Node pretends to be 20.1.0 before the entry point runs.
    const bin = fileURLToPath(new URL('../../bin/release-ledger.mjs', import.meta.url));
    const pretend = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})';
    const run = spawnSync(process.execPath, ['--import', pretend, bin, 'show'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${nodeVersionProblem('20.1.0')}\n`);
  });

  // And the machine's own Node when it is an old one (Debian's v20 here): a real old runtime, not a pretend one.
  const systemNode = '/usr/bin/node';
  const systemVersion = existsSync(systemNode) ? execFileSync(systemNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim() : null;
  if (systemVersion !== null && nodeVersionProblem(systemVersion) !== null) {
    it(`the real entry point on this machine's Node ${systemVersion} prints the sentence and exits 2`, () => {
      const bin = fileURLToPath(new URL('../../bin/release-ledger.mjs', import.meta.url));
      const run = spawnSync(systemNode, [bin, 'show'], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`${nodeVersionProblem(systemVersion)}\n`);
    });
  }
});
