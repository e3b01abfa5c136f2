import { spawn, type ChildProcess } from 'node:child_process';

/** `swaram-mock` from source, as the CLI tests run it (node + tsx; no build needed). */
export const MOCK_BIN = ['--import', 'tsx', 'bin/swaram-mock.ts'];

/** A `swaram-mock` process started by {@link spawnMockCli}, its output so far. */
export interface SpawnedMock {
  child: ChildProcess;
  /** The `ws://` URL its banner printed. */
  url: string;
  stdout(): string;
  stderr(): string;
}

/** Starts `swaram-mock <args>` and resolves once its banner (URL and "Ctrl-C") is printed. */
export async function spawnMockCli(args: string[], timeoutMs = 15_000): Promise<SpawnedMock> {
  const child = spawn(process.execPath, [...MOCK_BIN, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no banner: ${stdout} ${stderr}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const m = /on (ws:\/\/\S+)/.exec(stdout);
      if (m && stdout.includes('Ctrl-C')) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

/** Whether a process of this id still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
