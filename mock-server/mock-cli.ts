import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { listFixtures, validateFixture } from '../protocol/fixture/load-fixture.js';
import {
  FAULT_SYNTAX_HELP,
  FaultSyntaxError,
  parseFault,
} from '../protocol/fixture/parse-fault.js';
import {
  UsageError,
  USAGE_EXIT_CODE,
  ownVersion,
  positiveNumber,
  runCommandLine,
  wholeNumber,
} from './cli-usage.js';
import { redactKey } from './frame-log.js';
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_TEST_KEY,
  startMockServer,
  type ConnectionEvent,
  type MockServer,
  type MockServerOptions,
  type SessionSummary,
} from './mock-server.js';
import { SHEDDING_DEFAULTS, type SheddingChange } from './load-shedding.js';
import { healthOf, startMockCluster } from './cluster.js';
import { RECORD_DEFAULT_PORT, runRecordCommand } from './recorder/record-command.js';
import type { Mode } from './session.js';

/** The port `swaram-mock` listens on when none is given (the library default is 0). */
export const CLI_DEFAULT_PORT = 8765;

const NAME = 'swaram-mock';

/**
 * The `swaram-mock` command: yargs declarations whose handlers call library functions.
 * Exported so that tests run the real CLI in process. A bad command line prints one line
 * and sets exit code 2.
 */
export async function runMockCli(argv: string[]): Promise<void> {
  await runCommandLine(NAME, argv, ['list', 'validate', 'record'], (y) =>
    y
      .usage(
        '$0 [options]\n\nA mock swaram realtime server for local development and tests: auth, close codes,\n' +
          'Simple and Premium modes, server VAD, transcripts, tool calls, barge-in, cancel, and\n' +
          'fault injection, replaying a fixture of real Malayalam speech at real-time pace.',
      )
      .command('$0', 'serve a fixture (the default command)', serveOptions, serve)
      .command(
        'list',
        'list the built-in fixtures',
        (c) => c.example('$0 list', 'greeting, tool-call, barge-in, …'),
        async () => {
          for (const name of await listFixtures()) console.log(name);
        },
      )
      .command(
        'validate <fixture>',
        'check a fixture offline: manifest schema, audio format, recorded events',
        validateOptions,
        validate,
      )
      .command(
        'record',
        'record a session with a real server into a fixture: a transparent WebSocket proxy',
        recordOptions,
        record,
      )
      .example(
        '$0 --fixture greeting',
        'serve the greeting fixture on ws://127.0.0.1:8765/v1/realtime',
      )
      .example(
        '$0 --fixture tool-call --speed 4 --port 0',
        'a tool-call session, four times real time, any free port',
      )
      .example(
        "$0 --fault 'close:1013@delta:5'",
        'close with 1013 (server busy) after the fifth audio delta',
      )
      .example('$0 --credits 3', 'each key may use 3 s of audio, then error + close 4003')
      .example(
        '$0 --tls --cert-out mock.pem',
        'wss:, and the certificate your client must trust in mock.pem',
      )
      .epilog(
        'Exit codes: 0 stopped cleanly, 1 validate found errors, 2 bad command line or cannot start.',
      )
      .strict()
      .help()
      .alias('h', 'help')
      .version(ownVersion())
      .wrap(process.stdout.isTTY ? Math.min(110, process.stdout.columns) : null),
  );
}

function serveOptions(y: Argv) {
  return workersOption(sheddingOptions(y))
    .option('fixture', {
      alias: 'f',
      type: 'string',
      default: 'greeting',
      describe:
        'built-in fixture name (see `swaram-mock list`) or a fixture folder; one per server',
    })
    .option('port', {
      alias: 'p',
      default: CLI_DEFAULT_PORT,
      requiresArg: true,
      coerce: wholeNumber('--port', 0, 65535),
      describe: 'port; 0 picks a free one [number]',
    })
    .option('host', {
      type: 'string',
      default: '127.0.0.1',
      describe: 'interface to bind (0.0.0.0 exposes it to your network)',
    })
    .option('mode', {
      choices: ['simple', 'premium'] as const,
      describe:
        'force a mode; by default the model picks it (mal-realtime-simple / mal-realtime-premium)',
    })
    .option('speed', {
      default: 1,
      requiresArg: true,
      coerce: positiveNumber('--speed'),
      describe: 'replay speed factor, > 0 (2 = twice real time) [number]',
    })
    .option('keys', {
      type: 'string',
      array: true,
      describe: "accepted secret keys (default: the fixture's, else swaram_test_key)",
    })
    .option('credits', {
      requiresArg: true,
      coerce: positiveNumber('--credits'),
      describe: 'seconds of audio each key may use; then error + close 4003 [number]',
    })
    .option('max-connections', {
      requiresArg: true,
      coerce: wholeNumber('--max-connections', 1),
      describe: 'live connections per key; the next gets error + close 4008 [number]',
    })
    .option('capacity', {
      requiresArg: true,
      coerce: wholeNumber('--capacity', 0),
      describe: 'live connections on the server; the next gets close 1013 [number]',
    })
    .option('token-ttl', {
      default: 60,
      requiresArg: true,
      coerce: positiveNumber('--token-ttl'),
      describe: 'lifetime of ephemeral tokens (POST /v1/realtime/client_secrets), seconds [number]',
    })
    .option('idle-timeout', {
      default: DEFAULT_IDLE_TIMEOUT_SECONDS,
      requiresArg: true,
      coerce: wholeNumber('--idle-timeout', 0),
      describe: 'seconds a client may send nothing before close 1000 (idle timeout); 0: never',
    })
    .option('ping-interval', {
      default: DEFAULT_PING_INTERVAL_MS,
      requiresArg: true,
      coerce: wholeNumber('--ping-interval', 0),
      describe: "ms between the server's WebSocket pings to each client (keep-alive); 0: none",
    })
    .option('tls', {
      type: 'boolean',
      default: false,
      describe: 'serve wss: with a generated self-signed certificate (written to --cert-out)',
    })
    .option('cert-out', {
      type: 'string',
      requiresArg: true,
      describe:
        'with --tls: where to write the certificate to trust [default: <tmp>/swaram-mock-<port>.pem]',
    })
    .option('cert', { type: 'string', describe: 'PEM certificate file for wss: (with --key)' })
    .option('key', { type: 'string', describe: 'PEM private key file for wss: (with --cert)' })
    .option('fault', {
      type: 'string',
      array: true,
      describe: 'inject a fault into every session (repeatable); see "Faults" below',
    })
    .option('log', {
      type: 'string',
      requiresArg: true,
      describe:
        'write one JSON line per frame to this file (- for stdout; the banner then goes to stderr)',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'no per-session summaries and refusal lines',
    })
    .check((a) => {
      if (Array.isArray(a.fixture))
        throw new UsageError(
          `--fixture given ${a.fixture.length} times (${a.fixture.join(', ')}): a mock serves one fixture; ` +
            'start one swaram-mock per fixture, each with its own --port',
        );
      if (a.keys !== undefined && (a.keys.length === 0 || a.keys.some((k) => k.trim() === '')))
        throw new UsageError('--keys needs at least one key (--keys key1 key2)');
      if ((a.cert === undefined) !== (a.key === undefined))
        throw new UsageError('--cert and --key go together');
      if (a['cert-out'] !== undefined && !a.tls)
        throw new UsageError(
          '--cert-out needs --tls (with --cert/--key you already have the certificate)',
        );
      return true;
    })
    .epilog(`Faults:\n${FAULT_SYNTAX_HELP}`);
}

/** `--workers` (docs/mock-server.md, "Workers") and what it cannot go with. */
function workersOption<T>(y: Argv<T>) {
  return y
    .option('workers', {
      default: 1,
      requiresArg: true,
      coerce: wholeNumber('--workers', 1, maxWorkers()),
      describe:
        'processes that run the sessions: N > 1 puts one mock on several cores (a primary keeps the port, the limits and the credits exact; N workers run the sessions): for load tests of hundreds of sessions; not with --tls or --log [number]',
    })
    .check((a) => {
      if (a.workers > 1 && (a.tls || a.cert !== undefined))
        throw new UsageError(
          `--workers ${a.workers} cannot serve wss: (a TLS session cannot be handed to another process): leave out --tls/--cert, or use --workers 1`,
        );
      if (a.workers > 1 && a.log !== undefined)
        throw new UsageError(
          `--workers ${a.workers} cannot --log frames (each worker holds its own sessions' frames): read them with GET /sessions/:id/frames, or use --workers 1`,
        );
      return true;
    });
}

/** The load-shedding flags (docs/mock-server.md, "Load shedding"). */
function sheddingOptions(y: Argv) {
  return y
    .option('shed', {
      type: 'boolean',
      default: true,
      describe:
        'shed load like swaram: refuse new sessions with close 1013 while the mock is overloaded, so the sessions it has keep real-time pacing (--no-shed: admit everyone); figures in /health',
    })
    .option('shed-loop-delay', {
      default: SHEDDING_DEFAULTS.maxLoopDelayMs,
      requiresArg: true,
      coerce: positiveNumber('--shed-loop-delay'),
      describe: 'overloaded while the event loop p99 delay is over this, ms [number]',
    })
    .option('shed-lateness', {
      default: SHEDDING_DEFAULTS.maxPacingLatenessMs,
      requiresArg: true,
      coerce: positiveNumber('--shed-lateness'),
      describe: 'overloaded while paced audio deltas go out later than this at p99, ms [number]',
    })
    .option('shed-utilization', {
      default: SHEDDING_DEFAULTS.maxUtilization,
      requiresArg: true,
      coerce: fraction('--shed-utilization'),
      describe: 'overloaded while the event loop is busier than this share, 0 to 1 [number]',
    })
    .option('shed-cpu', {
      default: SHEDDING_DEFAULTS.maxCpu,
      requiresArg: true,
      coerce: positiveNumber('--shed-cpu'),
      describe:
        "the mock's CPU budget, a share of one core: a new session is refused when the sessions live plus it, at the measured cost of one, would pass it (raise it on a quiet machine with cores to spare) [number]",
    });
}

type ServeArgs = Awaited<ReturnType<typeof serveOptions>['argv']>;

async function serve(a: ServeArgs): Promise<void> {
  let faults;
  try {
    faults = (a.fault ?? []).map(parseFault);
  } catch (error) {
    if (error instanceof FaultSyntaxError) return fail(error.message);
    throw error;
  }
  let server: MockServer;
  try {
    const options = await serverOptions(a, faults);
    server =
      a.workers > 1
        ? await startMockCluster(options, { workers: a.workers })
        : await startMockServer(options);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      return fail(
        `port ${a.port} is in use: pick another with --port, or --port 0 for any free port`,
      );
    return fail(e.message);
  }
  let certFile: string | undefined;
  if (a.tls && server.certificate !== undefined) {
    certFile = resolve(a['cert-out'] ?? join(tmpdir(), `swaram-mock-${server.port}.pem`));
    await writeFile(certFile, server.certificate);
  }
  printBanner(server, { logToStdout: a.log === '-', certFile, workers: a.workers });
  const stop = async (signal: string) => {
    const { liveSessions } = await healthOf(server);
    process.stderr.write(`\nswaram-mock: ${signal}, closing ${String(liveSessions)} session(s)…\n`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function serverOptions(
  a: ServeArgs,
  faults: MockServerOptions['faults'],
): Promise<MockServerOptions> {
  const tls =
    a.cert !== undefined && a.key !== undefined
      ? { cert: await readFile(a.cert), key: await readFile(a.key) }
      : a.tls;
  return {
    fixture: a.fixture,
    port: a.port,
    host: a.host,
    ...(a.mode ? { mode: a.mode as Mode } : {}),
    speed: a.speed,
    ...(a.keys ? { keys: a.keys } : {}),
    ...(a.credits !== undefined ? { creditsSeconds: a.credits } : {}),
    ...(a['max-connections'] !== undefined ? { maxConnectionsPerKey: a['max-connections'] } : {}),
    ...(a.capacity !== undefined ? { capacity: a.capacity } : {}),
    shedding: a.shed && {
      maxLoopDelayMs: a['shed-loop-delay'],
      maxPacingLatenessMs: a['shed-lateness'],
      maxUtilization: a['shed-utilization'],
      maxCpu: a['shed-cpu'],
    },
    ...(a.quiet ? {} : { onShedding: printShedding }),
    tokenTtlSeconds: a['token-ttl'],
    idleTimeoutSeconds: a['idle-timeout'],
    pingIntervalMs: a['ping-interval'],
    tls,
    ...(faults ? { faults } : {}),
    ...(a.log !== undefined ? { log: a.log } : {}),
    ...(a.quiet ? {} : { onSessionEnd: printSummary, onConnection: printRefused }),
  };
}

function validateOptions(y: Argv) {
  return y
    .positional('fixture', { type: 'string', demandOption: true, describe: 'name or folder' })
    .example('$0 validate ./fixtures/my-call', 'exit code 0 when valid, 1 when not');
}

async function validate(a: { fixture: string }): Promise<void> {
  const report = await validateFixture(a.fixture);
  for (const p of report.problems) console.error(`${p.severity}: ${p.file}: ${p.message}`);
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  if (report.ok) {
    console.log(`${report.dir}: valid${warnings ? ` (${warnings} warning(s))` : ''}`);
  } else {
    console.error(`${report.dir}: ${errors} error(s), ${warnings} warning(s)`);
    process.exitCode = 1;
  }
}

function recordOptions(y: Argv) {
  return y
    .option('upstream', {
      type: 'string',
      demandOption: true,
      requiresArg: true,
      describe: 'the real server, e.g. wss://host/v1/realtime (credentials never go here)',
    })
    .option('out', {
      type: 'string',
      demandOption: true,
      requiresArg: true,
      describe: 'fixture folder to write; its name is the fixture name (fixtures/<name>)',
    })
    .option('port', {
      alias: 'p',
      default: RECORD_DEFAULT_PORT,
      requiresArg: true,
      coerce: wholeNumber('--port', 0, 65535),
      describe: 'port the client connects to; 0 picks a free one [number]',
    })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind' })
    .option('key-env', {
      type: 'string',
      requiresArg: true,
      describe:
        "environment variable holding the upstream key, sent as Bearer (the client's own credentials are then not passed on)",
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'replace a previous recording in --out',
    })
    .example(
      '$0 record --upstream wss://api.example/v1/realtime --out fixtures/my-call',
      'point your client at ws://127.0.0.1:8766/v1/realtime?model=mal-realtime-simple, talk, hang up',
    )
    .example(
      'SWARAM_KEY=… $0 record --upstream wss://api.example/v1/realtime --out my-call --key-env SWARAM_KEY',
      'the proxy sends the key upstream; your client needs none',
    );
}

async function record(a: Awaited<ReturnType<typeof recordOptions>['argv']>): Promise<void> {
  process.exitCode = await runRecordCommand({
    upstream: a.upstream,
    out: a.out,
    port: a.port,
    host: a.host,
    keyEnv: a['key-env'],
    force: a.force,
  });
}

/** The banner: where the mock is, the key, and a snippet that works as printed (wss: too). */
export function bannerText(server: MockServer, certFile?: string, workers = 1): string {
  // The built-in test key is public (documented), so it is printed as is; a key you chose is
  // yours: the banner shows it redacted and the snippet reads it from SWARAM_KEY.
  const real = server.keys[0] ?? '';
  const shown =
    real === DEFAULT_TEST_KEY
      ? real
      : `${redactKey(real)} (yours: set SWARAM_KEY to it for the snippet)`;
  const keyExpr =
    real === DEFAULT_TEST_KEY ? `'Bearer ${real}'` : '`Bearer ${process.env.SWARAM_KEY}`';
  const simple = `${server.url}?model=mal-realtime-simple`;
  const ca = certFile ? `, ca: require('fs').readFileSync(${JSON.stringify(certFile)})` : '';
  return [
    `swaram-mock: fixture "${server.fixture.name}" on ${server.url}`,
    `  test key:  ${shown}`,
    `  models:    mal-realtime-simple (Simple), mal-realtime-premium (Premium)`,
    `  health:    ${server.url.replace(/^ws/, 'http').replace('/v1/realtime', '/health')}`,
    ...(workers > 1
      ? [`  workers:   ${workers} processes run the sessions; this one keeps the port and limits`]
      : []),
    ...(certFile
      ? [
          `  tls:       self-signed certificate written to ${certFile}; trust it:`,
          `               Node:   NODE_EXTRA_CA_CERTS=${certFile} node client.mjs`,
          `               Python: SSL_CERT_FILE=${certFile} python3 client.py`,
        ]
      : server.certificate
        ? ['  tls:       your certificate (--cert); your client must trust it']
        : []),
    '',
    '  try it (node, in a folder where the ws package is installed):',
    `    const ws = new (require('ws'))('${simple}', { headers: { Authorization: ${keyExpr} }${ca} });`,
    `    ws.on('open', () => ws.send(JSON.stringify({ type: 'session.update', session: { voice: 'mal-female' } })));`,
    `    ws.on('message', (m) => console.log(JSON.parse(m).type));`,
    '',
    '  Ctrl-C stops it.',
    '',
  ].join('\n');
}

function printBanner(
  server: MockServer,
  o: { logToStdout: boolean; certFile: string | undefined; workers: number },
) {
  (o.logToStdout ? process.stderr : process.stdout).write(
    bannerText(server, o.certFile, o.workers),
  );
}

/** The most `--workers` allowed: four per core. */
function maxWorkers(): number {
  return availableParallelism() * 4;
}

function printSummary(s: SessionSummary): void {
  const st = s.stats;
  process.stderr.write(
    `${s.id} (${s.mode}, key ${redactKey(s.key)}): ${(s.durationMs / 1000).toFixed(1)} s, ` +
      `${st.userTurns} user turn(s), ${st.responses} response(s) (${st.cancelled} cancelled), ` +
      `${st.toolCalls} tool call(s), ${st.errorsSent} error(s); closed ${s.closeCode} by ${s.closedBy}` +
      `${s.closeReason ? ` (${s.closeReason})` : ''}\n`,
  );
}

/** One line per refused connection: why, and the key it came with (redacted). */
function printRefused(e: ConnectionEvent): void {
  // Load shedding refuses in bursts: printShedding says when it starts and stops, with counts.
  if (e.kind !== 'closed' || !e.refused || e.refused.shed !== undefined) return;
  process.stderr.write(
    `${e.session} refused (key ${e.refused.key ?? 'none'}): close ${e.code}${e.reason ? ` (${e.reason})` : ''}\n`,
  );
}

/** A line when the mock starts shedding load, and one when it admits again. */
function printShedding(change: SheddingChange): void {
  const at = new Date().toISOString().slice(11, 19);
  process.stderr.write(
    change.kind === 'shedding'
      ? `${at} overloaded (${change.reason}): refusing new sessions with 1013, ${change.live} live\n`
      : `${at} admitting again: ${change.refused} session(s) refused with 1013 in that episode, ${change.live} live\n`,
  );
}

/** A number from 0 (excluded) to 1. */
function fraction(flag: string) {
  const positive = positiveNumber(flag);
  return (value: unknown): number => {
    const n = positive(value);
    if (n > 1) throw new UsageError(`${flag} is a share of the time, at most 1 (got ${n})`);
    return n;
  };
}

function fail(message: string): void {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exitCode = USAGE_EXIT_CODE;
}
