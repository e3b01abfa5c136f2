import yargs from 'yargs';
import { listFixtures, validateFixture } from '../protocol/fixture/load-fixture.js';
import { startMockServer, type MockServer, type SessionSummary } from './mock-server.js';
import {
  FAULT_SYNTAX_HELP,
  FaultSyntaxError,
  parseFault,
} from '../protocol/fixture/parse-fault.js';
import { RECORD_DEFAULT_PORT, runRecordCommand } from './recorder/record-command.js';
import type { Mode } from './session.js';

/** The port `swaram-mock` listens on when none is given (the library default is 0). */
export const CLI_DEFAULT_PORT = 8765;

/**
 * The `swaram-mock` command: yargs declarations whose handlers call library functions.
 * Exported so that tests run the real CLI in process.
 */
export async function runMockCli(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('swaram-mock')
    .usage(
      '$0 [options]\n\nA mock swaram realtime server for local development and tests: auth, close codes,\n' +
        'Simple and Premium modes, server VAD, transcripts, tool calls, barge-in, cancel, and\n' +
        'fault injection, replaying a fixture of real Malayalam speech at real-time pace.',
    )
    .command(
      '$0',
      'serve a fixture',
      (y) =>
        y
          .option('fixture', {
            alias: 'f',
            type: 'string',
            default: 'greeting',
            describe: 'built-in fixture name (see `swaram-mock list`) or a fixture folder',
          })
          .option('port', {
            alias: 'p',
            type: 'number',
            default: CLI_DEFAULT_PORT,
            describe: 'port; 0 picks a free one',
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
            type: 'number',
            default: 1,
            describe: 'replay speed factor (2 = twice real time)',
          })
          .option('keys', {
            type: 'string',
            array: true,
            describe: "accepted secret keys (default: the fixture's, else swaram_test_key)",
          })
          .option('credits', {
            type: 'number',
            describe: 'seconds of audio each key may use; then error + close 4003',
          })
          .option('max-connections', {
            type: 'number',
            describe: 'live connections per key; the next gets error + close 4008',
          })
          .option('capacity', {
            type: 'number',
            describe: 'live connections on the server; the next gets close 1013',
          })
          .option('token-ttl', {
            type: 'number',
            default: 60,
            describe: 'lifetime of ephemeral tokens (POST /v1/realtime/client_secrets), seconds',
          })
          .option('tls', {
            type: 'boolean',
            default: false,
            describe: 'serve wss: with a generated self-signed certificate',
          })
          .option('cert', {
            type: 'string',
            describe: 'PEM certificate file for wss: (with --key)',
          })
          .option('key', {
            type: 'string',
            describe: 'PEM private key file for wss: (with --cert)',
          })
          .option('fault', {
            type: 'string',
            array: true,
            describe: 'inject a fault into every session (repeatable); see "Faults" below',
          })
          .option('log', {
            type: 'string',
            describe: 'write one JSON line per frame to this file (- for stdout)',
          })
          .option('quiet', {
            alias: 'q',
            type: 'boolean',
            default: false,
            describe: 'no per-session summaries',
          })
          .check((a) => {
            if ((a.cert === undefined) !== (a.key === undefined))
              throw new Error('--cert and --key go together');
            if (a.speed !== undefined && !(a.speed > 0))
              throw new Error(`--speed must be > 0, got ${a.speed}`);
            return true;
          })
          .epilog(`Faults:\n${FAULT_SYNTAX_HELP}`),
      async (a) => {
        let faults;
        try {
          faults = (a.fault ?? []).map(parseFault);
        } catch (error) {
          if (error instanceof FaultSyntaxError) fail(error.message);
          throw error;
        }
        const { readFile } = await import('node:fs/promises');
        const tls =
          a.cert !== undefined && a.key !== undefined
            ? { cert: await readFile(a.cert), key: await readFile(a.key) }
            : a.tls;
        let server: MockServer;
        try {
          server = await startMockServer({
            fixture: a.fixture,
            port: a.port,
            host: a.host,
            ...(a.mode ? { mode: a.mode as Mode } : {}),
            speed: a.speed,
            ...(a.keys ? { keys: a.keys } : {}),
            ...(a.credits !== undefined ? { creditsSeconds: a.credits } : {}),
            ...(a['max-connections'] !== undefined
              ? { maxConnectionsPerKey: a['max-connections'] }
              : {}),
            ...(a.capacity !== undefined ? { capacity: a.capacity } : {}),
            tokenTtlSeconds: a['token-ttl'],
            tls,
            faults,
            ...(a.log !== undefined ? { log: a.log } : {}),
            ...(a.quiet ? {} : { onSessionEnd: printSummary }),
          });
        } catch (error) {
          const e = error as NodeJS.ErrnoException;
          if (e.code === 'EADDRINUSE')
            fail(
              `port ${a.port} is in use: pick another with --port, or --port 0 for any free port`,
            );
          fail(e.message);
        }
        printBanner(server, a.log === '-');
        const stop = async (signal: string) => {
          process.stderr.write(
            `\nswaram-mock: ${signal}, closing ${server.sessions.size} session(s)…\n`,
          );
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop('SIGINT'));
        process.once('SIGTERM', () => void stop('SIGTERM'));
      },
    )
    .command(
      'list',
      'list the built-in fixtures',
      (y) => y,
      async () => {
        for (const name of await listFixtures()) console.log(name);
      },
    )
    .command(
      'validate <fixture>',
      'check a fixture offline: manifest schema, audio format, recorded events',
      (y) =>
        y.positional('fixture', { type: 'string', demandOption: true, describe: 'name or folder' }),
      async (a) => {
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
      },
    )
    .command(
      'record',
      'record a session with a real server into a fixture: a transparent WebSocket proxy',
      (y) =>
        y
          .option('upstream', {
            type: 'string',
            demandOption: true,
            describe: 'the real server, e.g. wss://host/v1/realtime (credentials never go here)',
          })
          .option('out', {
            type: 'string',
            demandOption: true,
            describe: 'fixture folder to write; its name is the fixture name (fixtures/<name>)',
          })
          .option('port', {
            alias: 'p',
            type: 'number',
            default: RECORD_DEFAULT_PORT,
            describe: 'port the client connects to; 0 picks a free one',
          })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind' })
          .option('key-env', {
            type: 'string',
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
          ),
      async (a) => {
        process.exitCode = await runRecordCommand({
          upstream: a.upstream,
          out: a.out,
          port: a.port,
          host: a.host,
          keyEnv: a['key-env'],
          force: a.force,
        });
      },
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
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .parseAsync();
}

function printBanner(server: MockServer, logToStdout: boolean): void {
  const out = logToStdout ? process.stderr : process.stdout;
  const key = server.keys[0] ?? '';
  const simple = `${server.url}?model=mal-realtime-simple`;
  out.write(
    [
      `swaram-mock: fixture "${server.fixture.name}" on ${server.url}`,
      `  test key:  ${key}`,
      `  models:    mal-realtime-simple (Simple), mal-realtime-premium (Premium)`,
      `  health:    ${server.url.replace(/^ws/, 'http').replace('/v1/realtime', '/health')}`,
      ...(server.certificate
        ? ['  tls:       self-signed certificate (trust it or disable verification in tests)']
        : []),
      '',
      '  try it (Node, with the ws package):',
      `    const ws = new (require('ws'))('${simple}', { headers: { Authorization: 'Bearer ${key}' } });`,
      `    ws.on('open', () => ws.send(JSON.stringify({ type: 'session.update', session: { voice: 'mal-female' } })));`,
      `    ws.on('message', (m) => console.log(JSON.parse(m).type));`,
      '',
      '  Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
}

function printSummary(s: SessionSummary): void {
  const st = s.stats;
  process.stderr.write(
    `${s.id} (${s.mode}, key ${s.key.slice(0, 7)}…${s.key.slice(-4)}): ${(s.durationMs / 1000).toFixed(1)} s, ` +
      `${st.userTurns} user turn(s), ${st.responses} response(s) (${st.cancelled} cancelled), ` +
      `${st.toolCalls} tool call(s), ${st.errorsSent} error(s); closed ${s.closeCode} by ${s.closedBy}` +
      `${s.closeReason ? ` (${s.closeReason})` : ''}\n`,
  );
}

function fail(message: string): never {
  process.stderr.write(`swaram-mock: ${message}\n`);
  process.exit(2);
}
