import { chunkPcm, concatPcm, silence } from '../../protocol/audio/index.js';
import { parseClientEvent, parseServerEvent } from '../../protocol/codec.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { realClock, type Clock } from '../../mock-server/clock.js';
import type { Fault } from '../../protocol/fixture/fault-schema.js';
import { startMockServer, type MockServer } from '../../mock-server/mock-server.js';
import type { ScheduledTask } from '../../mock-server/scheduler.js';
import type { AdapterSession, CommandInput, ObservationOf } from '../target/adapter-protocol.js';
import type { TargetSpec } from '../target/resolve-target.js';
import type { Scenario, ScenarioContext, ToolBehaviour } from '../scenarios/scenario.js';
import { Target } from '../target/target.js';
import type { Trace, TraceFrame, TraceObservation } from '../trace/trace.js';

/** Options of one scenario run. */
export interface RunScenarioOptions {
  spec: TargetSpec;
  /** Replay speed factor (mock pacing, microphone, waits). Default 1. */
  speed?: number;
  /** Overrides the scenario's model (e.g. `--mode premium`). */
  model?: string;
  clock?: Clock;
  /** Microphone chunk size in ms of audio. Default 20. */
  micChunkMs?: number;
  /** Multiplies every wait of the script (slow clients, loaded machines). Default 1. */
  timeoutFactor?: number;
  /** Longest the whole run may take, real ms; default the scenario's own `timeoutMs`. */
  timeoutMs?: number;
  /** How long the adapter has to say `hello`, ms. Default: the Target's (10 000). */
  handshakeTimeoutMs?: number;
}

/** A finished run: the trace, the client's stderr, the adapter's hello. */
export interface ScenarioRun {
  trace: Trace;
  /** The client's stderr, last lines. */
  log: string[];
  client: { name?: string; version?: string; language?: string } | undefined;
  durationMs: number;
}

const DEFAULT_INSTRUCTIONS = 'നീ ഒരു സഹായിയാണ്. മലയാളത്തിൽ ചുരുക്കി മറുപടി പറയുക.';

/**
 * Runs one scenario: a fresh mock with the scenario's fixture and faults, a fresh client
 * process, the script, then a clean stop of both. Returns the recorded trace; never throws
 * for the client's behaviour (harness problems land in `trace.harnessErrors`).
 */
export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions,
): Promise<ScenarioRun> {
  const clock = options.clock ?? realClock;
  const speed = options.speed ?? 1;
  const timeoutFactor = options.timeoutFactor ?? 1;
  const fixture = await loadFixture(scenario.fixture);
  const model = options.model ?? scenario.model ?? fixture.model ?? 'mal-realtime-simple';
  const wireOnly = options.spec.mode === 'wire';
  const startedAt = clock.now();
  const trace: Trace = {
    scenario: scenario.id,
    startedAt,
    endedAt: startedAt,
    drive: wireOnly ? 'wire-only' : 'adapter',
    features: [],
    model,
    speed,
    connections: [],
    frames: [],
    observations: [],
    actions: [],
    harnessErrors: [],
  };
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  const sessionNumbers = new Map<string, number>();

  const server: MockServer = await startMockServer({
    ...scenario.server,
    fixture,
    speed,
    clock,
    faults: [...(scenario.server?.faults ?? []), ...(scenario.faults ?? [])],
    onConnection: (e) => {
      if (e.kind === 'opened') {
        sessionNumbers.set(e.session, e.number);
        trace.connections.push({
          number: e.number,
          session: e.session,
          openedAt: e.at,
          closedAt: undefined,
          closeCode: undefined,
          closeReason: undefined,
          closedBy: undefined,
        });
      } else {
        const c = trace.connections.find((x) => x.session === e.session);
        if (c)
          Object.assign(c, {
            closedAt: e.at,
            closeCode: e.code,
            closeReason: e.reason,
            closedBy: e.closedBy,
          });
      }
      changed();
    },
    onFrame: (f) => {
      const parsed = f.binary
        ? undefined
        : f.dir === 'in'
          ? parseClientEvent(f.text, { strict: true })
          : parseServerEvent(f.text, { strict: true });
      const frame: TraceFrame = {
        at: f.at,
        dir: f.dir,
        connection: sessionNumbers.get(f.session) ?? 0,
        text: f.text,
        event: readEvent(f.text),
        violations: parsed && !parsed.ok ? [...parsed.violations] : [],
        ...(f.binary ? { binary: true } : {}),
      };
      trace.frames.push(frame);
      changed();
    },
  });

  const apiKey = scenario.apiKey ?? server.keys[0]!;
  const target = new Target(options.spec, {
    now: () => clock.now(),
    ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    ...(wireOnly ? { wire: { url: server.url, apiKey, model } } : {}),
  });
  const action = (kind: string, data: Record<string, unknown> = {}) => {
    trace.actions.push({ at: clock.now(), kind, data });
    changed();
  };
  target.on('observation', ({ at, observation }) => {
    const o: TraceObservation = { at, type: observation.type, data: { ...observation } };
    trace.observations.push(o);
    changed();
    if (observation.type === 'tool.invoke') answerTool(observation as ObservationOf<'tool.invoke'>);
  });
  target.on('finding', (f) => {
    trace.harnessErrors.push(`${f.code}: ${f.message}`);
    changed();
  });

  const timers = new Set<ScheduledTask>();
  const later = (ms: number, fn: () => void) => {
    const t = server.scheduler.after(ms / speed, () => {
      timers.delete(t);
      fn();
    });
    timers.add(t);
  };

  function answerTool(invoke: ObservationOf<'tool.invoke'>): void {
    const behaviour: ToolBehaviour = scenario.tools?.[invoke.name] ?? {};
    const delayMs = behaviour.delayMs ?? 20;
    later(delayMs, () => {
      const result: CommandInput =
        behaviour.error !== undefined
          ? { type: 'tool.result', call_id: invoke.call_id, error: behaviour.error }
          : {
              type: 'tool.result',
              call_id: invoke.call_id,
              output: behaviour.output ?? '{"ok":true}',
            };
      action('tool.result', {
        call_id: invoke.call_id,
        name: invoke.name,
        delayMs,
        ...(behaviour.error !== undefined
          ? { error: behaviour.error }
          : {
              output:
                result.type === 'tool.result' && 'output' in result ? result.output : undefined,
            }),
      });
      if (target.running) target.send(result);
    });
  }

  // The microphone: 20 ms chunks on the shared scheduler, silence unless a turn is queued.
  const micChunkMs = options.micChunkMs ?? 20;
  const silenceChunk = chunkPcm(silence(micChunkMs), micChunkMs)[0]!;
  let micQueue: string[] = [];
  let micWaiters: Array<() => void> = [];
  let micRunning = false;
  let micTask: ScheduledTask | undefined;
  let micT0 = 0;
  let micK = 0;
  let micAudioMs = 0;
  const micTick = () => {
    if (!micRunning) return;
    const next = micQueue.shift();
    if (target.running) target.send({ type: 'mic.audio', audio: next ?? silenceChunk });
    micAudioMs += micChunkMs;
    if (next !== undefined && micQueue.length === 0) {
      const w = micWaiters;
      micWaiters = [];
      for (const f of w) f();
    }
    micK += 1;
    micTask = server.scheduler.at(micT0 + (micK * micChunkMs) / speed, micTick);
  };
  const startMic = () => {
    if (micRunning || wireOnly) return;
    micRunning = true;
    micT0 = clock.now();
    micK = 0;
    micTask = server.scheduler.at(micT0, micTick);
  };
  const stopMic = () => {
    micRunning = false;
    server.scheduler.cancel(micTask);
    const w = micWaiters;
    micWaiters = [];
    for (const f of w) f();
  };

  const waitFor = <T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> =>
    new Promise((resolve) => {
      const hit = probe();
      if (hit !== undefined) return resolve(hit);
      const timer = setTimeout(
        () => {
          waiters.delete(check);
          resolve(undefined);
        },
        (timeoutMs * timeoutFactor) / speed,
      );
      const check = () => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(v);
        }
      };
      waiters.add(check);
    });

  const session: AdapterSession = scenario.session ?? {
    instructions: DEFAULT_INSTRUCTIONS,
    voice: 'mal-female',
    tools: toolsOf(fixture),
  };

  const ctx: ScenarioContext = {
    speed,
    fixture,
    server,
    trace,
    features: target.features,
    wireOnly,
    async connect() {
      action('connect', { model });
      if (wireOnly) return;
      try {
        await target.request({
          type: 'connect',
          url: server.url,
          apiKey,
          model,
          session,
          options: { speed },
        });
      } catch (error) {
        trace.harnessErrors.push(`connect: ${(error as Error).message}`);
      }
      startMic();
    },
    async say(turn) {
      const t = fixture.turns[turn];
      if (!t || wireOnly) return;
      const chunks = chunkPcm(concatPcm(t.user.pcm), micChunkMs);
      const startMs = micAudioMs + micQueue.length * micChunkMs;
      action('utterance', {
        turn,
        startMs,
        endMs: startMs + t.user.durationMs,
        transcript: t.user.transcript,
      });
      micQueue = micQueue.concat(chunks);
      if (!micRunning) return;
      await new Promise<void>((resolve) => micWaiters.push(resolve));
    },
    async wire(type, o = {}) {
      const dir = o.dir ?? 'out';
      const count = o.count ?? 1;
      const after = o.after ?? -Infinity;
      return waitFor(() => {
        let n = 0;
        for (const f of trace.frames) {
          if (f.dir === dir && f.at >= after && f.event?.type === type && ++n === count) return f;
        }
        return undefined;
      }, o.timeoutMs ?? 15_000);
    },
    async observed(type, where, o = {}) {
      const after = o.after ?? -Infinity;
      return waitFor(
        () =>
          trace.observations.find((x) => x.type === type && x.at >= after && (!where || where(x))),
        o.timeoutMs ?? 15_000,
      );
    },
    async until(predicate, o = {}) {
      return (
        (await waitFor(() => (predicate(trace) ? true : undefined), o.timeoutMs ?? 15_000)) ?? false
      );
    },
    now: () => clock.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / speed)),
    sleepReal: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async interrupt() {
      action('interrupt');
      if (!wireOnly) await requestQuietly('interrupt');
    },
    async commit() {
      action('commit');
      if (!wireOnly) await requestQuietly('commit');
    },
    async end() {
      action('end');
      stopMic();
      if (!wireOnly) await requestQuietly('end');
      await waitFor(
        () => (trace.connections.every((c) => c.closedAt !== undefined) ? true : undefined),
        5_000,
      );
    },
    inject(fault: Fault) {
      action('fault', { fault });
      server.inject(fault);
    },
    note(text) {
      action('note', { text });
    },
  };

  async function requestQuietly(type: 'interrupt' | 'commit' | 'end'): Promise<void> {
    try {
      await target.request({ type });
    } catch (error) {
      trace.harnessErrors.push(`${type}: ${(error as Error).message}`);
    }
  }

  const began = clock.now();
  let hello;
  try {
    hello = await target.start();
    trace.features = hello?.features ? [...hello.features] : [];
    if (!scenario.manualConnect) await ctx.connect();
    const limit = options.timeoutMs ?? ((scenario.timeoutMs ?? 30_000) * timeoutFactor) / speed;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limit);
    });
    const outcome = await Promise.race([
      scenario.script(ctx).then(() => 'done' as const),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      trace.harnessErrors.push(`the scenario did not finish within ${Math.round(limit)} ms`);
  } catch (error) {
    trace.harnessErrors.push((error as Error).message);
  } finally {
    stopMic();
    for (const t of timers) server.scheduler.cancel(t);
    await target.stop().catch((error: Error) => trace.harnessErrors.push(`stop: ${error.message}`));
    await server.close();
    trace.endedAt = clock.now();
  }
  return {
    trace,
    log: target.log.entries().map((l) => l.text),
    client: hello?.client,
    durationMs: clock.now() - began,
  };
}

/** The JSON of a frame when it is an object with a string `type`. */
function readEvent(text: string): ({ type: string } & Record<string, unknown>) | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof (v as { type?: unknown }).type === 'string'
    ) {
      return v as { type: string } & Record<string, unknown>;
    }
  } catch {
    // not JSON: the violations say so
  }
  return undefined;
}

/** Function tools for the fixture's tool calls, so the app declares what swaram will call. */
function toolsOf(fixture: Awaited<ReturnType<typeof loadFixture>>): AdapterSession['tools'] {
  const names = new Set<string>();
  for (const t of fixture.turns)
    for (const r of t.responses) if (r.toolCall) names.add(r.toolCall.name);
  return [...names].map((name) => ({
    type: 'function' as const,
    name,
    description: `the ${name} tool of the fixture`,
    parameters: { type: 'object', properties: {}, additionalProperties: true },
  }));
}
