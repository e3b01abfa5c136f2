import type { Fixture } from '../../protocol/fixture/fixture.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';
import { FakeClock, realClock, type Clock, type TimerHandle } from '../../mock-server/clock.js';
import { startMockServer, type MockServer } from '../../mock-server/mock-server.js';
import type { AdapterSession, ObservationOf } from '../target/adapter-protocol.js';
import { isInProcess } from '../target/in-process-target.js';
import type { TargetSpec } from '../target/resolve-target.js';
import type { Scenario, ScenarioContext } from '../scenarios/scenario.js';
import { Target } from '../target/target.js';
import { TARGET_LIMITS, jsonDepth } from '../target/limits.js';
import { Redactor } from '../target/target-env.js';
import { crashBlame, isExitError } from '../rules/crash.js';
import type { Trace } from '../trace/trace.js';
import { TraceRecorder } from '../trace/trace-recorder.js';
import { IdleClockDriver } from './idle-clock-driver.js';
import { Microphone } from './microphone.js';
import { createScenarioContext, type ScenarioContextParts } from './scenario-context.js';
import { ScenarioClock } from './scenario-clock.js';
import { StallWatch } from './stall-watch.js';
import { ToolDesk } from './tool-desk.js';
import { TraceWatch } from './trace-watch.js';

/** Options of one scenario run. */
export interface RunScenarioOptions {
  spec: TargetSpec;
  /** Replay speed factor (mock pacing, microphone, waits): see {@link ScenarioClock}. Default 1. */
  speed?: number;
  /** Overrides the scenario's model (e.g. `--mode premium`). */
  model?: string;
  /**
   * The run's clock. Default real time. A {@link FakeClock} is stepped whenever the run is
   * idle, so a scenario runs in a fraction of its duration; pair it with an in-process target
   * (`inProcessTarget`), whose client then waits on the same fake clock.
   */
  clock?: Clock;
  /** Microphone chunk size in ms of audio. Default 20. */
  micChunkMs?: number;
  /** Multiplies every wait of the script (slow clients, loaded machines). Default 1. */
  timeoutFactor?: number;
  /** Longest the script may take, clock ms; default the scenario's own `timeoutMs` (scenario ms). */
  timeoutMs?: number;
  /** How long the adapter has to say `hello`, ms. Default: the Target's (10 000). */
  handshakeTimeoutMs?: number;
  /** Runner environment variables passed to the target besides the allow-list. */
  passEnv?: readonly string[];
  /** Ends the script early (an interrupted run); the client and the mock stop as usual. */
  signal?: AbortSignal;
  /**
   * Serve the mock over `wss:` with this PEM pair; the target trusts the certificate through
   * `caFile` (a file holding `cert`), given as `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE` and
   * `REQUESTS_CA_BUNDLE`. Not for in-process targets.
   */
  tls?: RunnerTls;
  /**
   * Fixtures loaded so far, by name or path, filled as runs load them: a fixture is immutable,
   * so the runs of one conformance run share it instead of each decoding its audio again (which,
   * with other runs live, stalls them). Default: every run loads its own.
   */
  fixtures?: Map<string, Promise<Fixture>>;
}

/** The runner's TLS for `--tls`: one certificate per run, and the file its adapters trust. */
export interface RunnerTls {
  cert: string;
  key: string;
  caFile: string;
}

/** The environment that makes a target trust the runner's certificate (Node, Python, OpenSSL). */
export function tlsTrustEnv(tls: RunnerTls): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: tls.caFile,
    SSL_CERT_FILE: tls.caFile,
    REQUESTS_CA_BUNDLE: tls.caFile,
  };
}

/**
 * Clock ms between the in-process mock's pings to the client: more often than the mock's
 * default, so that most scenarios see a few and LIVENESS judges the pongs.
 */
export const RUNNER_PING_INTERVAL_MS = 5000;

/** Harness errors kept per scenario run; one more line says how many were dropped. */
export const MAX_HARNESS_ERRORS = 100;

/** A finished run: the trace, the client's stderr, the adapter's hello. */
export interface ScenarioRun {
  trace: Trace;
  /** The client's stderr, last lines. */
  log: string[];
  client: { name?: string; version?: string; language?: string } | undefined;
  durationMs: number;
  /** Replaces the run's secrets (mock keys, manifest env values, secret-looking env vars). */
  redactor: Redactor;
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
  const clock = new ScenarioClock(options.clock ?? realClock, options.speed ?? 1);
  const timeoutFactor = options.timeoutFactor ?? 1;
  const fixture = await sharedFixture(scenario.fixture, options.fixtures);
  const model = options.model ?? scenario.model ?? fixture.model ?? 'mal-realtime-simple';
  const wireOnly = options.spec.mode === 'wire';
  if (options.tls && isInProcess(options.spec)) {
    throw new Error(
      'tls: an in-process target cannot be given the certificate; run the client as a process',
    );
  }
  const startedAt = clock.now();
  const recorder = new TraceRecorder({
    scenario: scenario.id,
    startedAt,
    drive: wireOnly ? 'wire-only' : 'adapter',
    model,
    speed: clock.speed,
    now: () => clock.now(),
  });
  const trace = recorder.trace;
  // The runner's own stalls, so that rules do not blame the client for them (real clock only).
  const stallWatch = clock.clock === realClock ? new StallWatch(realClock) : undefined;
  stallWatch?.start();
  const watch = new TraceWatch(clock);
  recorder.onChange(() => watch.notify());
  const harnessError = cappedHarnessErrors(recorder, (text) => redactor.text(text));
  // Filled once the mock is up (its keys are secrets too).
  let redactor = new Redactor(Object.values(options.spec.env ?? {}));
  const server = await startRunMock(scenario, fixture, clock, recorder, harnessError, options.tls);
  redactor = new Redactor([...Object.values(options.spec.env ?? {}), ...server.keys]);

  const apiKey = scenario.apiKey ?? server.keys[0]!;
  const target = new Target(options.spec, {
    now: () => clock.now(),
    clock: clock.clock,
    ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    ...(options.passEnv ? { passEnv: options.passEnv } : {}),
    ...(options.tls ? { env: tlsTrustEnv(options.tls) } : {}),
    ...(wireOnly ? { wire: { url: server.url, apiKey, model } } : {}),
  });
  const action: ScenarioContextParts['action'] = (kind, data) => recorder.action(kind, data);
  const tools = new ToolDesk({
    tools: scenario.tools,
    clock,
    send: (result) => {
      if (target.running) target.send(result);
    },
    record: action,
  });
  target.on('observation', ({ at, observation }) => {
    recorder.observation(at, observation);
    if (observation.type === 'tool.invoke')
      tools.invoke(observation as ObservationOf<'tool.invoke'>);
  });
  target.on('finding', (f) =>
    harnessError(`${f.code}: ${f.message}`, ['flood', 'exited', 'limit'].includes(f.code)),
  );
  // The process ended: nothing more can happen, so the script stops at once. For an adapter
  // that is a harness error (its `exited` finding) unless what the mock sent just before
  // killed it (crashBlame: the client's failure); a wire-only app may end on its own.
  const exited = new Promise<'exited'>((resolve) => target.once('exit', () => resolve('exited')));
  target.on('exit', (e) => {
    // An adapter's own exit mid-run is recorded too: crashBlame may pin it on the client.
    if (wireOnly || e.how === 'self') action('target-exit', { code: e.code, signal: e.signal });
  });
  const microphone = new Microphone({
    clock,
    scheduler: server.scheduler,
    chunkMs: options.micChunkMs,
    send: (audio, turn) => {
      if (!target.running) return;
      // Rules compare what the client sent with what its microphone gave it.
      action('mic.audio', { bytes: base64Bytes(audio), ...(turn !== undefined ? { turn } : {}) });
      target.send({ type: 'mic.audio', audio });
    },
  });
  const ctx = createScenarioContext({
    clock,
    fixture,
    server,
    trace,
    watch,
    client: target,
    microphone,
    wireOnly,
    connect: { apiKey, model, session: scenario.session ?? defaultSession(fixture) },
    timeoutFactor,
    action,
    harnessError,
  });
  const driver = fakeClockDriver(clock.clock, options.spec, trace, watch);
  driver?.start();

  const began = clock.now();
  let hello;
  try {
    hello = await target.start();
    recorder.setFeatures(hello?.features);
    if (!scenario.manualConnect) await ctx.connect();
    await runScript(scenario, ctx, options, timeoutFactor, harnessError, exited);
  } catch (error) {
    harnessError((error as Error).message);
  } finally {
    microphone.stop();
    tools.close();
    await target.stop().catch((error: Error) => harnessError(`stop: ${error.message}`));
    await server.close();
    await driver?.stop();
    recorder.finish(clock.now(), stallWatch?.stop());
    // An adapter's process killed by what the mock sent is the client's failure (a rule
    // fails, see crashBlame), not a harness error: the run was judged.
    if (crashBlame(trace)) trace.harnessErrors = trace.harnessErrors.filter((e) => !isExitError(e));
  }
  return {
    trace,
    log: target.log.entries().map((l) => redactor.text(l.text)),
    client: hello?.client,
    durationMs: clock.now() - began,
    redactor,
  };
}

/** The run's in-process mock: the scenario's fixture and faults, every hook into the trace. */
function startRunMock(
  scenario: Scenario,
  fixture: Fixture,
  clock: ScenarioClock,
  recorder: TraceRecorder,
  harnessError: (message: string) => void,
  tls: RunnerTls | undefined,
): Promise<MockServer> {
  return startMockServer({
    pingIntervalMs: RUNNER_PING_INTERVAL_MS,
    ...scenario.server,
    fixture,
    speed: clock.speed,
    clock: clock.clock,
    faults: [...(scenario.server?.faults ?? []), ...(scenario.faults ?? [])],
    onConnection: (e) => recorder.connection(e),
    onControl: (e) => recorder.control(e),
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    onFrame: (f) => recordFrame(recorder, f, harnessError),
  });
}

/**
 * Runs the script against the scenario's time limit: `options.timeoutMs` of clock time, else
 * the scenario's `timeoutMs` of scenario time (times `timeoutFactor`).
 */
async function runScript(
  scenario: Scenario,
  ctx: ScenarioContext,
  options: RunScenarioOptions,
  timeoutFactor: number,
  harnessError: (message: string) => void,
  exited: Promise<'exited'>,
): Promise<void> {
  const clock = ctx.clock;
  const limit =
    options.timeoutMs ?? clock.toClockMs((scenario.timeoutMs ?? 30_000) * timeoutFactor);
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = clock.afterClockMs(limit, () => resolve('timeout'));
  });
  const script = scenario.script(ctx).then(() => 'done' as const);
  // Once the race is decided, a script failing later (its client stopped under it) is moot.
  script.catch(() => undefined);
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const outcome = await Promise.race([script, timedOut, exited, aborted]);
  clock.cancel(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (outcome === 'timeout')
    harnessError(`the scenario did not finish within ${Math.round(limit)} ms`);
}

/**
 * The run's harness-error sink: redacted, at most {@link MAX_HARNESS_ERRORS} (one more line
 * says the rest were dropped); `always` keeps one past the cap (why the adapter was stopped).
 */
function cappedHarnessErrors(
  recorder: TraceRecorder,
  redact: (text: string) => string,
): (message: string, always?: boolean) => void {
  let count = 0;
  return (message, always = false) => {
    count += 1;
    if (count <= MAX_HARNESS_ERRORS || always) recorder.harnessError(redact(message));
    else if (count === MAX_HARNESS_ERRORS + 1)
      recorder.harnessError(`more than ${MAX_HARNESS_ERRORS} harness errors: the rest are dropped`);
  };
}

/** Records a wire frame; one nested deeper than the limit is trimmed (with a harness error). */
function recordFrame(
  recorder: TraceRecorder,
  f: Parameters<TraceRecorder['frame']>[0],
  harnessError: (message: string) => void,
): void {
  if (f.binary || jsonDepth(f.text) <= TARGET_LIMITS.depth) return recorder.frame(f);
  const limit = TARGET_LIMITS.depth;
  harnessError(
    `a ${f.dir === 'in' ? 'client' : 'mock'} frame nests deeper than ${limit} levels: trimmed in the trace`,
  );
  recorder.frame({
    ...f,
    text: `${f.text.slice(0, 200)}… [nested deeper than ${limit} levels, trimmed]`,
  });
}

/** Bytes of a padded base64 text (the microphone's own, always well formed). */
function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - pad;
}

/** The session the app asks for unless the scenario says: Malayalam, the fixture's tools. */
function defaultSession(fixture: Fixture): AdapterSession {
  return { instructions: DEFAULT_INSTRUCTIONS, voice: 'mal-female', tools: toolsOf(fixture) };
}

/**
 * On a fake clock, the driver that steps it whenever the run is idle. Idle means: nothing
 * happened for a few event-loop turns, and — for an in-process client — no frame is on the
 * loopback (the client sent as many as the mock received and the other way round) and no
 * handshake, close or ping is under way.
 */
function fakeClockDriver(
  clock: Clock,
  spec: TargetSpec,
  trace: Trace,
  watch: TraceWatch,
): IdleClockDriver | undefined {
  if (!(clock instanceof FakeClock)) return undefined;
  const meter = isInProcess(spec) ? spec.meter : undefined;
  // Frames the mock received / sent so far, counted incrementally (the trace only grows).
  const counted = { seen: 0, in: 0, out: 0 };
  const count = (dir: 'in' | 'out') => {
    for (; counted.seen < trace.frames.length; counted.seen++)
      counted[trace.frames[counted.seen]!.dir] += 1;
    return counted[dir];
  };
  let lostIn = 0;
  let lostOut = 0;
  const sent0 = meter?.sent ?? 0;
  const received0 = meter?.received ?? 0;
  const inFlight = () => ({
    in: (meter ? meter.sent - sent0 : 0) - count('in') - lostIn,
    out: count('out') - (meter ? meter.received - received0 : 0) - lostOut,
  });
  return new IdleClockDriver(clock, {
    activity: () => watch.changeCount + (meter?.activity ?? 0),
    busy: () => {
      if (!meter) return false;
      const open = trace.connections.filter((c) => c.closedAt === undefined).length;
      const f = inFlight();
      return f.in !== 0 || f.out !== 0 || meter.pending > 0 || meter.open !== open;
    },
    writeOff: () => {
      const f = inFlight();
      lostIn += f.in;
      lostOut += f.out;
      meter?.forgetPings();
    },
  });
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

/** The fixture from `cache` when a run loaded it already, else loaded (and kept there). */
function sharedFixture(
  name: string,
  cache: Map<string, Promise<Fixture>> | undefined,
): Promise<Fixture> {
  if (!cache) return loadFixture(name);
  let fixture = cache.get(name);
  if (!fixture) cache.set(name, (fixture = loadFixture(name)));
  return fixture;
}
