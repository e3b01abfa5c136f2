import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { TargetSpec } from './resolve-target.js';
import { Target, type TimedObservation } from './target.js';
import { TargetError, TargetErrorCode } from './target-error.js';

/*
 * Fake adapters are small Node scripts run with `node -e`: each test states exactly what the
 * adapter does on its pipes.
 */

const PRELUDE = `
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const hello = (extra = {}) => out({ type: 'hello', protocol: 'swaram-adapter/1',
  client: { name: 'fake', version: '1.0.0' }, features: ['tools', 'cancel'], ...extra });
const lines = (fn) => require('node:readline').createInterface({ input: process.stdin })
  .on('line', (l) => fn(JSON.parse(l))).on('close', () => process.exit(0));
`;

/** An adapter that answers every command `ok` and exits on shutdown. */
const POLITE = `${PRELUDE}
hello();
lines((cmd) => {
  if (cmd.type === 'connect') {
    out({ type: 'reply', id: cmd.id, ok: true });
    out({ type: 'connection', state: 'connecting', attempt: 1 });
    out({ type: 'connection', state: 'ready', attempt: 1 });
  } else if (cmd.type === 'commit') {
    out({ type: 'reply', id: cmd.id, ok: false, error: { code: 'unsupported', message: 'no ptt' } });
  } else if (cmd.type === 'shutdown') {
    out({ type: 'reply', id: cmd.id, ok: true });
    process.exit(0);
  } else {
    out({ type: 'reply', id: cmd.id, ok: true });
  }
});
`;

function spec(script: string, overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    name: 'fake',
    mode: 'adapter',
    command: process.execPath,
    args: ['-e', script],
    cwd: tmpdir(),
    env: {},
    source: 'command',
    ...overrides,
  };
}

const targets: Target[] = [];

function target(script: string, options: ConstructorParameters<typeof Target>[1] = {}) {
  const t = new Target(spec(script), { shutdownTimeoutMs: 500, termTimeoutMs: 500, ...options });
  targets.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.stop()));
});

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 is the state; a zombie (Z) or dead (X) process is not running.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejection(promise: Promise<unknown>): Promise<TargetError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TargetError);
    return err as TargetError;
  }
  throw new Error('expected a rejection');
}

describe('Target handshake', () => {
  it('reads the hello and its features', async () => {
    const t = target(POLITE);
    const hello = await t.start();
    expect(hello?.client.name).toBe('fake');
    expect(t.supports('tools')).toBe(true);
    expect(t.supports('push-to-talk')).toBe(false);
    expect(t.running).toBe(true);
    const exit = await t.stop();
    expect(exit).toMatchObject({ how: 'shutdown', code: 0 });
    expect(t.findings).toEqual([]);
  });

  it('fails clearly when the adapter is silent, and kills it', async () => {
    const t = target(`console.error('waiting for input'); setInterval(() => {}, 1000);`, {
      handshakeTimeoutMs: 300,
    });
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.HandshakeTimeout);
    expect(err.message).toContain('said nothing on stdout within 300 ms');
    expect(err.message).toContain('"type":"hello"');
    expect(err.message).toContain('flush');
    expect(err.message).toContain('waiting for input');
    expect(t.exit).toBeDefined();
  });

  it('fails clearly on garbage before the hello', async () => {
    const t = target(`console.log('Listening on port 3000'); setInterval(() => {}, 1000);`);
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.HandshakeGarbage);
    expect(err.message).toContain('"Listening on port 3000"');
    expect(err.message).toContain('write logs to stderr');
    expect(t.exit).toBeDefined();
  });

  it('fails when the first message is not a hello', async () => {
    const t = target(
      `${PRELUDE} out({ type: 'connection', state: 'open', attempt: 1 }); setInterval(() => {}, 1000);`,
    );
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.HandshakeInvalid);
    expect(err.message).toContain('must be hello, got type "connection"');
  });

  it('fails on an invalid hello, naming the field', async () => {
    const t = target(
      `${PRELUDE} out({ type: 'hello', protocol: 'swaram-adapter/1', features: [] }); setInterval(() => {}, 1000);`,
    );
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.HandshakeInvalid);
    expect(err.message).toContain("must have required property 'client'");
  });

  it('says which version it expected and which it saw', async () => {
    const t = target(
      `${PRELUDE} hello({ protocol: 'swaram-adapter/2' }); setInterval(() => {}, 1000);`,
    );
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.HandshakeVersion);
    expect(err.message).toContain('"swaram-adapter/2"');
    expect(err.message).toContain('"swaram-adapter/1"');
  });

  it('reports an exit before the hello with the tail of stderr', async () => {
    const t = target(`console.error('ImportError: no module named swaram'); process.exit(3);`);
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.ExitedEarly);
    expect(err.message).toContain('status 3');
    expect(err.message).toContain('ImportError: no module named swaram');
  });

  it('reports a command that cannot be started', async () => {
    const t = new Target(spec('', { command: '/nonexistent/adapter', args: [] }));
    targets.push(t);
    const err = await rejection(t.start());
    expect(err.code).toBe(TargetErrorCode.SpawnFailed);
    expect(err.message).toContain('/nonexistent/adapter');
  });
});

describe('Target commands and observations', () => {
  it('pairs replies by id and stamps observations with the caller clock', async () => {
    let tick = 1000;
    const t = target(POLITE, { now: () => ++tick });
    await t.start();
    const seen: TimedObservation[] = [];
    t.on('observation', (o) => seen.push(o));
    const ready = t.waitForObservation((o) => o.type === 'connection' && o.state === 'ready', 2000);
    const { reply, at } = await t.request({
      type: 'connect',
      url: 'ws://127.0.0.1:1/v1/realtime',
      apiKey: 'swaram_test',
      model: 'mal-realtime-simple',
    });
    expect(reply).toEqual({ type: 'reply', id: 1, ok: true });
    expect(at).toBeGreaterThan(1000);
    const readyObservation = await ready;
    expect(readyObservation.observation).toEqual({
      type: 'connection',
      state: 'ready',
      attempt: 1,
    });
    expect(seen.map((o) => o.observation.type)).toEqual(['connection', 'connection']);
    expect(seen[1]!.seq).toBeGreaterThan(seen[0]!.seq);
    expect(seen[0]!.at).toBeGreaterThan(1000);

    const refused = await t.request({ type: 'commit' });
    expect(refused.reply).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(t.journal.map((j) => `${j.dir}:${String(j.message.type)}`)).toContain(
      'to-adapter:connect',
    );
  });

  it('records a refusal of a fire-and-forget command as a finding', async () => {
    const t = target(POLITE);
    await t.start();
    const id = t.send({ type: 'commit' });
    await new Promise<void>((resolve) => t.on('reply', (r) => r.reply.id === id && resolve()));
    expect(t.findings).toMatchObject([{ code: 'command-rejected' }]);
    expect(t.findings[0]!.message).toContain('commit');
  });

  it('elides audio in the journal', async () => {
    const t = target(POLITE);
    await t.start();
    await t.request({ type: 'mic.audio', audio: 'AAAAAA==' });
    expect(t.journal.find((j) => j.message.type === 'mic.audio')?.message).toEqual({
      type: 'mic.audio',
      id: 1,
      audioBytes: 4,
    });
  });

  it('refuses commands that do not match the protocol (a runner bug)', async () => {
    const t = target(POLITE);
    await t.start();
    expect(() => t.send({ type: 'mic.audio', audio: 'not base64!' })).toThrow(
      /invalid_command|does not match/,
    );
    expect(() =>
      t.send({ type: 'bogus' } as unknown as Parameters<Target['send']>[0]),
    ).toThrowError(TargetError);
  });

  it('refuses commands before start', () => {
    const t = target(POLITE);
    expect(() => t.send({ type: 'end' })).toThrow(/not started/);
  });

  it('records invalid lines as findings and keeps going', async () => {
    const t = target(`${PRELUDE}
hello();
lines((cmd) => {
  if (cmd.type === 'connect') {
    console.log('debug: connecting');
    out({ nope: 1 });
    out({ type: 'bogus' });
    out({ type: 'connect', id: 9 });
    out({ type: 'connection', state: 'weird', attempt: 0 });
    out({ type: 'reply', id: 999, ok: true });
    out({ type: 'reply', id: null, ok: false, error: { code: 'invalid_json', message: 'eh' } });
    out({ type: 'hello', protocol: 'swaram-adapter/1', client: { name: 'x', version: '1' }, features: [] });
    out({ type: 'transcript', role: 'user', item_id: 'item_1', text: 'hi', final: true, extra: 'ignored' });
  }
  out({ type: 'reply', id: cmd.id, ok: true });
  if (cmd.type === 'shutdown') process.exit(0);
});`);
    await t.start();
    const transcript = t.waitForObservation((o) => o.type === 'transcript', 2000);
    await t.request({ type: 'connect', url: 'ws://x', apiKey: 'k', model: 'm' });
    expect((await transcript).observation).toMatchObject({ text: 'hi', extra: 'ignored' });
    expect(t.findings.map((f) => f.code)).toEqual([
      'invalid-json',
      'missing-type',
      'unknown-type',
      'unknown-type',
      'invalid-message',
      'unexpected-reply',
      'unexpected-reply',
      'hello-again',
    ]);
    expect(t.findings[0]!.line).toBe('debug: connecting');
    expect(t.findings[3]!.message).toContain('runner → adapter command');
    expect(t.findings[4]!.issues?.map((i) => i.path)).toEqual(['/state', '/attempt']);
    expect(t.running).toBe(true);
  });

  it('times out a request, then records the late reply', async () => {
    const t = target(`${PRELUDE}
hello();
lines((cmd) => {
  const reply = () => out({ type: 'reply', id: cmd.id, ok: true });
  if (cmd.type === 'interrupt') setTimeout(reply, 400); else reply();
  if (cmd.type === 'shutdown') process.exit(0);
});`);
    await t.start();
    const err = await rejection(t.request({ type: 'interrupt' }, { timeoutMs: 100 }));
    expect(err.code).toBe(TargetErrorCode.RequestTimeout);
    await new Promise((r) => setTimeout(r, 500));
    expect(t.findings.map((f) => f.code)).toEqual(['request-timeout', 'late-reply']);
  });

  it('reports fire-and-forget commands that were never answered when it stops', async () => {
    const t = target(
      `${PRELUDE}
hello();
lines((cmd) => {
  if (cmd.type === 'shutdown') { out({ type: 'reply', id: cmd.id, ok: true }); process.exit(0); }
});`,
      { requestTimeoutMs: 50 },
    );
    await t.start();
    t.send({ type: 'mic.end' });
    await new Promise((r) => setTimeout(r, 100));
    await t.stop();
    expect(t.findings).toMatchObject([
      { code: 'request-timeout', message: 'no reply to mic.end (id 1) within 50 ms' },
    ]);
  });

  it('iterates observations until the process exits on its own', async () => {
    const t = target(`${PRELUDE}
hello();
lines((cmd) => {
  out({ type: 'reply', id: cmd.id, ok: true });
  if (cmd.type === 'end') {
    out({ type: 'connection', state: 'closed', attempt: 1, code: 1000, by: 'client' });
    console.error('bye');
    process.exit(7);
  }
});`);
    await t.start();
    const iterator = t.observations();
    t.send({ type: 'end' });
    const got: string[] = [];
    for await (const { observation } of iterator) got.push(observation.type);
    expect(got).toEqual(['connection']);
    expect(t.exit).toMatchObject({ code: 7, how: 'self' });
    expect(t.findings.at(-1)).toMatchObject({ code: 'exited' });
    expect(t.log.tail()).toContain('bye');
    const err = await rejection(t.request({ type: 'end' }));
    expect(err.code).toBe(TargetErrorCode.NotRunning);
  });

  it('rejects a waiting request when the process dies', async () => {
    const t = target(`${PRELUDE}
hello();
lines((cmd) => { if (cmd.type === 'connect') process.exit(1); });`);
    await t.start();
    const err = await rejection(
      t.request({ type: 'connect', url: 'ws://x', apiKey: 'k', model: 'm' }),
    );
    expect(err.code).toBe(TargetErrorCode.Exited);
    expect(err.message).toContain('status 1');
  });
});

describe('Target stderr and stop', () => {
  it('keeps the last stderr lines in a ring buffer', async () => {
    const t = target(
      `${PRELUDE} for (let i = 0; i < 50; i++) console.error('line ' + i); hello(); lines(() => {});`,
      { log: { capacity: 10 } },
    );
    await t.start();
    await until(() => t.log.entries().at(-1)?.text === 'line 49');
    const entries = t.log.entries();
    expect(entries).toHaveLength(10);
    expect(entries.at(-1)?.text).toBe('line 49');
    expect(entries.at(-1)?.stream).toBe('stderr');
    expect(t.log.dropped).toBe(40);
  });

  it('escalates to SIGTERM, then SIGKILL, for an adapter that ignores shutdown', async () => {
    const t = target(
      `${PRELUDE} process.on('SIGTERM', () => console.error('ignoring SIGTERM'));
       hello(); process.stdin.on('data', () => {}); process.stdin.on('end', () => {}); setInterval(() => {}, 1000);`,
      { shutdownTimeoutMs: 200, termTimeoutMs: 200 },
    );
    await t.start();
    const pid = t.pid!;
    const exit = await t.stop();
    expect(exit).toMatchObject({ how: 'sigkill', signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    expect(t.log.tail()).toContain('ignoring SIGTERM');
  });

  it('stops with SIGTERM when the adapter ignores shutdown but not signals', async () => {
    const t = target(
      `${PRELUDE} hello(); process.stdin.on('data', () => {}); setInterval(() => {}, 1000);`,
      {
        shutdownTimeoutMs: 200,
      },
    );
    await t.start();
    expect(await t.stop()).toMatchObject({ how: 'sigterm', signal: 'SIGTERM' });
  });

  it('kills what the adapter left behind in its process group', async () => {
    const t = target(`${PRELUDE}
const child = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.error('grandchild ' + child.pid);
hello();
lines((cmd) => { if (cmd.type === 'shutdown') { out({ type: 'reply', id: cmd.id, ok: true }); process.exit(0); } });`);
    await t.start();
    await until(() => /grandchild (\d+)/.test(t.log.tail()));
    const match = /grandchild (\d+)/.exec(t.log.tail());
    expect(match).not.toBeNull();
    const grandchild = Number(match![1]);
    expect(isAlive(grandchild)).toBe(true);
    expect(await t.stop()).toMatchObject({ how: 'shutdown', code: 0 });
    // SIGKILL is sent when stop() returns, but the process dies when the kernel next runs it:
    // a loaded machine can take longer than a fixed 50 ms. Left alone it never exits.
    await until(() => !isAlive(grandchild));
    expect(isAlive(grandchild)).toBe(false);
  });

  it('is idempotent and works before start', async () => {
    const never = target(POLITE);
    expect(await never.stop()).toMatchObject({ how: 'never-started' });
    const t = target(POLITE);
    await t.start();
    const [a, b] = await Promise.all([t.stop(), t.stop()]);
    expect(a).toBe(b);
  });
});

describe('Target wire-only mode', () => {
  it('passes the endpoint in the environment and captures stdout as log', async () => {
    const t = new Target(
      spec(
        `console.log('url=' + process.env.SWARAM_URL + ' key=' + process.env.SWARAM_API_KEY + ' model=' + process.env.SWARAM_MODEL); setInterval(() => {}, 1000);`,
        {
          mode: 'wire',
        },
      ),
      { wire: { url: 'ws://127.0.0.1:9/v1/realtime', apiKey: 'swaram_k' }, termTimeoutMs: 500 },
    );
    targets.push(t);
    expect(await t.start()).toBeUndefined();
    await until(() => t.log.entries().length > 0);
    expect(t.log.entries()).toMatchObject([
      {
        stream: 'stdout',
        text: 'url=ws://127.0.0.1:9/v1/realtime key=swaram_k model=mal-realtime-simple',
      },
    ]);
    expect(() => t.send({ type: 'end' })).toThrow(/wire-only/);
    expect(await t.stop()).toMatchObject({ how: 'sigterm' });
  });
});
