import WebSocket from 'ws';
import { chunkPcm, type Pcm16 } from '../../protocol/audio/index.js';

/** A server event as a test sees it. */
export type Received = { type: string; [key: string]: unknown };

/**
 * A bare WebSocket client for integration tests: records every event, waits for types and
 * closes, sends audio. Not an SDK: it does exactly what the test says, nothing more.
 */
export class TestClient {
  readonly events: Received[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.events.push(JSON.parse(data.toString()) as Received);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  /** Connects with a Bearer key (or other options) and waits for the socket to open. */
  static async connect(
    url: string,
    opts: {
      key?: string;
      model?: string;
      query?: Record<string, string>;
      protocols?: string[];
      headers?: Record<string, string>;
      ca?: string;
    } = {},
  ): Promise<TestClient> {
    const u = new URL(url);
    u.searchParams.set('model', opts.model ?? 'mal-realtime-simple');
    for (const [k, v] of Object.entries(opts.query ?? {})) u.searchParams.set(k, v);
    const headers = {
      ...(opts.key ? { Authorization: `Bearer ${opts.key}` } : {}),
      ...opts.headers,
    };
    const ws = new WebSocket(u, opts.protocols ?? [], {
      headers,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(event: Record<string, unknown> | string): void {
    this.ws.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** Sends PCM as appends of `chunkMs` (as fast as the socket takes them: the VAD runs on audio time). */
  sendAudio(pcm: Pcm16, chunkMs = 100): void {
    for (const audio of chunkPcm(pcm, chunkMs))
      this.send({ type: 'input_audio_buffer.append', audio });
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  of(type: string): Received[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Waits until `predicate` holds over the events so far. */
  async until(
    predicate: (events: Received[]) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.closeCode !== undefined)
        throw new Error(
          `closed (${this.closeCode}) while waiting for ${what}; saw ${this.types().join(', ')}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; saw ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the `n`-th event of `type` (1-based) and returns it. */
  async next(type: string, n = 1, timeoutMs?: number): Promise<Received> {
    await this.until(
      (e) => e.filter((x) => x.type === type).length >= n,
      `${type} #${n}`,
      timeoutMs,
    );
    return this.of(type)[n - 1]!;
  }

  /** Waits for the socket to close; returns the code. */
  async closed(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error(`not closed; saw ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closeCode;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
