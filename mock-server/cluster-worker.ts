import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { HandedConnection } from './connection.js';
import type { SheddingChange } from './load-shedding.js';
import {
  startMockServer,
  type ConnectionEvent,
  type MockServer,
  type MockServerOptions,
  type SessionSummary,
} from './mock-server.js';

/**
 * A worker of `swaram-mock --workers N` (mock-server/cluster.ts), forked by the primary: a
 * mock of its own (its port on loopback serves only the primary's forwarded look-ins) that
 * runs the sessions the primary admits, and reports each one's end.
 */

/** The primary's first message: the options as data, and which reports it wants. */
export interface WorkerStart {
  cmd: 'start';
  options: MockServerOptions;
  report: { sessionEnd: boolean; connection: boolean; shedding: boolean };
}

/** A connection the primary admitted, with its socket (sent beside the message). */
export interface HandedMessage {
  cmd: 'adopt';
  req: { method: string; url: string; headers: IncomingHttpHeaders };
  head: Uint8Array;
  handed: HandedConnection;
}

/** What a worker tells the primary. */
export type WorkerReport =
  | { kind: 'ready'; port: number; timeOrigin: number }
  | { kind: 'ended'; number: number }
  | { kind: 'summary'; summary: SessionSummary }
  | { kind: 'connection'; event: ConnectionEvent }
  | { kind: 'shedding'; change: SheddingChange };

type Run = (req: IncomingMessage, socket: Socket, head: Buffer, handed: HandedConnection) => void;

const tell = (report: WorkerReport | Record<string, unknown>) => {
  if (process.connected) process.send!(report);
};

async function startWorker(start: WorkerStart): Promise<void> {
  let run: Run | undefined;
  const { report } = start;
  const server = await startMockServer(
    {
      ...start.options,
      ...(report.sessionEnd
        ? { onSessionEnd: (summary) => tell({ kind: 'summary', summary }) }
        : {}),
      ...(report.connection
        ? { onConnection: (event) => tell({ kind: 'connection', event }) }
        : {}),
      ...(report.shedding ? { onShedding: (change) => tell({ kind: 'shedding', change }) } : {}),
    },
    { adopt: (r) => (run = r as Run) },
  );
  process.on('message', (m: HandedMessage | { cmd: 'health' | 'close' }, socket?: Socket) => {
    if (m.cmd === 'adopt' && socket && run) {
      const { number } = m.handed;
      // The session counts live in the primary until its socket closes here, whatever ended it
      // (a refusal of this worker's, a failed handshake, either side's close).
      socket.once('close', () => tell({ kind: 'ended', number }));
      run(m.req as IncomingMessage, socket, Buffer.from(m.head), m.handed);
    } else if (m.cmd === 'health') {
      tell(healthReport(server));
    } else if (m.cmd === 'close') {
      void stop(server);
    }
  });
  // A primary that died without closing us: close the sessions and go.
  started = server;
  tell({ kind: 'ready', port: server.port, timeOrigin: performance.timeOrigin });
}

function healthReport(server: MockServer) {
  const cpu = process.cpuUsage();
  return {
    kind: 'health',
    pid: process.pid,
    health: server.health(),
    lateness: server.scheduler.latenessEntries(),
    cpuMicros: cpu.user + cpu.system,
  };
}

let stopping = false;
let started: MockServer | undefined;

async function stop(server: MockServer | undefined): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server?.close();
  process.exit(0);
}

if (process.send !== undefined) {
  // Ctrl-C reaches the whole process group: the primary closes the workers in order.
  process.on('SIGINT', () => undefined);
  // A primary that died without closing us (even before we started): close and go.
  process.once('disconnect', () => void stop(started));
  process.once('message', (m: WorkerStart) => {
    startWorker(m).catch((error: unknown) => {
      process.stderr.write(`swaram-mock: a worker could not start: ${String(error)}\n`);
      process.exit(2);
    });
  });
}
