import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { silence } from '../../protocol/audio/index.js';
import { alive, MOCK_BIN as BIN, spawnMockCli } from '../support/mock-cli.js';
import { TestClient } from '../support/test-client.js';

/**
 * `swaram-mock --workers 2` through the real CLI: the limits and credits stay exact across the
 * worker processes, refusals send what one process sends, /health and the look-ins are merged,
 * and a stop leaves no process behind.
 */

interface Cluster {
  child: ChildProcess;
  url: string;
  http: string;
  stderr: () => string;
  /** The worker processes' pids. */
  workers: number[];
}

const started: Cluster[] = [];

afterEach(async () => {
  for (const c of started.splice(0)) {
    if (c.child.exitCode === null) {
      c.child.kill('SIGTERM');
      await exited(c.child);
    }
  }
});

async function startCluster(args: string[]): Promise<Cluster> {
  // Shedding off unless a test asks for it: the verdicts must not depend on the machine's load.
  const shed = args.some((a) => a.startsWith('--shed')) ? [] : ['--no-shed'];
  const { child, url, stdout, stderr } = await spawnMockCli(
    ['--port', '0', '--workers', '2', ...shed, ...args],
    30_000,
  );
  expect(stdout()).toContain('workers:   2 processes');
  const cluster: Cluster = {
    child,
    url,
    http: url.replace(/^ws/, 'http').replace('/v1/realtime', ''),
    stderr,
    workers: childrenOf(child.pid!),
  };
  started.push(cluster);
  expect(cluster.workers).toHaveLength(2);
  return cluster;
}

/** The worker processes of `pid` (under tsx it has another child: esbuild's service). */
function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('cluster-worker'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function health(c: Cluster): Promise<{
  liveSessions: number;
  totalSessions: number;
  pacing: { count: number };
  processes: Array<{ role: string; pid: number; rssBytes: number }>;
  workers: Array<{ pid: number; liveSessions: number }>;
}> {
  return (await (await fetch(`${c.http}/health`)).json()) as never;
}

/** Polls `/health` until `check` holds (the workers report ends asynchronously). */
async function healthUntil(c: Cluster, check: (h: Awaited<ReturnType<typeof health>>) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const h = await health(c);
    if (check(h)) return h;
    if (Date.now() > deadline) throw new Error(`health never matched: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens `n` connections at once; each ends admitted (session.created) or closed. */
async function connectAll(c: Cluster, n: number, key: string): Promise<TestClient[]> {
  const clients = await Promise.all(
    Array.from({ length: n }, () => TestClient.connect(c.url, { key })),
  );
  // A refused one closes (with or without an error event first); an admitted one gets
  // session.created.
  await Promise.all(
    clients.map((x) =>
      x
        .until((e) => e.some((ev) => ev.type === 'session.created'), 'session.created')
        .catch(() => x.closed()),
    ),
  );
  return clients;
}

/** Resolves when the server has taken every frame sent before: it answers a ping after them. */
function taken(client: TestClient): Promise<void> {
  return new Promise((resolve) => {
    client.ws.once('pong', () => resolve());
    client.ws.ping();
  });
}

// Each test starts three processes (under tsx): slow on a loaded machine.
describe('swaram-mock --workers 2', { timeout: 60_000 }, () => {
  it('--workers is taught by --help and checked: a whole number, not with --tls or --log', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [...BIN, ...args], { encoding: 'utf8' });
    expect(run(['--help']).stdout).toMatch(/--workers\s+processes that run the sessions/);
    const zero = run(['--port', '0', '--workers', '0']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain('--workers must be a whole number from 1 to');
    const tls = run(['--port', '0', '--workers', '2', '--tls']);
    expect(tls.status).toBe(2);
    expect(tls.stderr).toContain('a TLS session cannot be handed to another process');
    const log = run(['--port', '0', '--workers', '2', '--log', '-']);
    expect(log.status).toBe(2);
    expect(log.stderr).toContain('--workers 2 cannot --log frames');
  });

  it('spreads sessions over both workers; /health counts them in the primary, merged', async () => {
    const c = await startCluster(['--speed', '20']);
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => TestClient.connect(c.url, { key: 'swaram_test_key' })),
    );
    await Promise.all(clients.map((x) => x.next('session.created')));
    const h = await healthUntil(c, (x) => x.workers.every((w) => w.liveSessions === 2));
    expect(h.liveSessions).toBe(4);
    expect(h.totalSessions).toBe(4);
    expect(h.workers.map((w) => w.pid).sort()).toEqual([...c.workers].sort());
    expect(h.processes.map((p) => p.role)).toEqual(['primary', 'worker', 'worker']);
    // A reply in one session: its paced deltas show in the merged pacing figures.
    clients[0]!.send({ type: 'response.create' });
    await clients[0]!.next('response.done', 1, 15_000);
    expect((await health(c)).pacing.count).toBeGreaterThan(0);
    for (const x of clients) x.close();
    await healthUntil(
      c,
      (x) => x.liveSessions === 0 && x.workers.every((w) => w.liveSessions === 0),
    );
  });

  it('keeps --max-connections and --capacity exact across workers, refusing with the frames of one process', async () => {
    const c = await startCluster([
      '--max-connections',
      '3',
      '--capacity',
      '4',
      '--keys',
      'k1',
      'k2',
    ]);
    const k1 = await connectAll(c, 5, 'k1');
    const admitted = k1.filter((x) => x.types()[0] === 'session.created');
    const refused = k1.filter((x) => x.closeCode === 4008);
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.types()).toEqual(['error']);
      expect((r.events[0]!.error as { code: string }).code).toBe('too_many_connections');
    }
    // Capacity 4: one more key's first connection fits, its second gets 1013 and nothing else.
    const fourth = await TestClient.connect(c.url, { key: 'k2' });
    await fourth.next('session.created');
    const busy = await TestClient.connect(c.url, { key: 'k2' });
    expect(await busy.closed()).toBe(1013);
    expect(busy.types()).toEqual([]);
    // A session that ends frees its place once its worker says so.
    admitted[0]!.close();
    await healthUntil(c, (h) => h.liveSessions === 3);
    const again = await TestClient.connect(c.url, { key: 'k2' });
    await again.next('session.created');
    expect(c.stderr()).toMatch(/refused \(key .*\): close 4008/);
  });

  it("keeps a key's credits exact: its sessions share one account, cut with 4003 when it is spent", async () => {
    const c = await startCluster(['--credits', '1']);
    const key = 'swaram_test_key';
    const a = await TestClient.connect(c.url, { key });
    const b = await TestClient.connect(c.url, { key });
    await Promise.all([a.next('session.created'), b.next('session.created')]);
    // 700 ms of silence in A, then 200 ms in B: 900 of the key's 1000 ms.
    a.sendAudio(silence(700));
    await taken(a);
    b.sendAudio(silence(200));
    await taken(b);
    // 200 ms more in B passes the key's second: B is cut as one process cuts it (two
    // accounts, one per worker, would have let B go on).
    b.sendAudio(silence(200));
    expect(await b.closed()).toBe(4003);
    const last = b.events[b.events.length - 1]!;
    expect((last.error as { code: string }).code).toBe('insufficient_credits');
    // A spends nothing more and lives on; a new connection of the key is refused at once.
    await taken(a);
    expect(a.closeCode).toBeUndefined();
    const late = await TestClient.connect(c.url, { key });
    expect(await late.closed()).toBe(4003);
    expect(late.types()).toEqual(['error']);
  });

  it('sheds load per worker: each is one event loop with its own CPU budget', async () => {
    // A budget under one session's prior cost: a worker admits its first session, sheds the next.
    const c = await startCluster(['--shed-cpu', '0.001']);
    const clients = await connectAll(c, 3, 'swaram_test_key');
    const codes = clients.map((x) => x.closeCode ?? x.types()[0]);
    expect(codes.filter((x) => x === 'session.created')).toHaveLength(2);
    const shed = clients.find((x) => x.closeCode === 1013)!;
    expect(shed.types()).toEqual([]);
    await healthUntil(c, (h) => h.liveSessions === 2);
  });

  it('merges the look-ins: GET /sessions from every process by number, frames from the worker that has them', async () => {
    const c = await startCluster(['--max-connections', '2']);
    const auth = { authorization: 'Bearer swaram_test_key' };
    const clients = await connectAll(c, 3, 'swaram_test_key');
    const live = clients.filter((x) => x.types()[0] === 'session.created');
    expect(live).toHaveLength(2);
    const body = (await (await fetch(`${c.http}/sessions`, { headers: auth })).json()) as {
      sessions: Array<{ id: string; number: number; state: string; refused?: unknown }>;
    };
    expect(body.sessions.map((s) => s.number)).toEqual([1, 2, 3]);
    expect(body.sessions.filter((s) => s.refused)).toHaveLength(1);
    const one = body.sessions.find((s) => !s.refused)!;
    const frames = (await (
      await fetch(`${c.http}/sessions/${one.id}/frames?dir=out`, { headers: auth })
    ).json()) as { frames: Array<{ type: string }> };
    expect(frames.frames[0]!.type).toBe('session.created');
    const unauthorised = await fetch(`${c.http}/sessions`);
    expect(unauthorised.status).toBe(401);
    const reset = await fetch(`${c.http}/reset`, { method: 'POST', headers: auth });
    expect(reset.status).toBe(200);
  });

  it('reports a worker that dies and counts its sessions ended; SIGTERM then closes the rest with 1001 and leaves no worker', async () => {
    const c = await startCluster([]);
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => TestClient.connect(c.url, { key: 'swaram_test_key' })),
    );
    await Promise.all(clients.map((x) => x.next('session.created')));
    await healthUntil(c, (h) => h.workers.every((w) => w.liveSessions === 2));
    process.kill(c.workers[0]!, 'SIGKILL');
    const h = await healthUntil(c, (x) => x.liveSessions === 2);
    expect(h.workers).toHaveLength(1);
    expect(c.stderr()).toMatch(
      /worker \d \(pid \d+\) exited \(SIGKILL\); its 2 session\(s\) are counted ended/,
    );
    const survivors = clients.filter((x) => x.closeCode === undefined);
    expect(survivors).toHaveLength(2);
    c.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((x) => x.closed()))).toEqual([1001, 1001]);
    expect(await exited(c.child)).toBe(0);
    expect(c.workers.filter(alive)).toEqual([]);
  });

  it('stops cleanly when the workers get the same SIGTERM as the primary (a process group stopped)', async () => {
    const c = await startCluster([]);
    // As `timeout`, `docker stop` or npm exec do: every process of the group at once.
    for (const pid of [...c.workers, c.child.pid!]) process.kill(pid, 'SIGTERM');
    const code = await exited(c.child);
    expect(c.stderr()).not.toMatch(/EPIPE|Unhandled|ERR_IPC/);
    expect(code).toBe(0);
    expect(c.workers.filter(alive)).toEqual([]);
  });
});
