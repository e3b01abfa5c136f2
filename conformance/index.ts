/**
 * The conformance runner: drive a client through scenarios against the mock and judge it.
 * See docs/adapter-protocol.md, docs/rules.md and docs/reports.md.
 */
export {
  runConformance,
  type ConformanceOptions,
  type ConformanceRun,
  type ProgressReporter,
} from './run-conformance.js';
export { runScenario, type RunScenarioOptions, type ScenarioRun } from './run-scenario.js';
export { SCENARIOS, scenarioById } from './scenarios/index.js';
export type { Scenario, ScenarioContext, ToolBehaviour } from './scenario.js';
export {
  RULES,
  RULE_FAMILIES,
  ruleById,
  selectRules,
  judge,
  judgeRuns,
  RuleSelectionError,
} from './catalogue.js';
export { METRICS, DEFAULT_BUDGETS, BUDGET_DEFINITIONS, summarise } from './metrics.js';
export type {
  Rule,
  RuleLevel,
  Verdict,
  VerdictStatus,
  Evidence,
  RuleContext,
  Budgets,
} from './rule.js';
export type { Trace, TraceFrame, TraceObservation, TraceAction, TraceConnection } from './trace.js';
export { Target, type TargetOptions } from './target.js';
export { resolveTarget, type TargetSpec } from './resolve-target.js';
export { TargetError } from './target-error.js';
export * from './adapter-protocol.js';
export { runResultSchema, type RunResult } from './result-schema.js';
export { terminalReporter } from './reporters/terminal.js';
