#!/usr/bin/env node
// Runs npm scripts at the same time (`node scripts/run-parallel.mjs typecheck lint`): each one's
// output is printed whole when it ends, so the logs do not interleave; exits non-zero if any
// failed, after all have ended. For the CPU-bound checks of `npm test` on a multi-core machine.
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/run-parallel.mjs <npm script> [<npm script> …]');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = await Promise.all(
  names.map(
    (name) =>
      new Promise((resolve) => {
        const began = Date.now();
        const child = spawn(npm, ['run', '--silent', name], {
          stdio: ['ignore', 'pipe', 'pipe'],
          shell: process.platform === 'win32',
        });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => {
          const seconds = ((Date.now() - began) / 1000).toFixed(1);
          process.stdout.write(
            `\n> ${name}: ${code === 0 ? 'ok' : `failed (${code})`} in ${seconds} s\n${output}`,
          );
          resolve(code === 0);
        });
      }),
  ),
);
process.exitCode = results.every(Boolean) ? 0 : 1;
