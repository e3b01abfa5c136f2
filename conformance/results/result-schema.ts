import type { FromSchema } from 'json-schema-to-ts';

const verdictStatus = {
  enum: ['pass', 'fail', 'warn', 'skipped', 'not_observable', 'harness_error'],
} as const;

const evidenceSchema = {
  type: 'object',
  properties: {
    at: { type: 'number', description: 'ms since the scenario run started' },
    frame: { type: 'integer', minimum: 0 },
    observation: { type: 'integer', minimum: 0 },
    note: { type: 'string' },
  },
  required: ['note'],
  additionalProperties: false,
} as const;

const ruleRunSchema = {
  type: 'object',
  properties: {
    scenario: { type: 'string' },
    run: {
      type: 'integer',
      minimum: 0,
      description: 'the scenario run judged; 0 for a judgement across its repetitions (--repeat)',
    },
    status: verdictStatus,
    reason: { type: 'string' },
    evidence: { type: 'array', items: evidenceSchema },
  },
  required: ['scenario', 'run', 'status', 'reason', 'evidence'],
  additionalProperties: false,
} as const;

const ruleResultSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    level: { enum: ['MUST', 'SHOULD'] },
    title: { type: 'string' },
    section: { type: 'string' },
    status: verdictStatus,
    reason: { type: 'string', description: 'one sentence: why the overall status' },
    runs: {
      type: 'array',
      items: ruleRunSchema,
      description: 'every judgement, one per scenario run that exercised the rule',
    },
  },
  required: ['id', 'level', 'title', 'section', 'status', 'reason', 'runs'],
  additionalProperties: false,
} as const;

const scenarioRunSchema = {
  type: 'object',
  properties: {
    run: { type: 'integer', minimum: 1 },
    durationMs: { type: 'number' },
    file: {
      type: 'string',
      description: "the run's JSON (trace and verdicts), relative to index.json",
    },
    harnessErrors: { type: 'array', items: { type: 'string' } },
    verdicts: {
      type: 'object',
      additionalProperties: verdictStatus,
      description: 'rule id → status, for the rules this run exercised',
    },
    frames: { type: 'integer', minimum: 0 },
    connections: { type: 'integer', minimum: 0 },
    stalledMs: {
      type: 'number',
      minimum: 0,
      description:
        "how long the runner's own event loop was stalled during the run (a loaded machine), ms; absent on a fake clock",
    },
    retried: {
      type: 'array',
      description:
        'earlier attempts at this run that failed while the harness was starved (stalled 5 % of the run, or 250 ms at once) and were run again (--retries); their files are kept',
      items: {
        type: 'object',
        properties: {
          file: { type: 'string' },
          stalledMs: { type: 'number', minimum: 0 },
          longestStallMs: { type: 'number', minimum: 0 },
          failed: { type: 'array', items: { type: 'string' } },
        },
        required: ['file', 'stalledMs', 'longestStallMs', 'failed'],
        additionalProperties: false,
      },
    },
  },
  required: ['run', 'durationMs', 'file', 'harnessErrors', 'verdicts', 'frames', 'connections'],
  additionalProperties: false,
} as const;

const scenarioResultSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    family: { type: 'string' },
    description: { type: 'string' },
    status: { enum: ['ran', 'skipped'] },
    skipReason: { type: 'string' },
    rules: { type: 'array', items: { type: 'string' } },
    runs: { type: 'array', items: scenarioRunSchema },
    replay: { type: 'string', description: 'a command line that runs this scenario again' },
  },
  required: ['id', 'title', 'family', 'description', 'status', 'rules', 'runs', 'replay'],
  additionalProperties: false,
} as const;

const metricResultSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    unit: { const: 'ms' },
    budget: { type: ['number', 'null'], description: 'p95 budget, ms; null when none' },
    count: { type: 'integer', minimum: 0 },
    p50: { type: ['number', 'null'] },
    p95: { type: ['number', 'null'] },
    max: { type: ['number', 'null'] },
    withinBudget: { type: ['boolean', 'null'] },
    samples: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          scenario: { type: 'string' },
          run: { type: 'integer' },
          value: { type: 'number' },
        },
        required: ['scenario', 'run', 'value'],
        additionalProperties: false,
      },
    },
  },
  required: [
    'name',
    'description',
    'unit',
    'budget',
    'count',
    'p50',
    'p95',
    'max',
    'withinBudget',
    'samples',
  ],
  additionalProperties: false,
} as const;

/** `swaram-conform explore`: what was generated and tried, and the shrunk failing case. */
const exploreSchema = {
  type: 'object',
  properties: {
    seed: { type: 'integer' },
    casesTried: {
      type: 'integer',
      minimum: 0,
      description: 'generated cases run (re-runs not counted)',
    },
    caseRuns: {
      type: 'integer',
      minimum: 0,
      description: 'case runs in all, re-runs and shrinking included',
    },
    casesPerMinute: { type: 'number' },
    harnessErrorRuns: { type: 'integer', minimum: 0 },
    unconfirmed: {
      type: 'integer',
      minimum: 0,
      description: 'cases that failed once but not on re-run (not shrunk)',
    },
    unconfirmedRules: {
      type: 'array',
      items: { type: 'string' },
      description: 'the rules those cases failed on their first run',
    },
    budgetHit: { type: 'boolean', description: 'the time budget stopped generation early' },
    speed: {
      type: 'string',
      description: 'how cases ran: "fake clock (in process)" or "real clock ×<speed> (spawned)"',
    },
    budgets: {
      type: 'object',
      properties: {
        runs: { type: 'integer' },
        timeMs: { type: 'number' },
        shrinkRuns: { type: 'integer' },
        shrinkTimeMs: { type: 'number' },
      },
      required: ['runs', 'timeMs', 'shrinkRuns', 'shrinkTimeMs'],
      additionalProperties: false,
    },
    judged: {
      type: 'string',
      description:
        'what the scenarios of this result are: the shrunk counterexample, or a sample case',
    },
    failure: {
      type: 'object',
      properties: {
        rule: { type: 'string' },
        reason: { type: 'string' },
        path: { type: 'string', description: "fast-check's path of the shrunk case" },
        replay: { type: 'string', description: 'the command line that replays the shrunk case' },
        fixture: {
          type: 'string',
          description:
            'the shrunk case as a fixture folder (swaram-mock --fixture, swaram-conform --fixture)',
        },
        originalSize: { type: 'integer' },
        shrunkSize: { type: 'integer' },
        shrinkRuns: { type: 'integer' },
        shrinkSteps: { type: 'integer' },
        shrinkMs: { type: 'number' },
        shrinkBudgetHit: { type: 'boolean' },
        shrunk: {
          type: 'object',
          description: 'the shrunk case (conformance/explore/explore-case.ts)',
        },
      },
      required: [
        'rule',
        'reason',
        'path',
        'replay',
        'fixture',
        'originalSize',
        'shrunkSize',
        'shrinkRuns',
        'shrinkSteps',
        'shrinkMs',
        'shrinkBudgetHit',
        'shrunk',
      ],
      additionalProperties: false,
    },
  },
  required: [
    'seed',
    'casesTried',
    'caseRuns',
    'casesPerMinute',
    'harnessErrorRuns',
    'unconfirmed',
    'budgetHit',
    'speed',
    'budgets',
    'judged',
  ],
  additionalProperties: false,
} as const;

/**
 * The result model of one `swaram-conform` run: `reports/<run-id>/index.json`. Every report
 * (terminal, JUnit, HTML, Markdown) renders this and nothing else. See docs/reports.md.
 */
export const runResultSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'swaram-conform:result/1',
  type: 'object',
  properties: {
    schema: { const: 'swaram-conform/result/1' },
    runId: { type: 'string' },
    startedAt: { type: 'string', description: 'ISO 8601' },
    durationMs: { type: 'number' },
    tool: {
      type: 'object',
      properties: { name: { type: 'string' }, version: { type: 'string' } },
      required: ['name', 'version'],
      additionalProperties: false,
    },
    target: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        mode: { enum: ['adapter', 'wire'] },
        command: { type: 'string' },
        client: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            language: { type: 'string' },
          },
          additionalProperties: false,
        },
        features: { type: 'array', items: { type: 'string' } },
      },
      required: ['name', 'mode', 'command', 'features'],
      additionalProperties: false,
    },
    options: {
      type: 'object',
      properties: {
        speed: { type: 'number' },
        repeat: { type: 'integer', minimum: 1 },
        failOn: { enum: ['must', 'should', 'warn'] },
        model: { type: 'string' },
        rules: { type: 'array', items: { type: 'string' } },
        grep: { type: 'string' },
        scenarios: {
          type: 'array',
          items: { type: 'string' },
          description: 'every selected scenario (of all shards, for a --shard run)',
        },
        long: { type: 'boolean' },
        shard: {
          type: 'object',
          description:
            "set when this run is one slice (--shard index/count): the result's `scenarios` hold its slice only, `options.scenarios` every selected one",
          properties: {
            index: { type: 'integer', minimum: 1 },
            count: { type: 'integer', minimum: 1 },
          },
          required: ['index', 'count'],
          additionalProperties: false,
        },
      },
      required: ['speed', 'repeat', 'failOn', 'scenarios'],
      additionalProperties: false,
    },
    summary: {
      type: 'object',
      properties: {
        passed: { type: 'boolean' },
        exitCode: { enum: [0, 1, 3] },
        harnessErrorRuns: {
          type: 'integer',
          description: 'scenario runs the harness could not judge (adapter or runner problems)',
        },
        line: { type: 'string', description: 'the outcome in one line' },
        counts: {
          type: 'object',
          properties: {
            pass: { type: 'integer' },
            fail: { type: 'integer' },
            warn: { type: 'integer' },
            skipped: { type: 'integer' },
            not_observable: { type: 'integer' },
            harness_error: { type: 'integer' },
          },
          required: ['pass', 'fail', 'warn', 'skipped', 'not_observable', 'harness_error'],
          additionalProperties: false,
        },
        failing: {
          type: 'array',
          items: { type: 'string' },
          description: 'rule ids that decide the exit code',
        },
      },
      required: ['passed', 'exitCode', 'counts', 'failing'],
      additionalProperties: false,
    },
    rules: { type: 'array', items: ruleResultSchema },
    scenarios: { type: 'array', items: scenarioResultSchema },
    metrics: { type: 'array', items: metricResultSchema },
    replay: { type: 'string', description: 'a command line that repeats this run' },
    explore: exploreSchema,
    mergedFrom: {
      type: 'array',
      items: { type: 'string' },
      description:
        'set by `swaram-conform merge`: the runIds of the shard runs this result joins, by shard index',
    },
    interrupted: {
      type: 'boolean',
      description:
        'true when the run was stopped (Ctrl-C, SIGTERM) before every scenario ran: the result holds what was judged so far',
    },
  },
  required: [
    'schema',
    'runId',
    'startedAt',
    'durationMs',
    'tool',
    'target',
    'options',
    'summary',
    'rules',
    'scenarios',
    'metrics',
    'replay',
  ],
  additionalProperties: false,
} as const;

/** The `skipReason` of a scenario that an interrupted run never got to (`interrupted: true`). */
export const NOT_RUN_REASON = 'not run: the run was interrupted';

export type RunResult = FromSchema<typeof runResultSchema>;
export type RuleResult = FromSchema<typeof ruleResultSchema>;
export type RuleRunResult = FromSchema<typeof ruleRunSchema>;
export type ScenarioResult = FromSchema<typeof scenarioResultSchema>;
export type ScenarioRunResult = FromSchema<typeof scenarioRunSchema>;
export type MetricResult = FromSchema<typeof metricResultSchema>;
export type ExploreSummary = FromSchema<typeof exploreSchema>;
