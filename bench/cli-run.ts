import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../conformance/results/result-schema.js';

/** The package folder. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The compiled `swaram-conform`, as a user runs it. */
export const CONFORM_BIN = join(ROOT, 'dist', 'bin', 'swaram-conform.js');

/** What one `swaram-conform` run gave. */
export interface CliRun {
  /** Wall time of the whole command, ms (start of the process to its exit). */
  wallMs: number;
  exitCode: number;
  result: RunResult;
  /** The run folder. */
  dir: string;
}

/**
 * Runs the compiled `swaram-conform` with `args` (plus `--report-dir` in a scratch folder and
 * `--reporter json`) and returns its wall time and its result. Throws when `dist/` is missing
 * (say `npm run build`) or when the run wrote no result.
 */
export async function runConformCli(args: readonly string[]): Promise<CliRun> {
  if (!existsSync(CONFORM_BIN))
    throw new Error(
      `${CONFORM_BIN} is missing: run \`npm run build\` first (the benches time the compiled command)`,
    );
  const reportDir = mkdtempSync(join(tmpdir(), 'swaram-bench-'));
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [CONFORM_BIN, ...args, '--report-dir', reportDir, '--reporter', 'json'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exitCode = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const wallMs = performance.now() - began;
  const runs = readdirSync(reportDir);
  if (runs.length !== 1)
    throw new Error(`swaram-conform ${args.join(' ')} wrote no run (exit ${exitCode}):\n${stderr}`);
  const dir = join(reportDir, runs[0]!);
  const result = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as RunResult;
  return { wallMs, exitCode, result, dir };
}

/** Removes a run's scratch folder. */
export function dropRun(run: CliRun): void {
  rmSync(dirname(run.dir), { recursive: true, force: true });
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The `q` quantile of `xs` (nearest rank), e.g. 0.99. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One line about the machine, for figures: cores, load, the date. */
export function machineLine(): string {
  const os = process.platform;
  const load = existsSync('/proc/loadavg')
    ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    : 'n/a';
  return `${os}, ${availableParallelism()} cores, load average ${load}, ${new Date().toISOString()}`;
}
