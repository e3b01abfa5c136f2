import { resolve } from 'node:path';
import type { Clock } from '../../mock-server/clock.js';
import { DEFAULT_BUDGETS } from '../metrics/budgets.js';
import type { ScenarioResult } from '../results/result-schema.js';
import { selectRules } from '../rules/catalogue.js';
import type { Rule } from '../rules/rule.js';
import type { Scenario } from '../scenarios/scenario.js';
import { SCENARIOS } from '../scenarios/index.js';
import { loadFixtureScenario } from '../scenarios/fixture-scenario.js';
import { resolveTarget, type TargetSpec } from '../target/resolve-target.js';
import { Target } from '../target/target.js';
import { shardScenarios, type Shard } from './plan-order.js';
import type { ConformanceOptions } from './run-conformance.js';

/** Everything decided before the first scenario runs. */
export interface RunPlan {
  spec: TargetSpec;
  rules: Rule[];
  budgets: Record<string, number>;
  /** The `--mode` model override, if any. */
  model: string | undefined;
  speed: number;
  repeat: number;
  failOn: NonNullable<ConformanceOptions['failOn']>;
  /** What the client said it supports (empty for wire-only apps). */
  features: Set<string>;
  /** Every selected scenario, in registry order (all shards together). */
  selected: Scenario[];
  /** The selected scenarios this run runs: all of them, or its shard's slice (`--shard`). */
  chosen: Scenario[];
  /** `--shard i/n`, when this run is one slice. */
  shard: Shard | undefined;
  /** The chosen scenarios the client can run. */
  runnable: Scenario[];
  /** The chosen scenarios it cannot, with the reason. */
  skipped: ScenarioResult[];
  runId: string;
  startedAtIso: string;
  /** The run folder (`reports/<run-id>`). */
  dir: string;
  /** The command line that replays one scenario. */
  replayOf(id: string): string;
  /** The command line that replays the whole run. */
  replayAll: string;
}

/**
 * Plans a run: resolves the target, selects rules and scenarios, asks the client for its
 * features once, and names the run folder. Throws for unknown scenario ids.
 */
export async function planRun(options: ConformanceOptions, clock: Clock): Promise<RunPlan> {
  const speed = options.speed ?? 1;
  const spec =
    options.spec ??
    resolveTarget({
      ...(options.target !== undefined ? { target: options.target } : {}),
      ...(options.targetCmd !== undefined ? { targetCmd: options.targetCmd } : {}),
      ...(options.wireOnly !== undefined ? { wireOnly: options.wireOnly } : {}),
    });
  const rules = selectRules({
    ...(options.rules ? { ids: options.rules } : {}),
    ...(options.grep ? { grep: options.grep } : {}),
  });
  const model =
    options.mode === 'premium'
      ? 'mal-realtime-premium'
      : options.mode === 'simple'
        ? 'mal-realtime-simple'
        : undefined;
  // A bad --fixture is a bad command line: say so before the client is started.
  if (options.fixture !== undefined && options.scenarios && options.scenarios.length > 0)
    throw new Error('--fixture and --scenario exclude each other: give one');
  const fromFixture =
    options.fixture !== undefined ? await loadFixtureScenario(options.fixture) : undefined;
  // What the client supports decides which scenarios can run: ask it once.
  const features =
    spec.mode === 'wire'
      ? new Set<string>()
      : await probeFeatures(spec, clock, options.handshakeTimeoutMs);
  const selected = fromFixture
    ? [fromFixture]
    : chooseScenarios(options, new Set(rules.map((r) => r.id)));
  const chosen = options.shard ? shardScenarios(selected, options.shard) : selected;
  const startedAtIso = new Date().toISOString();
  const runId = `${startedAtIso.replace(/[:.]/g, '-')}-${slug(spec.name)}`;
  const command = options.command ?? 'swaram-conform';
  const targetArg =
    options.target !== undefined
      ? `--target ${shellQuote(options.target)}`
      : `--target-cmd ${shellQuote(options.targetCmd ?? '')}`;
  const scenarioArg = (id: string) =>
    options.fixture !== undefined ? `--fixture ${shellQuote(options.fixture)}` : `--scenario ${id}`;
  const replayOf = (id: string) =>
    `${command} ${targetArg} ${scenarioArg(id)} --speed ${speed}${options.wireOnly ? ' --wire-only' : ''}`;
  const { runnable, skipped } = splitRunnable(chosen, spec, features, replayOf);
  return {
    spec,
    rules,
    budgets: { ...DEFAULT_BUDGETS, ...options.budgets },
    model,
    speed,
    repeat: options.repeat ?? 1,
    failOn: options.failOn ?? 'must',
    features,
    selected,
    chosen,
    shard: options.shard,
    runnable,
    skipped,
    runId,
    startedAtIso,
    dir: resolve(options.reportDir ?? 'reports', runId),
    replayOf,
    replayAll: `${command} ${targetArg}${options.fixture !== undefined ? ` ${scenarioArg('')}` : ''} --speed ${speed}${options.rules ? ` --rules ${options.rules.join(',')}` : ''}${options.shard ? ` ${shardArg(options.shard)}` : ''}`,
  };
}

/** The scenarios asked for by id, else every one that exercises a selected rule. */
function chooseScenarios(options: ConformanceOptions, ruleIds: Set<string>): Scenario[] {
  if (options.scenarios && options.scenarios.length > 0) {
    const unknown = options.scenarios.filter((id) => !SCENARIOS.some((s) => s.id === id));
    if (unknown.length > 0) {
      throw new Error(
        `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
      );
    }
    return SCENARIOS.filter((s) => options.scenarios!.includes(s.id));
  }
  return SCENARIOS.filter((s) => (options.long || !s.long) && s.rules.some((r) => ruleIds.has(r)));
}

/** Splits the chosen scenarios into those the client can run and those it cannot. */
function splitRunnable(
  chosen: Scenario[],
  spec: TargetSpec,
  features: Set<string>,
  replayOf: (id: string) => string,
): { runnable: Scenario[]; skipped: ScenarioResult[] } {
  const skipped: ScenarioResult[] = [];
  const runnable: Scenario[] = [];
  for (const s of chosen) {
    const missing = (s.needs ?? []).filter((f) => !features.has(f));
    const reason =
      spec.mode === 'wire' && !s.wireOnly
        ? 'needs an adapter (this is a wire-only run)'
        : missing.length > 0
          ? `the client does not support ${missing.join(', ')}`
          : undefined;
    if (!reason) {
      runnable.push(s);
      continue;
    }
    skipped.push({
      id: s.id,
      title: s.title,
      family: s.family,
      description: s.description,
      status: 'skipped',
      skipReason: reason,
      rules: [...s.rules],
      runs: [],
      replay: replayOf(s.id),
    });
  }
  return { runnable, skipped };
}

/** Starts the client once to read its `hello` (features), then stops it. */
async function probeFeatures(
  spec: TargetSpec,
  clock: Clock,
  handshakeTimeoutMs: number | undefined,
): Promise<Set<string>> {
  const target = new Target(spec, {
    now: () => clock.now(),
    ...(handshakeTimeoutMs ? { handshakeTimeoutMs } : {}),
  });
  try {
    const hello = await target.start();
    return new Set(hello?.features ?? []);
  } finally {
    await target.stop().catch(() => undefined);
  }
}

/** The `--shard` flag of a slice, as a command line gives it. */
export function shardArg(shard: Shard): string {
  return `--shard ${shard.index}/${shard.count}`;
}

export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'client';
}

function shellQuote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
