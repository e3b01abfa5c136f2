import { DEFAULT_BUDGETS, DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule, RuleContext, Verdict } from './rule.js';
import { AUDIO_OUT_RULES } from './audio-out.js';
import { CLOSE_RULES } from './close.js';
import { ERROR_RULES } from './errors.js';
import { INTERRUPTION_RULES } from './interruption.js';
import { MODE_RULES } from './modes.js';
import { PLAYBACK_RULES } from './playback.js';
import { RESOURCE_RULES } from './resources.js';
import { SESSION_RULES } from './session.js';
import { TOOL_RULES } from './tools.js';
import { WIRE_RULES } from './wire.js';
import type { Trace } from '../trace/trace.js';

/*
 * The one registry of rules: every rule is listed here once, in catalogue order, grouped in
 * families. The runner selects from it, judges with `judge`, and reports by id.
 */

/** A family of rules, as the catalogue groups them (docs/rules.md follows it). */
export interface RuleFamily {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** The rule families, in catalogue order. */
export const RULE_FAMILIES: readonly RuleFamily[] = [
  { name: 'Wire', rules: WIRE_RULES },
  { name: 'Session set-up', rules: SESSION_RULES },
  { name: 'Audio out of the client', rules: AUDIO_OUT_RULES },
  { name: 'Audio into the speaker', rules: PLAYBACK_RULES },
  { name: 'Interruption', rules: INTERRUPTION_RULES },
  { name: 'Tools', rules: TOOL_RULES },
  { name: 'Errors and events', rules: ERROR_RULES },
  { name: 'Close codes and reconnection', rules: CLOSE_RULES },
  { name: 'Modes', rules: MODE_RULES },
  { name: 'Resources', rules: RESOURCE_RULES },
];

/** Every rule, in catalogue order. */
export const RULES: readonly Rule[] = RULE_FAMILIES.flatMap((f) => f.rules);

const byId = new Map(RULES.map((r) => [r.id, r]));
if (byId.size !== RULES.length) throw new Error('conformance catalogue: duplicate rule ids');

/** The rule with this id (case-insensitive), or undefined. */
export function ruleById(id: string): Rule | undefined {
  return byId.get(id.trim().toUpperCase());
}

/** Stable codes of {@link RuleSelectionError}. */
export type RuleSelectionErrorCode = 'UNKNOWN_RULE' | 'NO_RULES_SELECTED';

/** A rule selection that names unknown rules or selects nothing. */
export class RuleSelectionError extends Error {
  override readonly name = 'RuleSelectionError';

  constructor(
    readonly code: RuleSelectionErrorCode,
    message: string,
    /** The ids or patterns that matched no rule. */
    readonly unknown: readonly string[],
    /** Every valid id, in catalogue order. */
    readonly valid: readonly string[],
  ) {
    super(message);
  }
}

/** What to select: ids or globs (`TOOL-*`, `CLOSE-?USY`), and/or a text to grep for. */
export interface RuleSelection {
  /**
   * Rule ids or glob patterns (`*` any run of characters, `?` one), case-insensitive. An entry
   * may hold several separated by commas or spaces (`"TOOL-*,CLOSE-BUSY"`). Default: all rules.
   */
  ids?: readonly string[];
  /**
   * Case-insensitive text that must occur in the rule's id, title, description, section or
   * sources. Combined with `ids` by AND.
   */
  grep?: string;
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$+.()|{}[\]]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Selects rules by ids / globs and grep text, in catalogue order.
 *
 * @throws RuleSelectionError `UNKNOWN_RULE` when an id or pattern matches no rule (the error
 *   names them and lists the valid ids), `NO_RULES_SELECTED` when the filters leave nothing.
 * @example
 * selectRules({ ids: ['TOOL-*', 'barge-stop'] });
 * selectRules({ grep: 'reconnect' });
 */
export function selectRules(selection: RuleSelection = {}): Rule[] {
  const valid = RULES.map((r) => r.id);
  let chosen: Rule[] = [...RULES];
  const patterns = (selection.ids ?? []).flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
  if (patterns.length > 0) {
    const unknown: string[] = [];
    const picked = new Set<Rule>();
    for (const p of patterns) {
      const re = globToRegExp(p);
      const hits = RULES.filter((r) => re.test(r.id));
      if (hits.length === 0) unknown.push(p);
      for (const h of hits) picked.add(h);
    }
    if (unknown.length > 0) {
      throw new RuleSelectionError(
        'UNKNOWN_RULE',
        `unknown rule ${unknown.length === 1 ? 'id' : 'ids'} ${unknown.join(', ')}; valid ids: ${valid.join(', ')}`,
        unknown,
        valid,
      );
    }
    chosen = chosen.filter((r) => picked.has(r));
  }
  const grep = selection.grep?.trim().toLowerCase();
  if (grep) {
    chosen = chosen.filter((r) =>
      [r.id, r.title, r.description, r.section, ...r.sources].some((t) =>
        t.toLowerCase().includes(grep),
      ),
    );
  }
  if (chosen.length === 0) {
    throw new RuleSelectionError(
      'NO_RULES_SELECTED',
      `no rule matches${patterns.length > 0 ? ` ${patterns.join(', ')}` : ''}${grep ? ` with text "${selection.grep}"` : ''}; valid ids: ${valid.join(', ')}`,
      [],
      valid,
    );
  }
  return chosen;
}

/**
 * Judges one trace with one rule, applying its needs first:
 *
 * - an [app] rule (`needs.app`) on a wire-only trace → `not_observable`;
 * - a feature in `needs.features` the adapter did not declare → `skipped`, naming it (a
 *   wire-only run declares none);
 * - otherwise the rule's `check`; `undefined` means the trace does not exercise the rule;
 * - a `check` that throws → `harness_error` with the message (a bug of the harness, never a
 *   verdict on the client).
 *
 * `context` defaults to the default budgets; budgets it lacks fall back to the defaults.
 */
export function judge(
  rule: Rule,
  trace: Trace,
  context: RuleContext = DEFAULT_RULE_CONTEXT,
): Verdict | undefined {
  const blocked = needsVerdict(rule, trace);
  if (blocked) return blocked;
  return guarded(rule, () => rule.check(trace, withDefaults(context)));
}

/**
 * Judges the repetitions of one scenario together with a rule's `checkRuns` (undefined when
 * the rule has none, or no trace gets past its needs).
 */
export function judgeRuns(
  rule: Rule,
  traces: readonly Trace[],
  context: RuleContext = DEFAULT_RULE_CONTEXT,
): Verdict | undefined {
  if (!rule.checkRuns) return undefined;
  const usable = traces.filter((t) => needsVerdict(rule, t) === undefined);
  if (usable.length === 0) return undefined;
  return guarded(rule, () => rule.checkRuns!(usable, withDefaults(context)));
}

function needsVerdict(rule: Rule, trace: Trace): Verdict | undefined {
  if (rule.needs.app && trace.drive === 'wire-only') {
    return {
      status: 'not_observable',
      reason: `${rule.id} needs the app side (adapter reports) and this run was wire-only.`,
      evidence: [],
    };
  }
  const missing = (rule.needs.features ?? []).filter((f) => !trace.features.includes(f));
  if (missing.length > 0) {
    const list = missing.map((f) => `"${f}"`).join(', ');
    return {
      status: 'skipped',
      reason:
        trace.drive === 'wire-only'
          ? `${rule.id} needs feature ${list}; a wire-only run declares no features.`
          : `${rule.id} needs feature ${list}, which the adapter did not declare.`,
      evidence: [],
    };
  }
  return undefined;
}

function guarded(rule: Rule, run: () => Verdict | undefined): Verdict | undefined {
  try {
    return run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'harness_error',
      reason: `${rule.id} could not judge the trace: its check threw (${message}).`,
      evidence: [],
    };
  }
}

function withDefaults(context: RuleContext): RuleContext {
  return { ...context, budgets: { ...DEFAULT_BUDGETS, ...context.budgets } };
}
