import yargs from 'yargs';
import { RULES } from './rules/catalogue.js';
import { runConformance } from './run/run-conformance.js';
import { terminalReporter } from './reporters/terminal.js';
import { SCENARIOS } from './scenarios/index.js';
import { TargetError } from './target/target-error.js';

/** The `swaram-conform` command: a yargs declaration whose handler calls `runConformance`. */
export async function runConformCli(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('swaram-conform')
    .usage(
      '$0 --target <client> [options]\n\nDrives a swaram client through named scenarios against the mock server, validates\n' +
        'every message both ways against the protocol schemas, judges the rule catalogue and\n' +
        'measures latencies. Writes reports/<run-id>/index.json and one JSON per scenario run.\n' +
        'Exit code 0 when every MUST rule passes (see --fail-on).',
    )
    .command(
      '$0',
      'run the conformance suite',
      (y) =>
        y
          .option('target', {
            alias: 't',
            type: 'string',
            describe: 'a folder with swaram-client.json, an executable, or a .js/.ts adapter',
          })
          .option('target-cmd', {
            type: 'string',
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
              'rule ids or globs to judge (TOOL-*, SESSION-FIRST); comma-separated or repeated',
          })
          .option('grep', {
            alias: 'g',
            type: 'string',
            describe: 'judge the rules whose id, title or description contains this text',
          })
          .option('scenario', {
            alias: 's',
            type: 'string',
            array: true,
            describe: 'run only these scenarios (see `swaram-conform list`)',
          })
          .option('mode', {
            choices: ['simple', 'premium'] as const,
            describe: "run every scenario in this mode (default: each scenario's own)",
          })
          .option('speed', {
            type: 'number',
            default: 1,
            describe: 'replay speed factor; latency figures are real only at 1',
          })
          .option('repeat', {
            type: 'number',
            default: 1,
            describe: 'runs per scenario (flaky verdicts and jitter show up over several)',
          })
          .option('jobs', {
            alias: 'j',
            type: 'number',
            default: 1,
            describe: 'scenario runs at once',
          })
          .option('timeout', {
            type: 'number',
            describe: "longest one scenario run may take, seconds (default: the scenario's own)",
          })
          .option('fail-on', {
            choices: ['must', 'should', 'warn'] as const,
            default: 'must' as const,
            describe: 'which failures make the exit code 1',
          })
          .option('long', {
            type: 'boolean',
            default: false,
            describe: 'include long (soak) scenarios',
          })
          .option('report-dir', {
            type: 'string',
            default: 'reports',
            describe: 'where run folders are written',
          })
          .check((a) => {
            if (a.target === undefined && a['target-cmd'] === undefined)
              throw new Error(
                'say which client to test: --target <folder|file> or --target-cmd "<command>"',
              );
            if (a.target !== undefined && a['target-cmd'] !== undefined)
              throw new Error('--target and --target-cmd exclude each other');
            if (!(a.speed > 0)) throw new Error(`--speed must be > 0, got ${a.speed}`);
            if (!Number.isInteger(a.repeat) || a.repeat < 1)
              throw new Error(`--repeat must be a whole number ≥ 1, got ${a.repeat}`);
            if (!Number.isInteger(a.jobs) || a.jobs < 1)
              throw new Error(`--jobs must be a whole number ≥ 1, got ${a.jobs}`);
            return true;
          }),
      async (a) => {
        const split = (xs: string[] | undefined) =>
          xs
            ?.flatMap((x) => x.split(','))
            .map((x) => x.trim())
            .filter(Boolean);
        try {
          const rules = split(a.rules);
          const scenarios = split(a.scenario);
          const { result } = await runConformance({
            ...(a.target !== undefined ? { target: a.target } : {}),
            ...(a['target-cmd'] !== undefined ? { targetCmd: a['target-cmd'] } : {}),
            ...(a['wire-only'] !== undefined ? { wireOnly: a['wire-only'] } : {}),
            ...(rules ? { rules } : {}),
            ...(a.grep ? { grep: a.grep } : {}),
            ...(scenarios ? { scenarios } : {}),
            ...(a.mode ? { mode: a.mode } : {}),
            speed: a.speed,
            repeat: a.repeat,
            jobs: a.jobs,
            ...(a.timeout !== undefined ? { timeoutMs: a.timeout * 1000 } : {}),
            failOn: a['fail-on'],
            long: a.long,
            reportDir: a['report-dir'],
            reporter: terminalReporter(),
          });
          process.exitCode = result.summary.exitCode;
        } catch (error) {
          if (error instanceof TargetError || error instanceof Error) {
            process.stderr.write(`swaram-conform: ${error.message}\n`);
            process.exitCode = 2;
            return;
          }
          throw error;
        }
      },
    )
    .command(
      'list',
      'list the rules and the scenarios',
      (y) => y,
      () => {
        console.log('Rules:');
        for (const r of RULES) console.log(`  ${r.id.padEnd(18)} ${r.level.padEnd(6)} ${r.title}`);
        console.log('\nScenarios:');
        for (const s of SCENARIOS) {
          console.log(
            `  ${s.id.padEnd(20)} ${s.title}${s.long ? ' (long)' : ''}${s.needs?.length ? `  [needs ${s.needs.join(', ')}]` : ''}`,
          );
        }
      },
    )
    .example('$0 --target ./clients/reference', 'run every scenario against the reference client')
    .example(
      '$0 --target ./my-sdk --rules "TOOL-*" --repeat 3',
      'the tool rules, three runs per scenario',
    )
    .example(
      '$0 --target-cmd "python3 adapter.py" --scenario barge-in',
      'one scenario against a Python adapter',
    )
    .example('$0 --target-cmd "node app.js" --wire-only', 'a plain app, judged on the wire only')
    .epilog(
      'Reports: reports/<run-id>/index.json (schema: docs/reports.md), scenarios/<id>-<run>.json with the full wire log.\nAdapters: docs/adapter-protocol.md. Rules: docs/rules.md.',
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .parseAsync();
}
