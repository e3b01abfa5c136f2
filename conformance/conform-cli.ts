import { join } from 'node:path';
import type { Argv } from 'yargs';
import {
  UsageError,
  USAGE_EXIT_CODE,
  ownVersion,
  positiveNumber,
  runCommandLine,
  wholeNumber,
} from '../mock-server/cli-usage.js';
import { packageRoot } from '../protocol/package-root.js';
import { DEFAULT_BUDGETS } from './metrics/budgets.js';
import { RULES } from './rules/catalogue.js';
import { mergeRuns } from './run/merge-runs.js';
import { defaultJobs, JOBS_PER_CORE, MAX_DEFAULT_JOBS, parseShard } from './run/plan-order.js';
import {
  DEFAULT_RETRIES,
  displayPath,
  runConformance,
  type ConformanceOptions,
} from './run/run-conformance.js';
import {
  defaultReporters,
  renderReports,
  REPORTER_NAMES,
  showRun,
  type RenderedReport,
  type ReporterName,
} from './reporters/index.js';
import { terminalReporter } from './reporters/terminal.js';
import { SCENARIOS } from './scenarios/index.js';
import { exploreHandler, exploreOptions } from './explore/explore-command.js';

const NAME = 'swaram-conform';

/** Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT), after its partial reports. */
export const INTERRUPTED_EXIT_CODE = 130;
/** Exit code when a run can never finish (the harness's own failure, as harness errors are). */
export const STUCK_EXIT_CODE = 3;

/**
 * Targets known by name: `--target reference` runs the reference client shipped in this
 * package (compiled, from `dist/`, when installed; from source with tsx in the repository).
 */
export const BUILTIN_TARGETS: Readonly<Record<string, () => string>> = {
  reference: () =>
    join(
      packageRoot(),
      import.meta.url.endsWith('.ts') ? 'clients/reference' : 'clients/reference/installed',
    ),
};

/**
 * The `swaram-conform` command: a yargs declaration whose handler calls `runConformance`.
 * A bad command line prints one line and sets exit code 2; a finished run sets its result's
 * exit code (0, or 1 when a rule failed, see --fail-on).
 */
export async function runConformCli(argv: string[]): Promise<void> {
  await runCommandLine(NAME, argv, ['list', 'show', 'explore', 'merge'], (y) =>
    y
      .usage(
        '$0 --target <client> [options]\n\nDrives a swaram client through named scenarios against the mock server, validates\n' +
          'every message both ways against the protocol schemas, judges the rule catalogue and\n' +
          'measures latencies. Writes reports/<run-id>/index.json and one JSON per scenario run.',
      )
      .command('$0', 'run the conformance suite (the default command)', runOptions, run)
      .command(
        'show <run-dir>',
        "render a finished run's reports again from its index.json",
        showOptions,
        show,
      )
      .command(
        'explore',
        'property-based scenarios: generated cases, the failing one shrunk (docs/explore.md)',
        exploreOptions,
        exploreHandler,
      )
      .command(
        'merge <run-dirs..>',
        'join the run folders of the shards of one run (--shard i/n) into one run and its reports',
        mergeOptions,
        merge,
      )
      .command(
        'list',
        'list the rules and the scenarios',
        (c) => c.example('$0 list', 'rule ids with their level, scenario ids with what they need'),
        list,
      )
      .example(
        '$0 --target reference --scenario greeting',
        'the shipped reference client, one scenario',
      )
      .example(
        '$0 --target ./my-sdk',
        'every scenario against the adapter named in ./my-sdk/swaram-client.json',
      )
      .example(
        '$0 --target ./my-sdk --rules "TOOL-*" --repeat 3',
        'the tool rules, three runs per scenario',
      )
      .example(
        '$0 --target-cmd "python3 -u adapter.py" --scenario barge-in',
        'one scenario against a Python adapter',
      )
      .example('$0 --target-cmd "node app.js" --wire-only', 'a plain app, judged on the wire only')
      .example('$0 --target ./my-sdk --budget L_stop.p95=300', 'a looser barge-in budget')
      .example(
        '$0 --target ./my-sdk --fixture ./fixtures/my-call',
        'your own fixture (swaram-mock record, or from a WAV) instead of the built-in scenarios',
      )
      .example(
        '$0 --target ./my-sdk --reporter junit,markdown',
        'CI files only, no terminal output',
      )
      .example('$0 show reports/<run-id> --reporter html', "a finished run's report.html again")
      .epilog(
        'Exit codes: 0 every MUST rule passed; 1 a rule failed (see --fail-on); 2 bad command line or the target cannot start;\n' +
          '3 the harness could not judge (the adapter broke, a scenario timed out); 130 interrupted.\n' +
          'Reports: reports/<run-id>/index.json (schema: docs/reports.md), scenarios/<id>-<run>.json with the full wire log,\n' +
          'report.html (open it in a browser), junit.xml, summary.md. Ctrl-C writes what was judged so far (exit 130).\n' +
          'Adapters: docs/adapter-protocol.md. Rules: docs/rules.md.',
      )
      .strict()
      .help()
      .alias('h', 'help')
      .version(ownVersion())
      .wrap(process.stdout.isTTY ? Math.min(110, process.stdout.columns) : null),
  );
}

/** Flags that take one value: given twice is a usage error, not an array. */
const SINGLE_FLAGS = [
  'target',
  'target-cmd',
  'grep',
  'report-dir',
  'mode',
  'fail-on',
  'fixture',
  'audio',
] as const;

function runOptions(y: Argv) {
  return howToRunOptions(whatToRunOptions(y));
}

/** Which client, which rules, which scenarios. */
function whatToRunOptions(y: Argv) {
  return y
    .option('target', {
      alias: 't',
      type: 'string',
      requiresArg: true,
      describe: `a folder with swaram-client.json, an executable, a .js/.ts adapter, or a built-in name (${Object.keys(BUILTIN_TARGETS).join(', ')})`,
    })
    .option('target-cmd', {
      type: 'string',
      requiresArg: true,
      describe: 'the command line of an adapter (or of a wire-only app)',
    })
    .option('wire-only', {
      type: 'boolean',
      describe:
        'the target is a plain app reading SWARAM_URL, SWARAM_API_KEY, SWARAM_MODEL; [app] rules are not observable',
    })
    .option('rules', {
      alias: 'r',
      type: 'string',
      array: true,
      describe:
        'rule ids or globs to judge (TOOL-*, SESSION-FIRST); comma-separated or repeated [default: all]',
    })
    .option('grep', {
      alias: 'g',
      type: 'string',
      requiresArg: true,
      describe: 'judge the rules whose id, title or description contains this text',
    })
    .option('scenario', {
      alias: ['s', 'scenarios'],
      type: 'string',
      array: true,
      describe:
        'run only these scenarios (see `swaram-conform list`) [default: those of the selected rules]',
    })
    .option('fixture', {
      type: 'string',
      requiresArg: true,
      describe:
        'judge the client over your own fixture folder instead of the built-in scenarios (docs/fixtures.md)',
    })
    .option('mode', {
      choices: ['simple', 'premium'] as const,
      describe: "run every scenario in this mode (default: each scenario's own)",
    });
}

/** How to run them: pace, repeats, time limits, environment, reports. */
function howToRunOptions<T>(y: Argv<T>) {
  return y
    .option('speed', {
      default: 1,
      requiresArg: true,
      coerce: positiveNumber('--speed'),
      describe: 'replay speed factor, > 0; latency figures are real only at 1 [number]',
    })
    .option('repeat', {
      default: 1,
      requiresArg: true,
      coerce: wholeNumber('--repeat', 1),
      describe: 'runs per scenario (flaky verdicts and jitter show up over several) [number]',
    })
    .option('retries', {
      default: DEFAULT_RETRIES,
      requiresArg: true,
      coerce: wholeNumber('--retries', 0),
      describe:
        'times a run that failed while the machine starved the harness (it stalled 5 % of the run, or 250 ms at once) is run again, alone (no other run beside it); the failed attempts are kept in the report [number]',
    })
    .option('jobs', {
      alias: 'j',
      requiresArg: true,
      coerce: wholeNumber('--jobs', 1),
      describe: `scenario runs at once (several: longest first) [number] [default: ${defaultJobs()} here: ${JOBS_PER_CORE} per core, at most ${MAX_DEFAULT_JOBS}; runs mostly wait on real-time audio]`,
    })
    .option('shard', {
      type: 'string',
      requiresArg: true,
      describe:
        'run slice i of n of the selected scenarios (CI fan-out), e.g. 2/4; join the slices with `merge`',
    })
    .option('timeout', {
      requiresArg: true,
      coerce: positiveNumber('--timeout'),
      describe:
        "longest one scenario run may take, seconds [number] [default: the scenario's own, 30–60 s]",
    })
    .option('timeout-factor', {
      default: 1,
      requiresArg: true,
      coerce: positiveNumber('--timeout-factor'),
      describe: 'multiplies every wait inside scenarios (slow clients, loaded machines) [number]',
    })
    .option('handshake-timeout', {
      default: 10,
      requiresArg: true,
      coerce: positiveNumber('--handshake-timeout'),
      describe: 'how long the adapter has to say hello, seconds [number]',
    })
    .option('pass-env', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'pass this variable of your environment to the target (repeatable) [string]',
    })
    .option('tls', {
      type: 'boolean',
      default: false,
      describe:
        'serve the mock over wss: with a certificate made for this run; the adapter trusts it through NODE_EXTRA_CA_CERTS / SSL_CERT_FILE / REQUESTS_CA_BUNDLE (for SDKs that only speak wss:)',
    })
    .option('budget', {
      type: 'string',
      array: true,
      describe:
        'override a latency budget or threshold, KEY=VALUE (repeatable); keys and defaults: `swaram-conform list`',
    })
    .option('fail-on', {
      choices: ['must', 'should', 'warn'] as const,
      default: 'must' as const,
      describe: 'which failures make the exit code 1',
    })
    .option('long', { type: 'boolean', default: false, describe: 'include long (soak) scenarios' })
    .option('report-dir', {
      type: 'string',
      default: 'reports',
      requiresArg: true,
      describe: 'where run folders are written',
    })
    .option('reporter', reporterOption)
    .option('audio', audioOption)
    .check((a) => checkRunArgs(a));
}

/** The checks of a run's flags that yargs cannot express: one-line usage errors. */
function checkRunArgs(a: Record<string, unknown>): true {
  if (a.target === undefined && a['target-cmd'] === undefined)
    throw new UsageError(
      'say which client to test: --target <folder|file|reference> or --target-cmd "<command>"',
    );
  if (a.target !== undefined && a['target-cmd'] !== undefined)
    throw new UsageError('--target and --target-cmd exclude each other: give one');
  if (a.fixture !== undefined && a.scenario !== undefined)
    throw new UsageError('--fixture and --scenario exclude each other: give one');
  for (const flag of SINGLE_FLAGS)
    if (Array.isArray(a[flag])) throw new UsageError(`--${flag} given more than once`);
  parseBudgets(a.budget as string[] | undefined);
  parseReporters(a.reporter as string[] | undefined);
  if (a.shard !== undefined) usage(() => parseShard(String(a.shard)));
  return true;
}

/** Runs `check`, turning what it throws into a one-line usage error. */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type RunArgs = Awaited<ReturnType<typeof runOptions>['argv']>;

/** `--budget L_stop.p95=300` → `{ 'L_stop.p95': 300 }`, checked against the known keys. */
export function parseBudgets(values: readonly string[] | undefined): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const item of values ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(item);
    const key = m?.[1]?.trim() ?? '';
    if (!m || !(key in DEFAULT_BUDGETS))
      throw new UsageError(
        `--budget ${JSON.stringify(item)}: give KEY=VALUE with a KEY that \`swaram-conform list\` shows under Budgets (e.g. L_stop.p95=300)`,
      );
    const value = Number(m[2]);
    if (m[2]!.trim() === '' || !Number.isFinite(value) || value < 0)
      throw new UsageError(`--budget ${key} must be a number ≥ 0 (got ${JSON.stringify(m[2])})`);
    budgets[key] = value;
  }
  return budgets;
}

/** The CLI's arguments as {@link runConformance} options. */
export function conformanceOptions(a: RunArgs): ConformanceOptions {
  const split = (xs: string[] | undefined) =>
    xs
      ?.flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter(Boolean);
  const rules = split(a.rules);
  const scenarios = split(a.scenario);
  const budgets = parseBudgets(a.budget);
  const builtin =
    a.target !== undefined && Object.hasOwn(BUILTIN_TARGETS, a.target)
      ? BUILTIN_TARGETS[a.target]
      : undefined;
  const target = builtin ? builtin() : a.target;
  return {
    ...(target !== undefined ? { target } : {}),
    ...(a['target-cmd'] !== undefined ? { targetCmd: a['target-cmd'] } : {}),
    ...(a['wire-only'] !== undefined ? { wireOnly: a['wire-only'] } : {}),
    ...(rules ? { rules } : {}),
    ...(a.grep ? { grep: a.grep } : {}),
    ...(scenarios ? { scenarios } : {}),
    ...(a.fixture !== undefined ? { fixture: a.fixture } : {}),
    ...(a.mode ? { mode: a.mode } : {}),
    speed: a.speed,
    repeat: a.repeat,
    retries: a.retries,
    ...(a.jobs !== undefined ? { jobs: a.jobs } : {}),
    ...(a.shard !== undefined ? { shard: parseShard(a.shard) } : {}),
    ...(a.timeout !== undefined ? { timeoutMs: a.timeout * 1000 } : {}),
    ...(a['timeout-factor'] !== 1 ? { timeoutFactor: a['timeout-factor'] } : {}),
    handshakeTimeoutMs: a['handshake-timeout'] * 1000,
    ...(a['pass-env']?.length ? { passEnv: a['pass-env'] } : {}),
    ...(a.tls ? { tls: true } : {}),
    ...(Object.keys(budgets).length > 0 ? { budgets } : {}),
    failOn: a['fail-on'],
    long: a.long,
    reportDir: a['report-dir'],
    audio: a.audio,
  };
}

async function run(a: RunArgs): Promise<void> {
  const reporters = parseReporters(a.reporter);
  const terminal = reporters.includes('terminal');
  await interruptible(async (signal) => {
    const progress = terminal ? { ...terminalReporter(), onRunEnd: undefined } : undefined;
    const { result, dir } = await runConformance({
      ...conformanceOptions(a),
      ...(progress ? { reporter: progress } : {}),
      signal,
    });
    const reports = await renderReports(result, dir, reporters);
    if (terminal) process.stderr.write(reportList(dir, reports));
    if (result.interrupted) {
      process.stderr.write(
        `${NAME}: interrupted; what was judged so far is in ${displayPath(dir)}\n`,
      );
      // Scenario runs that did not stop in time hold the event loop: exit now (target.ts kills
      // their process groups on exit).
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    process.exitCode = result.summary.exitCode;
  });
}

/**
 * Runs a command that can be stopped: Ctrl-C / SIGTERM aborts `signal` (the command writes and
 * renders what was judged so far and exits 130); a second one exits at once (targets still
 * running are killed with their process group on exit). An Error thrown (the target cannot
 * start, an unknown rule or scenario) is said in one line, exit 2.
 */
export async function interruptible(command: (signal: AbortSignal) => Promise<void>) {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    process.stderr.write(`\n${NAME}: ${signal}: stopping; writing what was judged so far\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The event loop emptied while the command still waits: something it awaits can never
  // settle. Without this the process would end with code 0 and no result, which reads as a
  // pass; say so and exit as a harness error.
  const onStuck = () => {
    process.stderr.write(
      `${NAME}: the run stopped with work still pending and nothing left to wait for ` +
        '(a bug of the runner: please report it); no result was written\n',
    );
    process.exitCode = STUCK_EXIT_CODE;
  };
  process.once('beforeExit', onStuck);
  try {
    await command(controller.signal);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`${NAME}: ${error.message}\n`);
    process.exitCode = USAGE_EXIT_CODE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('beforeExit', onStuck);
  }
}

/** `--audio`: how scenario files keep audio (run-files.ts). */
const audioOption = {
  choices: ['summary', 'full'] as const,
  default: 'summary' as const,
  describe:
    'audio in scenario files: summary keeps { bytes, durationMs, sha256 } per frame, full the base64',
} as const;

/** `--reporter`, for the run and for `show`. */
export const reporterOption = {
  type: 'string',
  array: true,
  describe: `reporters, comma-separated or repeated: ${REPORTER_NAMES.join(', ')} [default: terminal,html,junit,markdown; and github when GITHUB_ACTIONS=true]`,
} as const;

/**
 * `--reporter html,junit --reporter markdown` → the reporters, in order, checked against
 * {@link REPORTER_NAMES}; none given → {@link defaultReporters}.
 */
export function parseReporters(
  values: readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ReporterName[] {
  const names = (values ?? [])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (values === undefined) return defaultReporters(env);
  if (names.length === 0)
    throw new UsageError(`--reporter needs a name: ${REPORTER_NAMES.join(', ')}`);
  const unknown = names.filter((n) => !(REPORTER_NAMES as readonly string[]).includes(n));
  if (unknown.length)
    throw new UsageError(
      `--reporter ${unknown.join(', ')}: unknown; use ${REPORTER_NAMES.join(', ')}`,
    );
  return [...new Set(names as ReporterName[])];
}

/** Where the reports are: one line per file, and how to render them again. */
export function reportList(dir: string, reports: RenderedReport[]): string {
  const files = [join(dir, 'index.json'), ...reports.flatMap((r) => (r.file ? [r.file] : []))];
  const lines = [...new Set(files)].map(
    (f) => `  ${displayPath(f)}${f.endsWith('.html') ? '  (open in a browser)' : ''}`,
  );
  return `reports:\n${lines.join('\n')}\n  again: ${NAME} show ${displayPath(dir)}\n`;
}

function showOptions(y: Argv) {
  return y
    .positional('run-dir', {
      type: 'string',
      demandOption: true,
      describe: 'a run folder, reports/<run-id>, with its index.json',
    })
    .option('reporter', reporterOption)
    .check((a) => {
      parseReporters(a.reporter);
      return true;
    })
    .example(
      '$0 show reports/<run-id>',
      'the summary on the terminal, report.html, junit.xml, summary.md',
    )
    .example('$0 show reports/<run-id> --reporter markdown', 'summary.md only')
    .epilog(
      'Reads index.json (checked against its schema, docs/reports.md) and renders the reporters again; no scenario runs.\n' +
        'Exit codes: 0 rendered; 2 no run folder there, or its index.json is not a valid result.',
    );
}

type ShowArgs = Awaited<ReturnType<typeof showOptions>['argv']>;

async function show(a: ShowArgs): Promise<void> {
  const reporters = parseReporters(a.reporter);
  try {
    const { reports } = await showRun(a['run-dir'], reporters);
    if (reporters.includes('terminal')) process.stderr.write(reportList(a['run-dir'], reports));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`${NAME}: ${error.message}\n`);
    process.exitCode = USAGE_EXIT_CODE;
  }
}

function mergeOptions(y: Argv) {
  return y
    .positional('run-dirs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'the run folders of every shard, reports/<run-id> (any order)',
    })
    .option('out', {
      type: 'string',
      requiresArg: true,
      describe: 'the merged run folder [default: reports/<run-id>-merged]',
    })
    .option('report-dir', {
      type: 'string',
      default: 'reports',
      requiresArg: true,
      describe: 'where the merged run folder goes when --out is not given',
    })
    .option('reporter', reporterOption)
    .check((a) => {
      parseReporters(a.reporter);
      return true;
    })
    .example(
      '$0 merge shards/*/',
      'one result and every report from the shard runs (each made with --shard i/n)',
    )
    .epilog(
      'Checks that the folders are every shard of one run (same n, target, options), joins their judgements, scenario\n' +
        'runs and metric samples, judges the summary again and renders the reporters; the verdicts are those of an\n' +
        "unsharded run. Exit codes: the merged result's (0 passed, 1 a rule failed, 3 the harness could not judge);\n" +
        '2 a folder is missing, is not a shard run, or the shards do not belong together.',
    );
}

type MergeArgs = Awaited<ReturnType<typeof mergeOptions>['argv']>;

async function merge(a: MergeArgs): Promise<void> {
  const reporters = parseReporters(a.reporter);
  try {
    const { result, dir } = await mergeRuns(a['run-dirs'], {
      ...(a.out !== undefined ? { out: a.out } : {}),
      reportDir: a['report-dir'],
    });
    const reports = await renderReports(result, dir, reporters);
    if (reporters.includes('terminal')) process.stderr.write(reportList(dir, reports));
    process.exitCode = result.summary.exitCode;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`${NAME}: ${error.message}\n`);
    process.exitCode = USAGE_EXIT_CODE;
  }
}

function list(): void {
  console.log('Rules:');
  for (const r of RULES) console.log(`  ${r.id.padEnd(18)} ${r.level.padEnd(6)} ${r.title}`);
  console.log('\nScenarios:');
  for (const s of SCENARIOS) {
    console.log(
      `  ${s.id.padEnd(20)} ${s.title}${s.long ? ' (long)' : ''}${s.needs?.length ? `  [needs ${s.needs.join(', ')}]` : ''}`,
    );
  }
  console.log('\nBudgets (--budget KEY=VALUE):');
  for (const [key, value] of Object.entries(DEFAULT_BUDGETS))
    console.log(`  ${key.padEnd(28)} ${value}`);
  console.log(`\nBuilt-in targets: ${Object.keys(BUILTIN_TARGETS).join(', ')}`);
}
