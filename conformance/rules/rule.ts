import type { Budgets } from '../metrics/budgets.js';

export type { Budgets };
import type { Trace } from '../trace/trace.js';

/** MUST rules decide the exit code; SHOULD rules only with `--fail-on should`. */
export type RuleLevel = 'MUST' | 'SHOULD';

/**
 * A graded verdict, in the spirit of Autobahn's OK / NON-STRICT / FAILED:
 *
 * - `pass`: the trace shows the rule kept.
 * - `fail`: the trace shows the rule broken.
 * - `warn`: kept, but not the way swaram documents it (e.g. the GA nested session shape), or
 *   a metric over its proposed budget on a SHOULD rule.
 * - `skipped`: the adapter declared that the client lacks a feature the rule needs.
 * - `not_observable`: the rule needs app-side reports (the adapter) and there are none.
 * - `harness_error`: the harness could not judge (the adapter channel broke, a timeout of
 *   the harness itself); never the client's fault, never a pass.
 */
export type VerdictStatus =
  'pass' | 'fail' | 'warn' | 'skipped' | 'not_observable' | 'harness_error';

/** A pointer into the trace that supports a verdict. */
export interface Evidence {
  /** Clock time of what is shown. */
  at?: number;
  /** Index into `trace.frames`, when the evidence is a frame. */
  frame?: number;
  /** Index into `trace.observations`, when it is an adapter observation. */
  observation?: number;
  /** What this piece of evidence shows, in a few words. */
  note: string;
}

/** A rule's judgement of one trace. */
export interface Verdict {
  status: VerdictStatus;
  /** One sentence: why this verdict. */
  reason: string;
  evidence: Evidence[];
}

/** What a rule needs before it can judge; missing needs decide skipped / not observable. */
export interface RuleNeeds {
  /** Adapter features (docs/adapter-protocol.md) the client must declare; else `skipped`. */
  features?: readonly string[];
  /** True when the rule reads adapter observations ([app]); wire-only runs: `not_observable`. */
  app?: boolean;
}

/** What a rule may read besides the trace. */
export interface RuleContext {
  budgets: Budgets;
}

/**
 * One rule of the catalogue: declarative metadata plus one small, pure check.
 *
 * `check` returns `undefined` when the trace does not exercise the rule (a scenario without
 * tool calls says nothing about TOOL-ANSWER); otherwise a verdict with a one-sentence reason
 * and evidence. It never throws for client behaviour: throwing is for harness bugs.
 */
export interface Rule {
  /** Stable id, e.g. `SESSION-FIRST`. */
  id: string;
  level: RuleLevel;
  /** A short title. */
  title: string;
  /** What a conforming client does, and why (the failure real SDKs shipped). */
  description: string;
  /** The protocol section it checks, e.g. `protocol §4 session.update`. */
  section: string;
  /** Public evidence that clients get this wrong (issue references). */
  sources: readonly string[];
  needs: RuleNeeds;
  /** Metric names this rule reports (see metrics.ts). */
  metrics?: readonly string[];
  /**
   * `true` when the verdict reads only what the client sent and in what order, never how soon:
   * a harness starved of CPU cannot make such a rule fail, so a starved run that failed only
   * rules like it is not run again (`--retries`: its failures would stand on every attempt).
   * Leave it out when in doubt: a rule without it is treated as timing-sensitive.
   */
  timingFree?: true;
  check(trace: Trace, context: RuleContext): Verdict | undefined;
  /**
   * Optional: a judgement across repetitions of one scenario (e.g. reconnect delays must
   * spread across runs: jitter). Called with every repetition's trace after they all ran;
   * its verdict joins the per-trace ones.
   */
  checkRuns?(traces: readonly Trace[], context: RuleContext): Verdict | undefined;
}
