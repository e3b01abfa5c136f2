/**
 * `swaram-conform explore`: the yargs declaration and its handler (over {@link runExplore}).
 */
import type { Argv } from 'yargs';
import { UsageError, positiveNumber, wholeNumber } from '../../mock-server/cli-usage.js';
import {
  interruptible,
  parseBudgets,
  parseReporters,
  reporterOption,
  reportList,
} from '../conform-cli.js';
import { renderReports } from '../reporters/index.js';
import { displayPath } from '../run/run-conformance.js';
import {
  DEFAULT_RUNS,
  DEFAULT_SHRINK_RUNS,
  DEFAULT_TIME_BUDGET_MS,
  parseReplay,
} from './explore.js';
import { runExplore } from './run-explore.js';

const NAME = 'swaram-conform explore';

/** `120s`, `2m`, `90` (seconds) → ms. */
export function parseDuration(flag: string): (value: unknown) => number {
  return (value) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value).trim());
    if (!m || !(Number(m[1]) > 0))
      throw new UsageError(
        `${flag} must be a duration such as 120s, 2m or 90 (seconds); got ${JSON.stringify(value)}`,
      );
    const n = Number(m[1]);
    return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  };
}

export function exploreOptions(y: Argv) {
  return y
    .usage(
      '$0 explore --target <client> [options]\n\n' +
        "Property-based exploration: fast-check generates the server's side of conversations (reply\n" +
        'shapes and pacing, barge-ins, app cancels, tool calls, several per response or with broken\n' +
        'arguments, unknown events and fields, errors, closes, Simple or Premium) and every rule judges\n' +
        'each run. The first case that fails a rule (2 of 3 runs) is shrunk to the smallest case still\n' +
        'failing it, written as a fixture folder, printed with a --replay line. See docs/explore.md.',
    )
    .option('target', {
      alias: 't',
      type: 'string',
      requiresArg: true,
      describe:
        'a folder with swaram-client.json (and, to run in process on a fake clock, in-process.ts/.js), a file, or reference',
    })
    .option('target-cmd', {
      type: 'string',
      requiresArg: true,
      describe: 'an adapter command line (runs spawned)',
    })
    .option('runs', {
      default: DEFAULT_RUNS,
      requiresArg: true,
      coerce: wholeNumber('--runs', 1),
      describe: 'cases to generate [number]',
    })
    .option('seed', {
      requiresArg: true,
      coerce: (v: unknown) => {
        const n = Number(v);
        if (!Number.isInteger(n))
          throw new UsageError(`--seed must be an integer (got ${JSON.stringify(v)})`);
        return n;
      },
      describe: 'fast-check seed (printed by every run) [number] [default: a fresh one]',
    })
    .option('time-budget', {
      default: `${DEFAULT_TIME_BUDGET_MS / 1000}s`,
      requiresArg: true,
      coerce: parseDuration('--time-budget'),
      describe:
        'real time for running cases (no case starts after it); shrinking gets as much again [120s, 2m, 90]',
    })
    .option('shrink-runs', {
      default: DEFAULT_SHRINK_RUNS,
      requiresArg: true,
      coerce: wholeNumber('--shrink-runs', 0),
      describe: 'case runs the shrinker may spend (re-runs included) [number]',
    })
    .option('rules', {
      alias: 'r',
      type: 'string',
      array: true,
      describe: 'judge only these rules (ids or globs, comma-separated) [default: all]',
    })
    .option('replay', {
      type: 'string',
      requiresArg: true,
      describe: 'run one case again: <seed>:<path> as printed by a failing explore',
    })
    .option('spawn', {
      type: 'boolean',
      default: false,
      describe: 'run the target as a process on the real clock even when it can run in process',
    })
    .option('speed', {
      default: 1,
      requiresArg: true,
      coerce: positiveNumber('--speed'),
      describe: 'speed of a spawned target (real clock) [number]',
    })
    .option('budget', {
      type: 'string',
      array: true,
      describe: 'override a budget, KEY=VALUE (repeatable; see swaram-conform list)',
    })
    .option('report-dir', {
      type: 'string',
      default: 'reports',
      requiresArg: true,
      describe: 'where run folders go',
    })
    .option('reporter', reporterOption)
    .check((a) => {
      if ((a.target === undefined) === (a['target-cmd'] === undefined))
        throw new UsageError(
          'say which client to explore: --target <folder|file|reference> or --target-cmd "<command>" (one of them)',
        );
      if (a.replay !== undefined) {
        try {
          parseReplay(String(a.replay));
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      parseBudgets(a.budget as string[] | undefined);
      parseReporters(a.reporter as string[] | undefined);
      return true;
    })
    .example(
      '$0 explore --target reference --runs 200',
      'two hundred generated cases against the reference client',
    )
    .example(
      '$0 explore --target ./my-sdk --seed 7 --time-budget 60s',
      'a reproducible minute of exploring',
    )
    .example(
      '$0 explore --target ./my-sdk --replay 7:12:0:3',
      'the shrunk case a failing run printed, again',
    )
    .epilog(
      'Cases of a target with in-process.ts/.js (the reference, the faulty variants) run in process on a fake clock;\n' +
        'any other target runs spawned on the real clock at --speed. The shrunk case is written to\n' +
        'reports/<run-id>/counterexamples/<rule>/ (serve it: swaram-mock --fixture <dir>; judge it: swaram-conform --fixture <dir>).\n' +
        'Exit codes: 0 no case failed; 1 a case failed a rule; 2 bad command line; 3 harness errors; 130 interrupted.',
    );
}

type ExploreArgs = Awaited<ReturnType<typeof exploreOptions>['argv']>;

/** Runs explore from parsed arguments: progress on stderr, reports, exit code. */
export async function exploreHandler(a: ExploreArgs): Promise<void> {
  const reporters = parseReporters(a.reporter);
  const terminal = reporters.includes('terminal');
  await interruptible(async (signal) => {
    const budgets = parseBudgets(a.budget);
    const rules = a.rules
      ?.flatMap((r) => r.split(','))
      .map((r) => r.trim())
      .filter(Boolean);
    const marks = { explore: '.', confirm: 'c', shrink: 's', replay: 'r' } as const;
    const run = await runExplore({
      ...(a.target !== undefined ? { target: a.target } : {}),
      ...(a['target-cmd'] !== undefined ? { targetCmd: a['target-cmd'] } : {}),
      runs: a.runs,
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      timeBudgetMs: a['time-budget'],
      shrinkRuns: a['shrink-runs'],
      ...(rules?.length ? { rules } : {}),
      ...(a.replay !== undefined ? { replay: parseReplay(a.replay) } : {}),
      spawn: a.spawn,
      speed: a.speed,
      ...(Object.keys(budgets).length > 0 ? { budgets } : {}),
      reportDir: a['report-dir'],
      signal,
      onRun: ({ phase, outcome }) => {
        if (!terminal) return;
        const mark =
          outcome.harnessErrors.length > 0 ? 'H' : outcome.failed.length > 0 ? 'F' : marks[phase];
        process.stderr.write(mark);
      },
    });
    if (terminal) process.stderr.write('\n');
    const reports = await renderReports(run.result, run.dir, reporters);
    if (terminal) process.stderr.write(reportList(run.dir, reports));
    if (signal.aborted) {
      process.stderr.write(`${NAME}: interrupted; results so far in ${displayPath(run.dir)}\n`);
      process.exitCode = 130;
      return;
    }
    const s = run.summary;
    process.exitCode = s.failure ? 1 : s.harnessErrorRuns > 0 ? 3 : run.result.summary.exitCode;
  });
}
