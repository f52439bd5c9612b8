/**
 * Runs the real CLI in-process (`main` takes argv and I/O as arguments, the
 * citty way), capturing output and the exit code.
 */
import { main, type CliIO } from '../../src/cli/index.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: Partial<CliIO> & { cwd: string }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: {},
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    ...options,
  });
  return { code, stdout, stderr };
}
