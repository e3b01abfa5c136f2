import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

/** What a finished command printed, and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `bin/<bin>.ts` from source (through tsx), in `cwd` (default: the repository). */
export function startCli(
  bin: 'swaram-mock' | 'swaram-conform',
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', TSX, join(ROOT, 'bin', `${bin}.ts`), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: 'pipe',
  });
}

/** Runs a command to its end. */
export function runCli(
  bin: 'swaram-mock' | 'swaram-conform',
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = startCli(bin, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise) =>
    child.on('close', (code) => resolvePromise({ code, stdout, stderr })),
  );
}

/** Waits until `stream` has printed text matching `pattern`; resolves with all text so far. */
export function waitFor(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  let text = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; got: ${text}`)),
      timeoutMs,
    );
    stream.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolvePromise(text);
      }
    });
  });
}
