import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRulesDoc, RULES_DOC_PATH } from '../../scripts/rules-doc.js';
import {
  judge,
  judgeRuns,
  RULE_FAMILIES,
  RULES,
  ruleById,
  RuleSelectionError,
  selectRules,
} from './catalogue.js';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import { metricByName } from '../metrics/metrics.js';
import type { Rule } from './rule.js';
import { traceBuilder } from '../testing/trace-builder.js';

/** The catalogue's ids, restated: the registry must hold exactly these. */
const CATALOGUE_IDS = [
  'WIRE-SCHEMA',
  'SESSION-FIRST',
  'SESSION-ACK',
  'SESSION-LOCK',
  'SUBSET-ONLY',
  'SESSION-SHAPE',
  'APPEND-FORMAT',
  'APPEND-SIZE',
  'APPEND-PACE',
  'PLAY-ORDER',
  'PLAY-STRICT',
  'BARGE-STOP',
  'STALE-FENCE',
  'CANCEL-ACTIVE',
  'RACE-TOLERANT',
  'TOOL-ANSWER',
  'TOOL-TRIGGER',
  'TOOL-ONCE',
  'TOOL-NO-NUDGE',
  'TOOL-STALE',
  'ERROR-SURVIVE',
  'UNKNOWN-TOLERANT',
  'DONE-STATUS',
  'TRANSCRIPT-ATTRIB',
  'CLOSE-AUTH',
  'CLOSE-LIMIT',
  'CLOSE-BUSY',
  'CLOSE-CLEAN',
  'LIVENESS',
  'MODE-PREMIUM',
  'PUSH-TO-TALK',
  'BOUNDED-MEMORY',
];

const MUST = new Set([
  'WIRE-SCHEMA',
  'SESSION-FIRST',
  'SESSION-LOCK',
  'SUBSET-ONLY',
  'APPEND-FORMAT',
  'PLAY-ORDER',
  'BARGE-STOP',
  'STALE-FENCE',
  'RACE-TOLERANT',
  'TOOL-ANSWER',
  'TOOL-TRIGGER',
  'TOOL-ONCE',
  'TOOL-STALE',
  'ERROR-SURVIVE',
  'UNKNOWN-TOLERANT',
  'CLOSE-AUTH',
  'CLOSE-LIMIT',
  'CLOSE-BUSY',
  'MODE-PREMIUM',
]);

describe('RULES', () => {
  it('holds every rule of the catalogue once, in order', () => {
    expect(RULES.map((r) => r.id)).toEqual(CATALOGUE_IDS);
    expect(RULE_FAMILIES.flatMap((f) => f.rules)).toEqual(RULES);
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s is complete', (id, rule) => {
    expect(rule.level).toBe(MUST.has(id) ? 'MUST' : 'SHOULD');
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.description.length).toBeGreaterThan(200);
    expect(rule.description).toMatch(/Real-world failure/);
    expect(rule.section).toMatch(/§\d/);
    for (const m of rule.metrics ?? []) expect(metricByName(m), m).toBeDefined();
  });

  it('gives app rules the adapter features the adapter protocol names', () => {
    const needs = (id: string) => ruleById(id)!.needs;
    expect(needs('PLAY-ORDER')).toEqual({ features: ['playback'], app: true });
    expect(needs('BARGE-STOP')).toEqual({ features: ['playback', 'barge-in'], app: true });
    expect(needs('DONE-STATUS').features).toEqual(['responses']);
    expect(needs('TRANSCRIPT-ATTRIB').features).toEqual(['transcripts']);
    expect(needs('CLOSE-BUSY').features).toEqual(['reconnect']);
    expect(needs('CLOSE-AUTH').features).toBeUndefined();
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s says nothing about an empty trace',
    (_id, rule) => {
      expect(rule.check(traceBuilder().build(), DEFAULT_RULE_CONTEXT)).toBeUndefined();
    },
  );
});

describe('ruleById', () => {
  it('finds rules case-insensitively', () => {
    expect(ruleById('barge-stop')?.id).toBe('BARGE-STOP');
    expect(ruleById('NOPE')).toBeUndefined();
  });
});

describe('selectRules', () => {
  it('selects everything by default', () => {
    expect(selectRules()).toHaveLength(RULES.length);
  });

  it('selects by ids and globs, comma-separated or not, in catalogue order', () => {
    expect(selectRules({ ids: ['close-busy', 'TOOL-*'] }).map((r) => r.id)).toEqual([
      'TOOL-ANSWER',
      'TOOL-TRIGGER',
      'TOOL-ONCE',
      'TOOL-NO-NUDGE',
      'TOOL-STALE',
      'CLOSE-BUSY',
    ]);
    expect(selectRules({ ids: ['SESSION-????,LIVENESS'] }).map((r) => r.id)).toEqual([
      'SESSION-LOCK',
      'LIVENESS',
    ]);
  });

  it('names unknown ids and the valid ones', () => {
    let error: unknown;
    try {
      selectRules({ ids: ['BARGE-STOP', 'BARGE-STAHP', 'FOO-*'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleSelectionError);
    const e = error as RuleSelectionError;
    expect(e.code).toBe('UNKNOWN_RULE');
    expect(e.unknown).toEqual(['BARGE-STAHP', 'FOO-*']);
    expect(e.message).toContain('unknown rule ids BARGE-STAHP, FOO-*');
    expect(e.message).toContain('valid ids: WIRE-SCHEMA, SESSION-FIRST');
  });

  it('greps ids, titles, descriptions and sources', () => {
    expect(selectRules({ grep: 'thundering herd' }).map((r) => r.id)).toEqual(['CLOSE-BUSY']);
    expect(selectRules({ grep: 'pipecat-ai/pipecat#871' }).map((r) => r.id)).toEqual([
      'CLOSE-LIMIT',
    ]);
    expect(selectRules({ ids: ['TOOL-*'], grep: 'item_id' }).map((r) => r.id)).toContain(
      'TOOL-ANSWER',
    );
  });

  it('refuses a selection that selects nothing', () => {
    expect(() => selectRules({ grep: 'no rule mentions this' })).toThrow(
      expect.objectContaining({ code: 'NO_RULES_SELECTED' }),
    );
  });
});

describe('judge', () => {
  const bargeStop = ruleById('BARGE-STOP')!;

  it('skips a rule whose feature the adapter did not declare, naming it', () => {
    const v = judge(
      bargeStop,
      traceBuilder({ features: ['playback'] })
        .handshake()
        .build(),
    );
    expect(v).toMatchObject({ status: 'skipped' });
    expect(v!.reason).toContain('"barge-in"');
  });

  it('reports an app rule on a wire-only run as not observable', () => {
    const v = judge(bargeStop, traceBuilder({ drive: 'wire-only' }).handshake().build());
    expect(v?.status).toBe('not_observable');
  });

  it('skips feature rules on a wire-only run', () => {
    const v = judge(ruleById('CLOSE-BUSY')!, traceBuilder({ drive: 'wire-only' }).build());
    expect(v?.status).toBe('skipped');
    expect(v?.reason).toContain('wire-only');
  });

  it('runs the check when the needs are met', () => {
    const t = traceBuilder().open().append().build();
    expect(judge(ruleById('SESSION-FIRST')!, t)?.status).toBe('fail');
    expect(
      judge(ruleById('TOOL-STALE')!, traceBuilder({ features: ['tools'] }).build()),
    ).toBeUndefined();
  });

  it('turns a throwing check into a harness error', () => {
    const broken: Rule = {
      ...ruleById('SESSION-FIRST')!,
      check() {
        throw new Error('boom');
      },
    };
    const v = judge(broken, traceBuilder().build());
    expect(v?.status).toBe('harness_error');
    expect(v?.reason).toContain('boom');
  });

  it('fills budgets the context lacks with the defaults', () => {
    const t = traceBuilder().handshake().stream(3000, 20, 2).build();
    expect(judge(ruleById('APPEND-PACE')!, t, { budgets: {} })?.status).toBe('fail');
    expect(
      judge(ruleById('APPEND-PACE')!, t, { budgets: { 'append.paceShortTolerance': 20 } })?.status,
    ).toBe('pass');
  });
});

describe('judgeRuns', () => {
  it('is undefined for rules without checkRuns, and applies needs', () => {
    const t = traceBuilder().handshake().build();
    expect(judgeRuns(ruleById('SESSION-FIRST')!, [t])).toBeUndefined();
    expect(judgeRuns(ruleById('CLOSE-BUSY')!, [t, t, t])).toBeUndefined();
  });
});

describe('docs/rules.md', () => {
  it('is generated from the catalogue (run `npx tsx scripts/rules-doc.ts` when this fails)', () => {
    expect(readFileSync(RULES_DOC_PATH, 'utf8')).toBe(renderRulesDoc());
  });
});

describe('timing-free rules', () => {
  it('are the ones whose checks read no time, no budget and no timestamp', () => {
    const free = RULES.filter((r) => r.timingFree);
    expect(free.map((r) => r.id).sort()).toEqual([
      'APPEND-FORMAT',
      'SESSION-SHAPE',
      'SUBSET-ONLY',
      'TOOL-ONCE',
      'WIRE-SCHEMA',
    ]);
    for (const rule of free) {
      expect(rule.check.toString(), rule.id).not.toMatch(/budget\(|\.at\b|At\b|Ms\b|stall/);
    }
  });
});
