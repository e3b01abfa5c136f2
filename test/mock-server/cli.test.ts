import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatPcm, silence, tone } from '../../protocol/audio/index.js';
import { MOCK_BIN as BIN, spawnMockCli } from '../support/mock-cli.js';
import { TestClient } from '../support/test-client.js';

describe('swaram-mock CLI', () => {
  it('--help documents every option and the fault syntax', () => {
    const r = spawnSync(process.execPath, [...BIN, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const option of [
      '--fixture',
      '--port',
      '--host',
      '--mode',
      '--speed',
      '--keys',
      '--credits',
      '--max-connections',
      '--capacity',
      '--tls',
      '--cert',
      '--key',
      '--token-ttl',
      '--idle-timeout',
      '--fault',
      '--log',
      '--quiet',
    ]) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).toContain('close:1013@delta:5');
  });

  it('refuses a bad fault and an unknown fixture with a message that says what to do', () => {
    const fault = spawnSync(process.execPath, [...BIN, '--port', '0', '--fault', 'close@connect'], {
      encoding: 'utf8',
    });
    expect(fault.status).toBe(2);
    expect(fault.stderr).toContain('close needs a code');
    const fixture = spawnSync(
      process.execPath,
      [...BIN, '--port', '0', '--fixture', 'no-such-fixture'],
      { encoding: 'utf8' },
    );
    expect(fixture.status).not.toBe(0);
    expect(fixture.stderr).toContain('no-such-fixture');
  });

  it('serves, logs one redacted JSON line per frame, prints a session summary and stops cleanly on SIGINT', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'swaram-cli-')), 'frames.jsonl');
    const mock = await spawnMockCli(['--port', '0', '--speed', '20', '--log', log]);
    const { child, url } = mock;
    expect(mock.stdout()).toContain('swaram_test_key');
    const c = await TestClient.connect(url, { key: 'swaram_test_key' });
    c.send({ type: 'session.update', session: {} });
    await c.next('session.updated');
    c.sendAudio(concatPcm(silence(200), tone(440, 500, -10), silence(700)));
    await c.next('response.done', 1, 15_000);
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(mock.stderr()).toMatch(
      /sess_\w+ \(simple, key swaram_\*\*\*\): .*1 user turn\(s\), 1 response\(s\)/,
    );

    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const frames = lines.filter((l) => l.dir);
    expect(frames.some((l) => l.dir === 'in' && l.type === 'input_audio_buffer.append')).toBe(true);
    expect(frames.some((l) => l.dir === 'out' && l.type === 'response.output_audio.delta')).toBe(
      true,
    );
    for (const l of frames)
      expect(l).toMatchObject({
        session: expect.stringMatching(/^sess_/),
        size: expect.any(Number),
      });
    const append = frames.find((l) => l.type === 'input_audio_buffer.append')!;
    expect((append.event as { audio: string }).audio).toMatch(/^<\d+ bytes of audio>$/);
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain('swaram_test_key');
  }, 30_000);
});
