import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { LatenessRecorder } from '../../mock-server/scheduler.js';
import { pcmToBase64, silence, tone, BYTES_PER_MS } from '../../protocol/audio/index.js';
import { ProcessMeter, type ProcessCost } from './process-meter.js';

/**
 * One load-generating client process (forked by `load-fleet.ts`): it opens its share of
 * sessions and plays a caller on each, in real time:
 *
 * - the microphone streams all the time, in paced `input_audio_buffer.append`s of 20–100 ms
 *   (silence, so the mock's VAD runs on every input without hearing a turn);
 * - a reply is asked for whenever the last one ended (`response.create`), so reply audio flows
 *   all the time; tool calls are answered (`conversation.item.create`);
 * - the lateness of every `response.output_audio.delta` is measured here, at the client: its
 *   arrival against its schedule (the reply's first delta's arrival plus the audio ms of the
 *   deltas before it, divided by the reply rate).
 *
 * Soak behaviours (off unless asked): barge-ins (a tone in the microphone during a reply),
 * reconnects (each session ends after a random lifetime and a new one takes its place), hangs
 * (a session stops reading its socket for a while), and malformed frames.
 */

/** What the fleet tells a client process to do. */
export interface LoadClientConfig {
  url: string;
  sessions: number;
  /** New sessions per second, this process. */
  rampPerSecond: number;
  /** Audio ms per wall ms in replies (fixture rate × mock speed); lateness uses it. */
  replyRate: number;
  /** Idle sessions: connected, silent, asking for nothing (memory per idle session). */
  idle?: boolean;
  /** Soak behaviours; absent: plain talking sessions. */
  soak?: {
    /** Mean ms between barge-ins of one session. */
    bargeInEveryMs: number;
    /** A session's lifetime, ms (uniform in [min, max]); then it closes and reconnects. */
    lifetimeMs: [number, number];
    /** Chance a session hangs (stops reading) once in its life, and the hang's ms range. */
    hangChance: number;
    hangMs: [number, number];
    /** Chance per reply of sending a malformed frame. */
    badFrameChance: number;
  };
}

/** What a client process reports. */
export interface LoadClientReport {
  opened: number;
  /** Connections refused or closed at connect, by close code. */
  refused: Record<string, number>;
  /** Admitted sessions closed by the server, by close code (reconnects and ours excluded). */
  closedByServer: Record<string, number>;
  /** Connections that neither opened nor closed within 10 s. */
  stuckConnecting: number;
  deltas: number;
  responses: number;
  /** Replies asked for and not done within 10 s of their last event. */
  stuckResponses: number;
  appends: number;
  bargeIns: number;
  toolOutputs: number;
  reconnects: number;
  badFrames: number;
  errors: number;
  hangs: number;
  /** Longest hang (ms not reading) after which the session went on receiving. */
  longestHangSurvivedMs: number;
  lateness: { buckets: Array<[number, number]>; max: number };
  /** This process's own cost and health over the window (its loop's delay delays its stamps). */
  cost: ProcessCost;
  /** The max lateness of its microphone ticks, ms. */
  clientTickLateMaxMs: number;
}

type Command =
  | { cmd: 'start'; config: LoadClientConfig }
  | { cmd: 'measure' }
  | { cmd: 'report' }
  | { cmd: 'stop' };

const MIC_CHUNKS_MS = [20, 40, 60, 80, 100];
/**
 * Pre-encoded appends, one per chunk size (silence, and a tone for barge-ins), as bytes sent
 * as text frames: a string would be encoded to UTF-8 again on every send.
 */
const APPENDS = MIC_CHUNKS_MS.map((ms) => append(pcmToBase64(silence(ms))));
const SPEECH = append(pcmToBase64(tone(440, 100, -10)));
const TEXT = { binary: false } as const;
const BAD_FRAMES = [
  '{"type":"input_audio_buffer.append","audio":"not base64!"}',
  '{"type":"no.such.event"}',
  '{"type":',
];

function append(audio: string): Buffer {
  return Buffer.from(`{"type":"input_audio_buffer.append","audio":"${audio}"}`, 'latin1');
}

interface Live {
  ws: WebSocket;
  nextMicAt: number;
  /** Ms of speech still to send (a barge-in in progress). */
  speechLeftMs: number;
  firstDeltaAt: number | undefined;
  audioMsBefore: number;
  inResponse: boolean;
  lastEventAt: number;
  endsAt: number;
  hang: { at: number; ms: number } | undefined;
  hungUntil: number | undefined;
  closing: boolean;
}

class LoadClient {
  private readonly live = new Set<Live>();
  private stats = LoadClient.emptyStats();
  private lateness = new LatenessRecorder();
  private meter = new ProcessMeter();
  private stopped = false;

  constructor(private readonly config: LoadClientConfig) {}

  static emptyStats() {
    return {
      opened: 0,
      refused: {} as Record<string, number>,
      closedByServer: {} as Record<string, number>,
      stuckConnecting: 0,
      deltas: 0,
      responses: 0,
      appends: 0,
      bargeIns: 0,
      toolOutputs: 0,
      reconnects: 0,
      badFrames: 0,
      errors: 0,
      hangs: 0,
      longestHangSurvivedMs: 0,
      tickLateMaxMs: 0,
    };
  }

  /** Opens the sessions at the ramp rate; resolves when every one opened or was refused. */
  async open(): Promise<void> {
    const gapMs = 1000 / this.config.rampPerSecond;
    const t0 = performance.now();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < this.config.sessions; i++) {
      const wait = t0 + i * gapMs - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(this.connect());
    }
    await Promise.all(pending);
  }

  /** Starts a new measuring window: counts and lateness from now on. */
  measure(): void {
    this.stats = LoadClient.emptyStats();
    this.lateness.reset();
    this.meter.close();
    this.meter = new ProcessMeter();
  }

  report(): LoadClientReport {
    const now = performance.now();
    const stuckResponses = [...this.live].filter(
      (s) => s.inResponse && now - s.lastEventAt > 10_000,
    ).length;
    const { tickLateMaxMs, ...stats } = this.stats;
    return {
      ...stats,
      stuckResponses,
      lateness: this.lateness.entries(),
      cost: this.meter.read(),
      clientTickLateMaxMs: tickLateMaxMs,
    };
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.live) s.ws.terminate();
  }

  /** The microphone of every session, one shared 10 ms tick (not a timer per session). */
  runMicrophones(): void {
    let expected = performance.now() + 10;
    const tick = () => {
      if (this.stopped) return;
      const now = performance.now();
      this.stats.tickLateMaxMs = Math.max(this.stats.tickLateMaxMs, now - expected);
      for (const s of this.live) this.pump(s, now);
      expected += 10;
      if (expected < now) expected = now + 10;
      setTimeout(tick, expected - performance.now());
    };
    setTimeout(tick, 10);
  }

  private pump(s: Live, now: number): void {
    if (s.ws.readyState !== WebSocket.OPEN || s.closing) return;
    if (now >= s.endsAt) return this.reconnect(s);
    this.maybeHang(s, now);
    while (s.nextMicAt <= now) {
      let ms: number;
      if (s.speechLeftMs > 0) {
        ms = 100;
        s.speechLeftMs -= 100;
        s.ws.send(SPEECH, TEXT);
      } else {
        const k = Math.floor(Math.random() * MIC_CHUNKS_MS.length);
        ms = MIC_CHUNKS_MS[k]!;
        s.ws.send(APPENDS[k]!, TEXT);
      }
      this.stats.appends += 1;
      s.nextMicAt += ms;
    }
  }

  private connect(): Promise<void> {
    return new Promise((resolve) => {
      // The mock's frames are checked by the mock's own tests; UTF-8 checks here are the
      // load generator's CPU, not the target's.
      const ws = new WebSocket(this.config.url, { skipUTF8Validation: true });
      const now = performance.now();
      const soak = this.config.soak;
      const life = soak ? between(soak.lifetimeMs) : Infinity;
      const s: Live = {
        ws,
        nextMicAt: Infinity,
        speechLeftMs: 0,
        firstDeltaAt: undefined,
        audioMsBefore: 0,
        inResponse: false,
        lastEventAt: now,
        endsAt: now + life,
        hang:
          soak && Math.random() < soak.hangChance
            ? { at: now + Math.random() * Math.min(life, 60_000), ms: between(soak.hangMs) }
            : undefined,
        hungUntil: undefined,
        closing: false,
      };
      let admitted = false;
      const timeout = setTimeout(() => {
        this.stats.stuckConnecting += 1;
        ws.terminate();
        resolve();
      }, 10_000);
      ws.on('error', () => {});
      ws.on('message', (data: Buffer) => {
        if (!admitted) {
          admitted = true;
          clearTimeout(timeout);
          this.stats.opened += 1;
          this.live.add(s);
          if (!this.config.idle) {
            s.nextMicAt = performance.now();
            // Staggered first requests: sessions do not all reply in step.
            setTimeout(() => this.ask(s), Math.random() * 1000);
          }
          resolve();
        }
        this.onMessage(s, data);
      });
      ws.on('close', (code) => {
        clearTimeout(timeout);
        this.live.delete(s);
        if (!admitted) {
          this.stats.refused[code] = (this.stats.refused[code] ?? 0) + 1;
          resolve();
        } else if (!s.closing && !this.stopped) {
          this.stats.closedByServer[code] = (this.stats.closedByServer[code] ?? 0) + 1;
        }
        // A soak's caller dials again, after a second, whatever ended the call.
        if (this.config.soak && !s.closing && !this.stopped) {
          setTimeout(() => void this.connect(), 1000);
        }
      });
    });
  }

  private onMessage(s: Live, data: Buffer): void {
    const now = performance.now();
    s.lastEventAt = now;
    if (s.hungUntil !== undefined) {
      // The first frame read after a hang: the session survived it.
      const hungMs = now - (s.hungUntil - s.hang!.ms);
      this.stats.longestHangSurvivedMs = Math.max(this.stats.longestHangSurvivedMs, hungMs);
      s.hungUntil = undefined;
      // What piled up while it did not read arrives at once: not the mock's lateness.
      s.firstDeltaAt = undefined;
      s.audioMsBefore = 0;
    }
    // Types by substring, payloads by position: parsing every delta would make the load
    // generator, not the mock, the bottleneck.
    const head = data.toString('latin1', 0, Math.min(data.length, 80));
    if (head.includes('"response.output_audio.delta"')) return this.onDelta(s, data, now);
    if (head.includes('"response.done"')) {
      this.stats.responses += 1;
      s.inResponse = false;
      s.firstDeltaAt = undefined;
      s.audioMsBefore = 0;
      // After a tool call the mock goes on by itself; during a barge-in the VAD's turn does.
      if (!data.includes('"function_call"') && s.speechLeftMs <= 0) this.ask(s);
      return;
    }
    if (head.includes('"response.function_call_arguments.done"')) {
      const callId = /"call_id":"([^"]+)"/.exec(data.toString())?.[1];
      const output = JSON.stringify({ temperature_c: 32 });
      s.ws.send(
        JSON.stringify({
          type: 'conversation.item.create',
          item: { type: 'function_call_output', call_id: callId, output },
        }),
      );
      this.stats.toolOutputs += 1;
      return;
    }
    if (head.includes('"response.created"')) {
      s.inResponse = true;
      s.firstDeltaAt = undefined;
      s.audioMsBefore = 0;
      return;
    }
    if (head.includes('"type":"error"')) this.stats.errors += 1;
  }

  private onDelta(s: Live, data: Buffer, now: number): void {
    this.stats.deltas += 1;
    const at = data.indexOf('"delta":"');
    const end = at < 0 ? -1 : data.indexOf('"', at + 9);
    const chars = end < 0 ? 0 : end - at - 9;
    const padding = chars > 0 && data[end - 1] === 61 ? (data[end - 2] === 61 ? 2 : 1) : 0;
    const audioMs = ((chars / 4) * 3 - padding) / BYTES_PER_MS;
    if (s.firstDeltaAt === undefined) s.firstDeltaAt = now;
    else {
      const due = s.firstDeltaAt + s.audioMsBefore / this.config.replyRate;
      this.lateness.record(now - due);
    }
    s.audioMsBefore += audioMs;
    const soak = this.config.soak;
    const wallMs = audioMs / this.config.replyRate;
    if (soak && s.speechLeftMs <= 0 && Math.random() < wallMs / soak.bargeInEveryMs) {
      s.speechLeftMs = 600; // a tone long enough for the VAD: speech_started cancels the reply
      this.stats.bargeIns += 1;
    }
  }

  /** Asks for the next reply (and, in a soak, sometimes sends a malformed frame first). */
  private ask(s: Live): void {
    if (s.ws.readyState !== WebSocket.OPEN || s.closing) return;
    const soak = this.config.soak;
    if (soak && Math.random() < soak.badFrameChance) {
      s.ws.send(BAD_FRAMES[Math.floor(Math.random() * BAD_FRAMES.length)]!);
      this.stats.badFrames += 1;
    }
    s.ws.send('{"type":"response.create"}');
  }

  private maybeHang(s: Live, now: number): void {
    if (!s.hang || now < s.hang.at || s.hungUntil !== undefined) return;
    const { ms } = s.hang;
    s.hang = { at: Infinity, ms };
    s.hungUntil = now + ms;
    this.stats.hangs += 1;
    const socket = (s.ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
    socket?.pause();
    setTimeout(() => socket?.resume(), ms);
  }

  private reconnect(s: Live): void {
    s.closing = true;
    s.ws.close(1000, 'soak: hanging up');
    this.stats.reconnects += 1;
    void this.connect();
  }

  get opened(): number {
    return this.live.size;
  }
}

function between([min, max]: readonly [number, number]): number {
  return min + Math.random() * (max - min);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ----- the process: commands from the fleet over IPC ---------------------------------------

if (process.send) {
  let client: LoadClient | undefined;
  process.on('message', (message: Command) => {
    void (async () => {
      switch (message.cmd) {
        case 'start': {
          client = new LoadClient(message.config);
          client.runMicrophones();
          await client.open();
          const r = client.report();
          process.send!({
            kind: 'ready',
            open: client.opened,
            refused: r.refused,
            stuck: r.stuckConnecting,
          });
          return;
        }
        case 'measure':
          client?.measure();
          return;
        case 'report':
          process.send!({ kind: 'report', report: client?.report() });
          return;
        case 'stop':
          client?.stop();
          setTimeout(() => process.exit(0), 200);
          return;
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
}
