import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ROOT, startCli, waitFor } from './run-cli.js';

const children: Array<ReturnType<typeof startCli>> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGINT');
});

function closeOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

describe('swaram-mock serving', () => {
  it('--log - writes JSON lines to stdout, the banner to stderr, and one line per refused connection', async () => {
    const child = startCli('swaram-mock', ['--port', '0', '--log', '-']);
    children.push(child);
    const stdout = waitFor(child.stdout, /"note":"refused"/);
    const banner = await waitFor(child.stderr, /Ctrl-C stops it/);
    const url = /on (ws:\/\/\S+)/.exec(banner)![1]!;
    const refusedLine = waitFor(child.stderr, /refused .*\n/);
    const ws = new WebSocket(`${url}?model=mal-realtime-simple`, {
      headers: { Authorization: 'Bearer swaram_wrong_key_9876' },
    });
    ws.on('error', () => undefined);
    expect(await closeOf(ws)).toBe(4001);
    const line = (await refusedLine).split('\n').find((l) => l.includes('refused'))!;
    expect(line).toMatch(/^sess_\w+ refused \(key swaram_…9876\): close 4001 \(invalid api key\)$/);
    expect(line).not.toContain('swaram_wrong_key_9876');
    const lines = (await stdout).trim().split('\n');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { note?: string }).note === 'refused')).toBe(true);
  }, 30_000);

  it('--tls writes the certificate to --cert-out, says how to trust it, and the banner snippet works as printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swaram-tls-'));
    const certFile = join(dir, 'mock.pem');
    const child = startCli('swaram-mock', ['--port', '0', '--tls', '--cert-out', certFile]);
    children.push(child);
    const banner = await waitFor(child.stdout, /Ctrl-C stops it/, 60_000);
    expect(readFileSync(certFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${certFile}`);
    expect(banner).toContain(`SSL_CERT_FILE=${certFile}`);
    expect(banner).toMatch(/on wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime/);

    // The snippet, verbatim, in a folder where ws is installed (this repository).
    const snippet = banner
      .split('try it')[1]!
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('    '))
      .join('\n');
    expect(snippet).toContain('readFileSync');
    const node = spawn(process.execPath, ['-e', snippet], { cwd: ROOT, stdio: 'pipe' });
    try {
      const out = await waitFor(node.stdout, /session\.updated/);
      expect(out).toContain('session.created');
    } finally {
      node.kill();
    }
  }, 90_000);
});
