import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/*
 * A scriptable stand-in for swaram, for unit tests of the reference client: it records every
 * client frame and sends whatever the test says. It knows nothing of swaram's behaviour (the
 * real mock lives in mock-server/); tests play the server's part by hand.
 */

/** A client event as received, with its raw text. */
export type Received = { readonly type: string; readonly text: string } & Readonly<
  Record<string, unknown>
>;

/** One client connection to the {@link FakeSwaramServer}. */
export class FakeConnection {
  /** Every text frame the client sent, parsed, in order. */
  readonly received: Received[] = [];
  /** Resolves when the connection closed: the close code and reason as the server saw them. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];
  private seq = 0;

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    readonly number: number,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = String(data);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { type: '<not json>' };
      }
      this.received.push({ ...parsed, type: String(parsed.type), text });
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
  }

  /** Client events of one type received so far. */
  all(type: string): Received[] {
    return this.received.filter((e) => e.type === type);
  }

  /** Waits until `count` events of `type` were received; returns the last of them. */
  async next(type: string, count = 1, timeoutMs = 3_000): Promise<Received> {
    const found = await this.until(() => this.all(type).length >= count, timeoutMs, type);
    void found;
    return this.all(type)[count - 1] as Received;
  }

  /** Waits until `predicate` holds (checked whenever something arrives). */
  async until(predicate: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; received: ${this.received.map((e) => e.type).join(', ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a server event (an `event_id` is added when missing). */
  send(event: Record<string, unknown>): void {
    const withId = 'event_id' in event ? event : { event_id: `evt_srv_${++this.seq}`, ...event };
    this.socket.send(JSON.stringify(withId));
  }

  /** Sends a text frame as it is. */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** Waits for `session.update`, then answers `session.created` and `session.updated`. */
  async acceptSession(): Promise<Received> {
    const update = await this.next('session.update');
    this.send({ type: 'session.created', session: { id: `sess_${this.number}` } });
    this.send({ type: 'session.updated', session: update.session ?? {} });
    return update;
  }

  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A WebSocket server on 127.0.0.1, port 0, that hands each connection to the test. */
export class FakeSwaramServer {
  readonly connections: FakeConnection[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (socket, request) => {
      this.connections.push(new FakeConnection(socket, request, this.connections.length + 1));
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  static async start(): Promise<FakeSwaramServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeSwaramServer(wss);
  }

  /** The realtime endpoint. */
  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/realtime`;
  }

  /** Waits for connection number `n` (1-based). */
  async connection(n = 1, timeoutMs = 3_000): Promise<FakeConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for connection ${n}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.connections[n - 1] as FakeConnection;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
