import { chiSquareQuantile, growthFactor } from '../metrics/statistics.js';
import { budget } from '../metrics/budgets.js';
import { busyCloses } from '../metrics/episodes.js';
import type { BusyClose } from '../metrics/episodes.js';
import type { Evidence, Rule, Verdict } from './rule.js';
import type { Trace, TraceConnection } from '../trace/trace.js';
import {
  actionsOf,
  connectAskedBetween,
  hasApp,
  observationsOf,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import {
  fail,
  frameEvidence,
  notObservable,
  observationEvidence,
  pass,
  timeEvidence,
  warn,
} from './verdict.js';

/**
 * Connections the client opened on its own at or after `at` (no `connect` action in between),
 * other than `except` (the connection whose close is the reference).
 */
function reconnectsAfter(trace: Trace, at: number, except?: TraceConnection): TraceConnection[] {
  return trace.connections.filter(
    (c) =>
      c.number !== except?.number &&
      c.openedAt >= at &&
      !connectAskedBetween(trace, at, c.openedAt),
  );
}

/** CLOSE-AUTH: after 4001 / 4003, no automatic reconnect; a distinct error reaches the app. */
export const closeAuth: Rule = {
  id: 'CLOSE-AUTH',
  level: 'MUST',
  title: 'No reconnect after 4001 / 4003',
  section: 'protocol §2 (close codes 4001, 4003)',
  description:
    'After the server closes with 4001 (bad or expired key or token) or 4003 (out of credits) ' +
    'the client makes zero automatic reconnect attempts: any connection opened after such a ' +
    'close without the app asking (a runner `connect` action) fails, and so does an adapter ' +
    '`connection` observation with state `reconnecting` after it. When driven through an ' +
    'adapter, the app is told with a distinct error: an `error` observation of kind `auth` ' +
    '(4001) or `billing` (4003), from the preceding `error` event on. Real-world failure: ' +
    'clients that retry every close hammer the service with a revoked key, and the user sees ' +
    '"connection lost" instead of "your key is invalid" or "add credits".',
  sources: ['kazunori279/interpretab#13'],
  needs: {},
  check(trace, context) {
    const reportWait = budget(context, 'app.reportWaitMs');
    const closes = trace.connections.filter(
      (c) =>
        c.closedBy === 'server' &&
        (c.closeCode === 4001 || c.closeCode === 4003) &&
        c.closedAt !== undefined,
    );
    if (closes.length === 0) return undefined;
    const appErrors = observationsOf(trace, 'error');
    const states = observationsOf(trace, 'connection');
    const errors = wireEvents(trace, 'out', 'error');
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const c of closes) {
      const closedAt = c.closedAt!;
      for (const r of reconnectsAfter(trace, closedAt, c)) {
        problems.add('reconnected');
        evidence.push(
          timeEvidence(
            r.openedAt,
            `connection ${r.number} opened ${fmtMs(r.openedAt - closedAt)} after close ${c.closeCode}`,
          ),
        );
      }
      const retry = states.find(
        (o) =>
          o.at >= closedAt &&
          o.data.state === 'reconnecting' &&
          !connectAskedBetween(trace, closedAt, o.at),
      );
      if (retry) {
        problems.add('announced a retry');
        evidence.push(
          observationEvidence(
            trace,
            retry.index,
            `the client announced a reconnect after close ${c.closeCode}`,
          ),
        );
      }
      if (!hasApp(trace) || trace.endedAt - closedAt < reportWait) continue;
      const kind = c.closeCode === 4001 ? 'auth' : 'billing';
      const since =
        errors.filter((e) => e.connection === c.number && e.at <= closedAt).at(-1)?.at ?? closedAt;
      const told = appErrors.some((o) => o.at >= since && o.data.kind === kind);
      if (!told) {
        problems.add(`no ${kind} error for the app`);
        const seen = [...new Set(appErrors.filter((o) => o.at >= since).map((o) => o.data.kind))];
        evidence.push(
          timeEvidence(
            closedAt,
            `close ${c.closeCode}: no error of kind ${kind} surfaced${seen.length > 0 ? ` (saw ${seen.join(', ')})` : ''}`,
          ),
        );
      }
    }
    if (evidence.length === 0) {
      return pass(
        `No reconnect after ${plural(closes.length, 'auth or billing close')}${hasApp(trace) ? ', and the app was told' : ''}.`,
      );
    }
    return fail(`After an auth or billing close: ${[...problems].join(', ')}.`, evidence);
  },
};

/** CLOSE-LIMIT: after 4008, no reconnect within 5 s; at most one live socket. */
export const closeLimit: Rule = {
  id: 'CLOSE-LIMIT',
  level: 'MUST',
  title: 'Back off after 4008; one socket per session',
  section: 'protocol §2 (close code 4008)',
  description:
    'After the server closes with 4008 (too many concurrent connections) the client opens no ' +
    'new connection within `close.limitQuietMs` (unless the app asks with a `connect`), and ' +
    'at no time does the client hold two live sockets for one logical session: a connection ' +
    'opened while an earlier one of the trace is still open fails. Exercised by a 4008 close ' +
    'or by any trace with two or more connections. Real-world failure: a client that opens ' +
    'the new socket before closing the old one, or retries 4008 at once, locks itself out ' +
    'of its own plan limit.',
  sources: ['pipecat-ai/pipecat#871'],
  needs: {},
  check(trace, context) {
    const quiet = budget(context, 'close.limitQuietMs');
    const limits = trace.connections.filter(
      (c) => c.closedBy === 'server' && c.closeCode === 4008 && c.closedAt !== undefined,
    );
    if (limits.length === 0 && trace.connections.length < 2) return undefined;
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const c of limits) {
      for (const r of reconnectsAfter(trace, c.closedAt!, c)) {
        if (r.openedAt - c.closedAt! < quiet) {
          problems.add(`reconnected within ${fmtMs(quiet)} of 4008`);
          evidence.push(
            timeEvidence(
              r.openedAt,
              `connection ${r.number} opened ${fmtMs(r.openedAt - c.closedAt!)} after 4008`,
            ),
          );
        }
      }
    }
    const sorted = [...trace.connections].sort((a, b) => a.openedAt - b.openedAt);
    for (let j = 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      const live = sorted
        .slice(0, j)
        .find((a) => a.closedAt === undefined || a.closedAt > b.openedAt);
      if (live) {
        problems.add('two live sockets');
        evidence.push(
          timeEvidence(
            b.openedAt,
            `connection ${b.number} opened while connection ${live.number} was still open`,
          ),
        );
      }
    }
    if (evidence.length === 0) {
      return pass(
        limits.length > 0
          ? `The client waited after 4008 and kept one socket at a time.`
          : `The client kept one socket at a time over ${plural(trace.connections.length, 'connection')}.`,
      );
    }
    return fail(`Connection limits were not respected: ${[...problems].join(', ')}.`, evidence);
  },
};

/**
 * Whether a delay sequence shows no jitter: at least three delays whose consecutive ratios are
 * all the same (within `relTol`), optionally followed by ratios of 1 (delays stuck at a cap).
 * Constant delays count too. Real jitter makes equal ratios vanishingly unlikely; timer noise
 * of measured delays is why `relTol` is not 0.
 */
export function looksUnjittered(delays: readonly number[], relTol: number): boolean {
  if (delays.length < 3 || delays.some((d) => d <= 0)) return false;
  const ratios = delays.slice(1).map((d, i) => d / delays[i]!);
  const first = ratios[0]!;
  let i = 0;
  while (i < ratios.length && Math.abs(ratios[i]! - first) <= relTol * first) i++;
  // "Geometric, then capped" needs two equal ratios before the cap: one ratio followed by a
  // ratio of 1 is any three delays whose last two happen to be equal (472, 484, 484 ms).
  if (i < ratios.length && i < 2) return false;
  while (i < ratios.length && Math.abs(ratios[i]! - 1) <= relTol) i++;
  return i === ratios.length;
}

/**
 * Whether a run of consecutive busy-close delays shows growth: judged from
 * {@link GROWTH_MIN_DELAYS} delays on (undefined before), it holds when the longest delay is at
 * least `factor` times the shorter of the first two. A backoff that starts over at every
 * attempt (jittered or not) stays flat; full jitter over a growing ceiling passes.
 */
export function showsGrowth(delays: readonly number[], factor: number): boolean | undefined {
  if (delays.length < GROWTH_MIN_DELAYS) return undefined;
  return Math.max(...delays) >= factor * Math.min(delays[0]!, delays[1]!);
}

/** Consecutive busy-close delays needed to judge growth within one trace. */
export const GROWTH_MIN_DELAYS = 4;

/** Busy closes split into runs of consecutive attempts. */
function busyChains(closes: readonly BusyClose[]): BusyClose[][] {
  const chains: BusyClose[][] = [];
  for (const b of closes) {
    if (b.attempt === 1 || chains.length === 0) chains.push([b]);
    else chains[chains.length - 1]!.push(b);
  }
  return chains;
}

/** CLOSE-BUSY: reconnect after 1013 with exponential backoff and jitter, on a fresh session. */
export const closeBusy: Rule = {
  id: 'CLOSE-BUSY',
  level: 'MUST',
  title: 'Backoff with jitter after 1013',
  section: 'protocol §2 (close code 1013, transient server_error)',
  description:
    'After the server closes with 1013 (busy), or closes within 1 s of a transient ' +
    '`server_error`, the client reconnects with exponential backoff and jitter on a fresh ' +
    'session. D_1013 = next connection opened − close, per attempt; consecutive busy closes ' +
    'form one run of attempts. Checked per trace: (1) it reconnects at all (no reconnect for ' +
    '`D_1013.waitMs`, or the adapter reporting `closed` with no reconnect after the first ' +
    'busy close, fails); (2) the first delay is at least `D_1013.firstMin`; (3) limit: there ' +
    'is a retry limit (no more than `D_1013.maxAttempts` consecutive reconnects; scenario ' +
    '`close-1013-forever` keeps the server busy to see it); (4) jitter: ' +
    'three or more delays whose consecutive ratios are all equal (a pure geometric or ' +
    'constant sequence, or two equal ratios then delays stuck at a cap) show none: a fail when ' +
    'the adapter reported the delays it chose ' +
    '(`connection.delayMs`, exact), a warn when only measured delays look so (timer noise ' +
    'makes that a heuristic); (5) every new connection starts with `session.update`; (6) ' +
    'growth, from four consecutive delays on: the longest must reach `D_1013.growthMin` ' +
    'times the shorter of the first two (no tolerance: a ×U[0.75, 1] jitter alone spreads ' +
    'delays by up to ×1.33) (a backoff that starts over ' +
    'at every attempt stays flat; "full" jitter, a random delay under a ceiling that doubles, ' +
    'goes up and down but its longest delays grow). Growth, limit and jitter are separate ' +
    'findings, each with its own reason. Growth is also judged across repetitions (checkRuns, from `D_1013.minRuns` ' +
    'runs, so `--repeat 3` or more): the envelope (the longest delay seen for each attempt ' +
    'number) must grow by a fitted factor of at least `D_1013.growthMin` × (1 − ' +
    '`D_1013.growthTolerance`) until it reaches `D_1013.capMin`, and the delays of each ' +
    'attempt number, normalised by their mean, must spread with a coefficient of variation ' +
    'above `D_1013.cvMin` (swaram asks for "plus jitter": any multiplicative jitter counts, ' +
    'not only "full" jitter). A small sample says little about spread, so the spread fails only ' +
    'when the 95 % upper confidence bound of the coefficient is at or under the threshold; a ' +
    'sample coefficient under it with a bound above it warns (repeat more). Real-world failure: clients that reconnect at once, or all on ' +
    'the same schedule, turn a busy server into an ' +
    'outage (the thundering herd).',
  sources: ['BasedHardware/omi#5520', 'hypothesis/h#2987'],
  needs: { features: ['reconnect'] },
  metrics: ['D_1013'],
  check(trace, context) {
    const closes = busyCloses(trace);
    if (closes.length === 0) return undefined;
    const firstMin = budget(context, 'D_1013.firstMin');
    const maxAttempts = budget(context, 'D_1013.maxAttempts');
    const waitMs = budget(context, 'D_1013.waitMs');
    const growthMin = budget(context, 'D_1013.growthMin');
    const states = observationsOf(trace, 'connection');
    const clientFrames = wireEvents(trace, 'in');
    const failures: Evidence[] = [];
    const warnings: Evidence[] = [];
    const problems = new Set<string>();
    const all: number[] = [];

    for (const chain of busyChains(closes)) {
      const delays = chain.flatMap((b) => (b.delay === undefined ? [] : [b.delay]));
      all.push(...delays);
      const head = chain[0]!;
      if (delays.length === 0) {
        const gaveUp = states.some((o) => o.at >= head.closedAt && o.data.state === 'closed');
        if (gaveUp || trace.endedAt - head.closedAt >= waitMs) {
          problems.add('no reconnect');
          failures.push(
            timeEvidence(
              head.closedAt,
              `connection ${head.connection.number} closed busy; the client never reconnected`,
            ),
          );
        }
        continue;
      }
      if (delays[0]! < firstMin) {
        problems.add(`first delay under ${fmtMs(firstMin)}`);
        failures.push(
          timeEvidence(
            head.next!.openedAt,
            `reconnected ${fmtMs(delays[0]!)} after the busy close`,
          ),
        );
      }
      if (delays.length > maxAttempts) {
        problems.add('no retry limit');
        failures.push(
          timeEvidence(
            chain[maxAttempts]!.closedAt,
            `limit: ${delays.length} consecutive reconnects over ${fmtMs(chain[chain.length - 1]!.closedAt - head.closedAt)} of busy closes and still retrying (at most ${maxAttempts})`,
          ),
        );
      }
      // The full factor, no tolerance: a ×U[0.75, 1] jitter alone spreads delays up to ×1.33.
      const growthFactorMin = growthMin;
      if (showsGrowth(delays, growthFactorMin) === false) {
        problems.add('no growth');
        failures.push(
          timeEvidence(
            head.closedAt,
            `growth: ${delays.length} consecutive delays stay within ${fmtMs(Math.min(...delays))}–${fmtMs(Math.max(...delays))} (the longest must reach ×${growthFactorMin.toFixed(1)} the first)`,
          ),
        );
      }
      const reported = chain.flatMap((b) => {
        const until = b.next?.openedAt ?? trace.endedAt;
        // The client may report before the mock records the close (the close handshake
        // completes after the client saw the close frame): any report after this
        // connection opened counts.
        const o = states.find(
          (s) =>
            s.at > b.connection.openedAt &&
            s.at <= until &&
            s.data.state === 'reconnecting' &&
            s.data.delayMs !== undefined,
        );
        return o ? [o.data.delayMs!] : [];
      });
      if (looksUnjittered(reported, 0.005)) {
        problems.add('no jitter');
        failures.push(
          timeEvidence(
            head.closedAt,
            `jitter: the client's chosen delays ${reported.map((d) => fmtMs(d)).join(', ')} have exactly constant ratios`,
          ),
        );
      } else if (reported.length < 3 && looksUnjittered(delays, 0.02)) {
        warnings.push(
          timeEvidence(
            head.closedAt,
            `measured delays ${delays.map((d) => fmtMs(d)).join(', ')} look unjittered (constant ratios within 2 %)`,
          ),
        );
      }
      for (const b of chain) {
        if (!b.next) continue;
        const first = clientFrames.find((f) => f.connection === b.next!.number);
        if (first && first.type !== 'session.update') {
          problems.add('not a fresh session');
          failures.push(
            frameEvidence(
              trace,
              first.index,
              `connection ${b.next.number} began with ${first.type}, not session.update`,
            ),
          );
        }
      }
    }
    const figures = all.length > 0 ? ` (D_1013: ${all.map((d) => fmtMs(d)).join(', ')})` : '';
    if (failures.length > 0)
      return fail(
        `Busy reconnects broke CLOSE-BUSY: ${[...problems].join(', ')}${figures}.`,
        failures,
      );
    if (all.length === 0) return undefined;
    if (warnings.length > 0)
      return warn(`Busy reconnects backed off but show no sign of jitter${figures}.`, warnings);
    return pass(`The client backed off after busy closes and re-sent session.update${figures}.`);
  },
  checkRuns(traces, context): Verdict | undefined {
    const cvMin = budget(context, 'D_1013.cvMin');
    const minRuns = budget(context, 'D_1013.minRuns');
    const growthMin = budget(context, 'D_1013.growthMin');
    const tolerance = budget(context, 'D_1013.growthTolerance');
    const capMin = budget(context, 'D_1013.capMin');
    const byAttempt = new Map<number, number[]>();
    let runs = 0;
    for (const t of traces) {
      const closes = busyCloses(t).filter((b) => b.delay !== undefined);
      if (closes.length === 0) continue;
      runs += 1;
      for (const b of closes) {
        byAttempt.set(b.attempt, [...(byAttempt.get(b.attempt) ?? []), b.delay!]);
      }
    }
    if (runs < minRuns) return undefined;
    const attempts = [...byAttempt].sort((a, b) => a[0] - b[0]);
    const notes: Evidence[] = attempts.map(([attempt, values]) => ({
      note: `attempt ${attempt}: ${values.map((v) => fmtMs(v)).join(', ')}`,
    }));
    const findings: string[] = [];
    const figures: string[] = [];

    // Jitter: delays of the same attempt, normalised by their mean, must spread. Each attempt
    // group spends one degree of freedom on its mean. With few runs the sample CV is noisy, so
    // a fail needs the 95 % upper bound of the CV under the threshold; a low sample CV whose
    // bound is above it is only a warning (run more repetitions).
    const normalised: number[] = [];
    let groups = 0;
    for (const [, values] of attempts) {
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      if (values.length < 2 || mean <= 0) continue;
      normalised.push(...values.map((v) => v / mean));
      groups += 1;
    }
    const dof = normalised.length - groups;
    let unsure = false;
    if (dof >= 1) {
      const cv = Math.sqrt(normalised.reduce((s, v) => s + (v - 1) ** 2, 0) / dof);
      const upper = cv * Math.sqrt(dof / chiSquareQuantile(0.05, dof));
      figures.push(`coefficient of variation ${cv.toFixed(2)}`);
      if (upper <= cvMin) {
        findings.push(`delays barely differ (needs more than ${cvMin}): no jitter`);
      } else if (cv <= cvMin) {
        unsure = true;
      }
    }

    // Growth, on the envelope: the longest delay seen for each attempt number.
    const envelope = attempts.map(([, values]) => Math.max(...values));
    const capAt = envelope.findIndex((d) => d >= capMin);
    const growing = capAt === -1 ? envelope : envelope.slice(0, capAt + 1);
    if (growing.length >= 2) {
      const g = growthFactor(growing);
      figures.push(
        `envelope ${growing.map((d) => fmtMs(d)).join(', ')}, ×${g.toFixed(2)} per attempt`,
      );
      if (g < growthMin * (1 - tolerance)) {
        findings.push(
          `the longest delays grow only ×${g.toFixed(2)} per attempt (needs ×${growthMin})`,
        );
      }
    }
    if (figures.length === 0) return undefined;
    if (findings.length === 0 && unsure) {
      return warn(
        `Reconnect delays spread little across ${runs} runs (${figures.join('; ')}); too few runs to call it a failure: repeat more.`,
        notes,
      );
    }
    if (findings.length === 0) {
      return pass(
        `Reconnect delays spread and grow across ${runs} runs (${figures.join('; ')}).`,
        notes,
      );
    }
    return fail(`Across ${runs} runs, ${findings.join('; ')} (${figures.join('; ')}).`, notes);
  },
};

/** CLOSE-CLEAN: no reconnect after 1000; the app's end closes with 1000 promptly. */
export const closeClean: Rule = {
  id: 'CLOSE-CLEAN',
  level: 'SHOULD',
  title: 'Clean close with 1000',
  section: 'protocol §2 (close codes), adapter `end`',
  description:
    'After the server closes with 1000 the client does not reconnect on its own (a new ' +
    'connection needs the app to ask: a runner `connect` action). When the app ends the ' +
    'session (runner action `end`), the client closes the open connection itself with code ' +
    '1000 within `close.cleanMs` (a close frame without a status code, which the server sees ' +
    'as 1005, completes the close handshake too and passes, with a note; 1006, no close frame, ' +
    'or never closing fails), sends no frame after `end` (beyond `close.afterEndGraceMs` ' +
    'of frames already in flight) and does not reconnect. Real-world failure: clients that ' +
    'reconnect after every close resurrect sessions the user ended; clients that close with ' +
    '1006 or never close leak sessions that count against plan limits.',
  sources: ['speechly/speechly#197'],
  needs: {},
  check(trace, context) {
    const cleanMs = budget(context, 'close.cleanMs');
    const grace = budget(context, 'close.afterEndGraceMs');
    const normal = trace.connections.filter(
      (c) => c.closedBy === 'server' && c.closeCode === 1000 && c.closedAt !== undefined,
    );
    const ends = trace.actions.filter((a) => a.kind === 'end');
    if (normal.length === 0 && ends.length === 0) return undefined;
    const evidence: Evidence[] = [];
    const problems = new Set<string>();
    for (const c of normal) {
      for (const r of reconnectsAfter(trace, c.closedAt!, c)) {
        problems.add('reconnected after 1000');
        evidence.push(
          timeEvidence(
            r.openedAt,
            `connection ${r.number} opened after the server closed with 1000`,
          ),
        );
      }
    }
    let judged = normal.length;
    let noCode = 0;
    for (const end of ends) {
      const live = trace.connections.filter(
        (c) => c.openedAt <= end.at && (c.closedAt === undefined || c.closedAt >= end.at),
      );
      for (const c of live) {
        judged += 1;
        if (c.closedAt === undefined || c.closedAt - end.at > cleanMs) {
          if (c.closedAt === undefined && trace.endedAt - end.at < cleanMs) continue;
          problems.add('not closed promptly');
          evidence.push(
            timeEvidence(
              end.at,
              `connection ${c.number} ${c.closedAt === undefined ? 'never closed' : `closed ${fmtMs(c.closedAt - end.at)}`} after the app ended the session`,
            ),
          );
        } else if (c.closedBy === 'client' && c.closeCode === 1005) {
          noCode += 1;
        } else if (c.closedBy !== 'client' || c.closeCode !== 1000) {
          problems.add('not closed with 1000');
          evidence.push(
            timeEvidence(
              c.closedAt,
              `connection ${c.number} closed by the ${c.closedBy ?? 'unknown side'} with ${c.closeCode ?? 'no code'}`,
            ),
          );
        }
      }
      const next = trace.actions.find((a) => a.kind === 'connect' && a.at > end.at)?.at ?? Infinity;
      const after = trace.frames.findIndex(
        (f) => f.dir === 'in' && f.at > end.at + grace && f.at < next,
      );
      if (after !== -1) {
        problems.add('sent after end');
        evidence.push(
          frameEvidence(
            trace,
            after,
            `${trace.frames[after]!.event?.type ?? 'frame'} sent ${fmtMs(trace.frames[after]!.at - end.at)} after the app ended the session`,
          ),
        );
      }
      for (const r of reconnectsAfter(trace, end.at)) {
        if (live.includes(r)) continue;
        problems.add('reconnected after end');
        evidence.push(
          timeEvidence(r.openedAt, `connection ${r.number} opened after the app ended the session`),
        );
      }
    }
    if (judged === 0 && evidence.length === 0) return undefined;
    if (evidence.length === 0) {
      const note =
        noCode > 0
          ? ` (${plural(noCode, 'close frame')} without a status code, seen as 1005: a completed handshake, clean; 1000 says it better)`
          : '';
      return pass(`Sessions ended cleanly with 1000 and stayed ended${note}.`);
    }
    return fail(`Sessions did not end cleanly: ${[...problems].join(', ')}.`, evidence);
  },
};

/** A `blackhole` the runner injected, and a connection it silenced. */
interface Silence {
  at: number;
  connection: TraceConnection;
}

/** The connections silenced by `blackhole` faults (open when the fault went in, and targeted). */
function silences(trace: Trace): Silence[] {
  const out: Silence[] = [];
  for (const a of actionsOf(trace, 'fault')) {
    const fault = a.data.fault;
    if (fault.do.action !== 'blackhole') continue;
    for (const c of trace.connections) {
      const targeted =
        fault.session === undefined || fault.session === 'all' || fault.session === c.number;
      if (targeted && c.openedAt <= a.at && (c.closedAt ?? Infinity) > a.at)
        out.push({ at: a.at, connection: c });
    }
  }
  return out;
}

/**
 * When the client noticed a silence: it closed (or cut) the silent connection, or opened
 * another, before the app ended the session (`ended`) or the trace did. Undefined: it did not.
 */
function noticedAt(trace: Trace, s: Silence, ended: number | undefined): number | undefined {
  const c = s.connection;
  const times = [
    c.closedBy === 'client' ? c.closedAt : undefined,
    trace.connections.find((x) => x.number > c.number && x.openedAt >= s.at)?.openedAt,
  ].filter(
    (t): t is number =>
      t !== undefined && t >= s.at && (ended === undefined ? t <= trace.endedAt : t < ended),
  );
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** The server pings no pong answered while the connection stayed open `pongMs` after them. */
function unansweredPings(trace: Trace, pongMs: number, silenced: readonly Silence[]) {
  const answered: number[] = [];
  const unanswered: Array<{ at: number; connection: number }> = [];
  for (const c of trace.connections) {
    const silentFrom = silenced.find((s) => s.connection === c)?.at ?? Infinity;
    const end = Math.min(c.closedAt ?? trace.endedAt, trace.endedAt, silentFrom);
    for (const p of c.pings ?? []) {
      if (p.by !== 'server' || p.at >= silentFrom) continue;
      if (p.pongAt !== undefined) answered.push(p.pongAt - p.at);
      else if (end - p.at >= pongMs) unanswered.push({ at: p.at, connection: c.number });
    }
  }
  return { answered, unanswered };
}

/** LIVENESS: pings answered; a silent dead connection noticed. */
export const liveness: Rule = {
  id: 'LIVENESS',
  level: 'SHOULD',
  title: 'Pings answered; dead connections noticed',
  section: 'protocol §1 (connection)',
  description:
    'The client answers WebSocket pings even while idle, and notices a silent dead connection ' +
    'within `liveness.detectMs` (45 s). The mock pings every connection (the trace records ' +
    'each ping and its pong): a ping left unanswered while the connection stayed open ' +
    '`liveness.pongMs` after it fails. In `silent-server` the mock black-holes the connection ' +
    'after a reply (a `blackhole` fault: nothing more is sent, no pings, no pongs, the socket ' +
    'stays open, like a half-open socket after a network change). The client must notice by ' +
    'itself, with its own pings or an application-level timeout, and close or reconnect: it ' +
    'passes when it closes the silent connection or opens another within the budget, and fails ' +
    'when it sits on it longer (or notices only later). A connection of a trace without ' +
    'pings or silence does not exercise the rule. Real-world failure: a half-open socket after ' +
    'a network change leaves the app "connected" and deaf for minutes.',
  sources: ['livekit/agents#7363'],
  needs: {},
  check(trace, context) {
    if (trace.connections.length === 0) return undefined;
    const detectMs = budget(context, 'liveness.detectMs');
    const silenced = silences(trace);
    const pings = unansweredPings(trace, budget(context, 'liveness.pongMs'), silenced);
    const evidence: Evidence[] = [];
    const findings: string[] = [];
    const good: string[] = [];
    let short: string | undefined;
    for (const p of pings.unanswered) {
      evidence.push(
        timeEvidence(p.at, `the mock's ping on connection ${p.connection} got no pong`),
      );
    }
    if (pings.unanswered.length > 0)
      findings.push(`${plural(pings.unanswered.length, 'ping')} of the mock left unanswered`);
    if (pings.answered.length > 0) good.push(`${plural(pings.answered.length, 'ping')} answered`);
    for (const s of silenced) {
      const ended = actionsOf(trace, 'end').find((a) => a.at >= s.at)?.at;
      const end = ended ?? trace.endedAt;
      const seen = noticedAt(trace, s, ended);
      const n = s.connection.number;
      if (seen !== undefined && seen - s.at <= detectMs) {
        good.push(`the silence of connection ${n} noticed after ${fmtMs(seen - s.at)}`);
      } else if (seen !== undefined) {
        findings.push(`the silence of connection ${n} noticed only after ${fmtMs(seen - s.at)}`);
        evidence.push(
          timeEvidence(seen, `noticed ${fmtMs(seen - s.at)} after the mock went silent`),
        );
      } else if (end - s.at >= detectMs) {
        findings.push(`the silence of connection ${n} not noticed in ${fmtMs(end - s.at)}`);
        evidence.push(
          timeEvidence(s.at, `the mock went silent on connection ${n}; the client sat on it`),
        );
      } else {
        short = `the run ended ${fmtMs(end - s.at)} after the mock went silent on connection ${n}, before the ${fmtMs(detectMs)} budget`;
      }
    }
    if (findings.length > 0)
      return fail(`Liveness: ${findings.join('; ')} (budget ${fmtMs(detectMs)}).`, evidence);
    if (short !== undefined) return notObservable(`Liveness cannot be judged: ${short}.`);
    if (good.length === 0) return undefined;
    return pass(`Liveness held: ${good.join('; ')}.`);
  },
};

/** The close family, in catalogue order. */
export const CLOSE_RULES: readonly Rule[] = [
  closeAuth,
  closeLimit,
  closeBusy,
  closeClean,
  liveness,
];
