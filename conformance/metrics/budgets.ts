/*
 * The budgets: every tunable threshold the rules judge metrics (and their other figures)
 * against, one table with defaults.
 */

/** Budgets for latency metrics (ms) and rule thresholds, by key; the defaults fill gaps. */
export type Budgets = Readonly<Record<string, number>>;

/** One tunable threshold: a metric budget or a rule's parameter. */
export interface BudgetDefinition {
  /** Key in {@link DEFAULT_BUDGETS} and in `RuleContext.budgets`. */
  readonly key: string;
  /** The default value. */
  readonly value: number;
  readonly unit: 'ms' | 'ratio' | 'count' | 'MB/h' | 'MB';
  /** `catalogue`: the value the rule catalogue proposes; `ours`: chosen by this project. */
  readonly source: 'catalogue' | 'ours';
  /** What it bounds, in one sentence. */
  readonly description: string;
}

/**
 * Every budget and threshold the rules use, with its default. All of them are tunable: pass
 * other values in `RuleContext.budgets` (missing keys fall back to these defaults).
 */
export const BUDGET_DEFINITIONS = [
  {
    key: 'L_stop.p95',
    value: 200,
    unit: 'ms',
    source: 'catalogue',
    description:
      'BARGE-STOP: p95 of L_stop (last sample played of what of the interrupted reply was playing or queued at speech_started − speech_started sent).',
  },
  {
    key: 'L_tool_out.p95',
    value: 50,
    unit: 'ms',
    source: 'catalogue',
    description:
      'TOOL-ANSWER: p95 of L_tool_out (client overhead around a tool call); over it the rule warns.',
  },
  {
    key: 'L_cancel.p95',
    value: 250,
    unit: 'ms',
    source: 'ours',
    description:
      'CANCEL-ACTIVE: p95 of L_cancel (response.cancel received − app interrupt); over it the rule warns.',
  },
  {
    key: 'D_1013.firstMin',
    value: 250,
    unit: 'ms',
    source: 'catalogue',
    description: 'CLOSE-BUSY: the first reconnect after a 1013 waits at least this long.',
  },
  {
    key: 'D_1013.growthMin',
    value: 1.5,
    unit: 'ratio',
    source: 'catalogue',
    description:
      'CLOSE-BUSY (across runs): the longest delay per attempt number grows by at least this factor until the cap.',
  },
  {
    key: 'D_1013.growthTolerance',
    value: 0.2,
    unit: 'ratio',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): allowance on the growth factor: the fitted factor must reach growthMin × (1 − this).',
  },
  {
    key: 'D_1013.capMin',
    value: 2000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): delays may stop growing (reach their cap) only once they are at least this long.',
  },
  {
    key: 'D_1013.maxAttempts',
    value: 10,
    unit: 'count',
    source: 'ours',
    description:
      'CLOSE-BUSY: more consecutive reconnects than this after 1013 means there is no attempt limit.',
  },
  {
    key: 'D_1013.waitMs',
    value: 30000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-BUSY: a 1013 followed by this long without a reconnect (or a client that gives up at once) means no reconnect.',
  },
  {
    key: 'D_1013.cvMin',
    value: 0.03,
    unit: 'ratio',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): coefficient of variation of reconnect delays must exceed this (jitter). swaram documents "plus jitter", not "full" jitter: any multiplicative jitter (×U[0.75, 1] has about 0.08) passes; timer noise of a fixed schedule stays under it.',
  },
  {
    key: 'D_1013.minRuns',
    value: 3,
    unit: 'count',
    source: 'ours',
    description:
      'CLOSE-BUSY (across runs): runs with reconnect delays needed to judge growth and spread.',
  },
  {
    key: 'close.limitQuietMs',
    value: 5000,
    unit: 'ms',
    source: 'catalogue',
    description: 'CLOSE-LIMIT: no reconnect within this long after a 4008.',
  },
  {
    key: 'close.cleanMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-CLEAN: after the app ends the session, the client closes with 1000 within this.',
  },
  {
    key: 'close.afterEndGraceMs',
    value: 500,
    unit: 'ms',
    source: 'ours',
    description:
      'CLOSE-CLEAN: frames stamped this soon after the app ended the session were in flight (or held up by the harness); later ones are sent after end.',
  },
  {
    key: 'liveness.detectMs',
    value: 45000,
    unit: 'ms',
    source: 'catalogue',
    description:
      'LIVENESS: a silent dead connection (the mock black-holed it) is noticed within this: the client closes it or reconnects.',
  },
  {
    key: 'liveness.pongMs',
    value: 10000,
    unit: 'ms',
    source: 'ours',
    description:
      'LIVENESS: a ping of the mock with no pong while the connection stayed open this long after it is unanswered.',
  },
  {
    key: 'session.ackTimeoutMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'SESSION-ACK: no session.updated this long after session.update is a missing ack the app must hear about.',
  },
  {
    key: 'append.minChunkMs',
    value: 10,
    unit: 'ms',
    source: 'catalogue',
    description: 'APPEND-SIZE: smallest audio chunk (except the last of a stream).',
  },
  {
    key: 'append.maxChunkMs',
    value: 200,
    unit: 'ms',
    source: 'catalogue',
    description: 'APPEND-SIZE: largest audio chunk.',
  },
  {
    key: 'append.paceTolerance',
    value: 0.1,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: audio ms per wall ms over a stream of append.paceWindowMs or more must lie within 1 ± this.',
  },
  {
    key: 'append.paceWindowMs',
    value: 10000,
    unit: 'ms',
    source: 'catalogue',
    description:
      'APPEND-PACE: streams with at least this much audio are held to append.paceTolerance (the catalogue: ≈ 1.0 over 10 s).',
  },
  {
    key: 'append.paceShortTolerance',
    value: 0.4,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: shorter streams are judged only for gross errors: rate within 1 ± this.',
  },
  {
    key: 'append.paceMinAudioMs',
    value: 2000,
    unit: 'ms',
    source: 'ours',
    description:
      'APPEND-PACE: a continuous stream must carry at least this much audio to be judged.',
  },
  {
    key: 'append.streamGapMs',
    value: 500,
    unit: 'ms',
    source: 'ours',
    description: 'APPEND-PACE / APPEND-SIZE: a pause this long between appends ends a stream.',
  },
  {
    key: 'append.micRatioMax',
    value: 1.1,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: audio sent may exceed the microphone audio fed to the client by at most this factor.',
  },
  {
    key: 'append.pitchTolerance',
    value: 0.1,
    unit: 'ratio',
    source: 'ours',
    description:
      'APPEND-PACE: the pitch of a sung tone in the audio sent may differ from the tone by this fraction (a wrong sample rate moves it ×1.5 or ×0.5).',
  },
  {
    key: 'play.jitterMs',
    value: 150,
    unit: 'ms',
    source: 'ours',
    description:
      'PLAY-ORDER: lateness of audio.played reports tolerated: a silence inside a reply while its audio had arrived, or an overlap, longer than this is a finding.',
  },
  {
    key: 'stale.slackMs',
    value: 200,
    unit: 'ms',
    source: 'ours',
    description:
      'STALE-FENCE: audio of a cancelled reply may still end this long after the cancel (one chunk; at least the L_stop budget).',
  },
  {
    key: 'cancel.raceMs',
    value: 100,
    unit: 'ms',
    source: 'ours',
    description:
      'CANCEL-ACTIVE: a response.cancel arriving this soon after the response ended crossed it on the wire (a race).',
  },
  {
    key: 'errors.closeGraceMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'ERROR-SURVIVE: an error followed this soon by a server close belongs to the close rules.',
  },
  {
    key: 'errors.closeWindowMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'ERROR-SURVIVE, RACE-TOLERANT, UNKNOWN-TOLERANT, PLAY-STRICT, MODE-PREMIUM: a client close this soon after the event counts as caused by it.',
  },
  {
    key: 'errors.ambiguousMs',
    value: 100,
    unit: 'ms',
    source: 'ours',
    description:
      'ERROR-SURVIVE, UNKNOWN-TOLERANT: a client close is attributed to its nearest preceding cause (error, malformed delta, unknown frame); another cause this close before it makes the attribution ambiguous, which the reason says.',
  },
  {
    key: 'app.reportWaitMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'App rules: a wire event this close to the end of the trace may not have been reported yet; it is not judged.',
  },
  {
    key: 'tool.answerWaitMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'TOOL-ANSWER / TOOL-TRIGGER: how long after a tool call (plus the tool run time) its answer may take before it counts as missing.',
  },
  {
    key: 'premium.stallMs',
    value: 1000,
    unit: 'ms',
    source: 'ours',
    description:
      'MODE-PREMIUM: a client that stops streaming the microphone this long after a nudge is waiting for a reply.',
  },
  {
    key: 'ptt.minCommitMs',
    value: 100,
    unit: 'ms',
    source: 'catalogue',
    description: 'PUSH-TO-TALK: audio needed since the last commit, clear or server turn end.',
  },
  {
    key: 'memory.slopeMaxMBPerHour',
    value: 20,
    unit: 'MB/h',
    source: 'catalogue',
    description: 'BOUNDED-MEMORY: largest memory growth, MB per hour (MB = MiB).',
  },
  {
    key: 'memory.minSpanMs',
    value: 20000,
    unit: 'ms',
    source: 'ours',
    description:
      'BOUNDED-MEMORY: memory samples after the warm-up must span at least this long to fit a slope (long-session at speed 3 gives about 25 s).',
  },
  {
    key: 'memory.warmupMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'BOUNDED-MEMORY: samples this soon after the first are warm-up (loading, first buffers) and not fitted.',
  },
  {
    key: 'memory.windowMs',
    value: 5000,
    unit: 'ms',
    source: 'ours',
    description:
      'BOUNDED-MEMORY: the slope goes through the lowest sample of each window this long (after a collection).',
  },
  {
    key: 'memory.noiseMB',
    value: 4,
    unit: 'MB',
    source: 'ours',
    description:
      'BOUNDED-MEMORY: growth over the span below this is noise of a garbage-collected runtime, whatever the slope.',
  },
] as const satisfies readonly BudgetDefinition[];

/** A budget key. */
export type BudgetKey = (typeof BUDGET_DEFINITIONS)[number]['key'];

/** The default of every budget (see {@link BUDGET_DEFINITIONS}). */
export const DEFAULT_BUDGETS: Readonly<Record<BudgetKey, number>> = Object.freeze(
  Object.fromEntries(BUDGET_DEFINITIONS.map((b) => [b.key, b.value])) as Record<BudgetKey, number>,
);

/** The context rules get by default: the default budgets. */
export const DEFAULT_RULE_CONTEXT: { readonly budgets: Budgets } = { budgets: DEFAULT_BUDGETS };

/**
 * A budget from a context, falling back to the default. A key outside {@link BUDGET_DEFINITIONS}
 * is a harness bug and throws.
 */
export function budget(context: { readonly budgets: Budgets }, key: BudgetKey): number {
  const value = context.budgets[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (!(key in DEFAULT_BUDGETS)) throw new Error(`unknown budget ${JSON.stringify(key)}`);
  return DEFAULT_BUDGETS[key];
}
