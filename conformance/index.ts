/**
 * The conformance runner: drive a client through scenarios against the mock and judge it.
 * See docs/adapter-protocol.md, docs/rules.md and docs/reports.md.
 */
export {
  runConformance,
  type ConformanceOptions,
  type ConformanceRun,
  type ProgressReporter,
} from './run/run-conformance.js';
export { RunGate } from './run/run-gate.js';
export { runScenario, type RunScenarioOptions, type ScenarioRun } from './run/run-scenario.js';
export { SCENARIOS, scenarioById } from './scenarios/index.js';
export type { Scenario, ScenarioContext, ToolBehaviour } from './scenarios/scenario.js';
export {
  RULES,
  RULE_FAMILIES,
  ruleById,
  selectRules,
  judge,
  judgeRuns,
  RuleSelectionError,
} from './rules/catalogue.js';
export { METRICS } from './metrics/metrics.js';
export { DEFAULT_BUDGETS, BUDGET_DEFINITIONS } from './metrics/budgets.js';
export { summarise } from './metrics/statistics.js';
export type {
  Rule,
  RuleLevel,
  Verdict,
  VerdictStatus,
  Evidence,
  RuleContext,
  Budgets,
} from './rules/rule.js';
export type {
  Trace,
  TraceFrame,
  TraceObservation,
  TraceAction,
  TraceConnection,
} from './trace/trace.js';
export { Target, type TargetOptions } from './target/target.js';
export { resolveTarget, type TargetSpec } from './target/resolve-target.js';
export { TargetError } from './target/target-error.js';
export {
  ADAPTER_PROTOCOL,
  ADAPTER_FEATURES,
  ADAPTER_REPLY_ERROR_CODES,
  CLIENT_ERROR_KINDS,
  CONNECTION_STATES,
  PLAYBACK_STOP_REASONS,
  RESPONSE_STATUSES,
  commandSchemas,
  observationSchemas,
  adapterMessageSchemas,
  validateAdapterMessage,
  parseAdapterLine,
  validateCommand,
  isObservationType,
  encodeMessage,
  type AdapterFeature,
  type CommandMap,
  type ObservationMap,
  type CommandType,
  type ObservationType,
  type AdapterCommand,
  type Observation,
  type ObservationOf,
  type CommandOf,
  type CommandInput,
  type Hello,
  type Reply,
  type AdapterMessage,
  type AdapterSession,
  type AdapterTool,
  type ReplyErrorCode,
  type ClientErrorKind,
  type ConnectionState,
  type PlaybackStopReason,
  type ResponseStatus,
  type ValidationIssue,
  type LineProblem,
  type ParsedLine,
} from './target/adapter-protocol.js';
export { runResultSchema, type RunResult } from './results/result-schema.js';
export { validateRunResult, type RunResultCheck } from './results/validate-run-result.js';
export { type AudioStorage, type AudioSummary } from './run/run-files.js';
export * from './reporters/index.js';
