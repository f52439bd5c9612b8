/**
 * One measured unit of a benchmark in a child process (scripts/bench.ts):
 * the script runs itself with
 * `--child MODE --payload JSON` under `/usr/bin/time -v` for wall time, peak
 * RSS and CPU time (or polls /proc/<pid>/status VmHWM without it), and
 * prints its result as the last stdout line.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ChildResult {
  ms: number;
  peakRssBytes: number | null;
  /** User + system CPU seconds (from `/usr/bin/time -v`): less sensitive than wall time to other work on the machine. */
  cpuMs: number | null;
  output: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

export async function measureChild(script: string, mode: string, payload: unknown): Promise<ChildResult> {
  // Like bin/release-ledger.mjs: Node's own type stripping where it has it, so a measured build pays what the CLI pays.
  const loader = process.features.typescript ? [] : ['--import', 'tsx'];
  const nodeArgs = [...loader, script, '--child', mode, '--payload', JSON.stringify(payload)];
  const useTime = existsSync('/usr/bin/time');
  const command = useTime ? '/usr/bin/time' : process.execPath;
  const args = useTime ? ['-v', process.execPath, ...nodeArgs] : nodeArgs;
  const started = performance.now();
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let polled = 0;
  const poll = useTime
    ? null
    : setInterval(() => {
        readFile(`/proc/${proc.pid}/status`, 'utf8').then(
          (s) => (polled = Math.max(polled, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024)),
          () => {},
        );
      }, 200);
  const code = await new Promise<number>((resolve) => proc.on('close', (c) => resolve(c ?? 1)));
  if (poll) clearInterval(poll);
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`bench child "${mode}" failed (exit ${code}):\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  const timeKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
  const cpuMs = user && system ? (Number(user) + Number(system)) * 1000 : null;
  return { ms, peakRssBytes: timeKb ? Number(timeKb) * 1024 : polled || null, cpuMs, output: JSON.parse(line) as Record<string, unknown>, stdout, stderr };
}

/** Child mode shared by the benches: one `buildSite()` run, its result (with `innerMs`) as the last stdout line. */
export async function buildSiteChild(payload: Record<string, unknown>): Promise<void> {
  const started = performance.now();
  const { buildSite } = await import('../src/site/build.ts');
  const result = await buildSite(payload as unknown as Parameters<typeof buildSite>[0]);
  process.stdout.write(`${JSON.stringify({ ...result, innerMs: performance.now() - started })}\n`);
}
