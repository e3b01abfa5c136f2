import type { Writable } from 'node:stream';
import type { RecordedFixture, RecordedViolation } from './fixture-writer.js';
import { RecorderError, startRecorder, type Recorder } from './recorder.js';

/** The port `swaram-mock record` listens on when none is given (the mock's is 8765). */
export const RECORD_DEFAULT_PORT = 8766;

/** The arguments of `swaram-mock record`, as yargs parsed them. */
export interface RecordCommandArgs {
  upstream: string;
  out: string;
  port: number;
  host: string;
  /** Name of the environment variable holding the upstream key. */
  keyEnv?: string | undefined;
  force: boolean;
}

/** Where the command writes and what it reads; the process's own by default. */
export interface RecordCommandIo {
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks to stop (Ctrl-C). Default: SIGINT or SIGTERM. */
  interrupted?: Promise<string>;
}

/**
 * `swaram-mock record`: starts a recorder, prints where to connect, waits for the recorded
 * session to end (or Ctrl-C), then prints what was written. Returns the exit code: 0 when a
 * valid fixture was written, 1 when nothing could be, 2 for bad arguments.
 */
export async function runRecordCommand(
  args: RecordCommandArgs,
  io: RecordCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  let key: string | undefined;
  if (args.keyEnv !== undefined) {
    key = io.env[args.keyEnv];
    if (key === undefined || key.length === 0) {
      err(
        `swaram-mock record: the environment variable ${args.keyEnv} (--key-env) is not set or ` +
          'empty; export the upstream key in it, or drop --key-env to pass on the client’s own key',
      );
      return 2;
    }
  }

  let recorder: Recorder;
  try {
    recorder = await startRecorder({
      upstream: args.upstream,
      out: args.out,
      port: args.port,
      host: args.host,
      ...(key !== undefined ? { key } : {}),
      overwrite: args.force,
      onViolation: (v) => err(describeViolation(v)),
      onNotice: (message) => err(`swaram-mock record: ${message}`),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      err(`swaram-mock record: port ${args.port} is in use: pick another with --port (0: any)`);
    } else if (error instanceof RecorderError) {
      err(`swaram-mock record: ${error.message}`);
    } else throw error;
    return 2;
  }

  const upstreamShown = new URL(args.upstream);
  out(
    [
      `swaram-mock record: relaying ${recorder.url} → ${upstreamShown.protocol}//${upstreamShown.host}${upstreamShown.pathname}`,
      `  recording into: ${args.out}`,
      `  credentials:    ${
        args.keyEnv !== undefined
          ? `$${args.keyEnv}, sent upstream as a Bearer key (the client needs none)`
          : 'the client’s own, passed upstream the way the client sends them'
      } (never written)`,
      `  connect to:     ${recorder.url}?model=mal-realtime-simple`,
      '  The recording ends when either side closes the connection, or on Ctrl-C.',
      '',
    ].join('\n'),
  );

  const signals = io.interrupted ? undefined : signalled();
  const interrupted = io.interrupted ?? signals!.promise;
  let fixture: RecordedFixture;
  try {
    const first = await Promise.race([
      recorder.recorded.then(() => undefined),
      interrupted.then((signal) => signal),
    ]);
    if (first !== undefined) err(`\nswaram-mock record: ${first}, ending the recording…`);
    fixture = await recorder.close();
  } catch (error) {
    await recorder.close().catch(() => undefined);
    if (!(error instanceof RecorderError)) throw error;
    err(`swaram-mock record: ${error.message}`);
    for (const file of error.files) err(`  wrote ${file}`);
    for (const p of error.problems) err(`  ${p.severity}: ${p.file}: ${p.message}`);
    return 1;
  } finally {
    signals?.dispose();
  }
  out(describeFixture(fixture));
  return 0;
}

/** One line per frame with findings: who sent what, when, and the first finding. */
export function describeViolation(v: RecordedViolation): string {
  const first = v.violations[0];
  const more = v.violations.length > 1 ? ` (+${v.violations.length - 1} more)` : '';
  return (
    `violation: ${v.from} ${v.type ?? 'frame'} at ${v.atMs} ms: ` +
    `${first?.message ?? 'invalid'} [${first?.code ?? 'invalid_event'}]${more}`
  );
}

/** What `swaram-mock record` prints once the fixture is written. */
export function describeFixture(f: RecordedFixture): string {
  const warnings = f.report.problems.filter((p) => p.severity === 'warning');
  return [
    `swaram-mock record: wrote fixture "${f.name}" to ${f.dir} (valid${
      warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''
    })`,
    `  ${f.turns} user turn(s), ${f.responses} response(s), ${f.toolCalls} tool call(s); ` +
      `${f.clientEvents} client and ${f.serverEvents} server events; ${f.violations} frame(s) with violations`,
    ...(f.close ? [`  closed ${f.close.code} by ${f.close.by}`] : []),
    `  files: ${f.files.join(', ')}`,
    ...warnings.map((p) => `  warning: ${p.message}`),
    ...f.notes.map((n) => `  note: ${n}`),
    `  serve it: swaram-mock --fixture ${f.dir}`,
    '',
  ].join('\n');
}

/** SIGINT or SIGTERM as a promise; `dispose` gives the signals back to Node's defaults. */
function signalled(): { promise: Promise<string>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<string>((resolve) => {
    const onInt = () => resolve('SIGINT');
    const onTerm = () => resolve('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    dispose = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  });
  return { promise, dispose };
}
