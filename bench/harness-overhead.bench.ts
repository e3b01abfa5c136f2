import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { defaultJobs } from '../conformance/run/plan-order.js';
import type { BenchOptions } from './run.js';
import { dropRun, machineLine, median, quantile, ROOT, runConformCli } from './cli-run.js';

/**
 * What the harness adds to L_tool_out: the tool-call scenario at speed 1 against
 * bench/instant-adapter.mjs, a client that answers at once (its `tool.invoke` the moment the
 * arguments are done, its `function_call_output` the moment `tool.result` arrives). Every ms
 * of L_tool_out it gets is the harness's: the mock, the sockets, the adapter's pipes, the
 * recording (target: p99 < 2 ms). Baseline measured in the same run: a bare `ws` round trip
 * to a child process that echoes at once (the floor any client pays for two socket hops).
 */
export const description =
  'L_tool_out with an instant adapter (the harness overhead) vs a bare ws round trip';

const ADAPTER = `node ${join(ROOT, 'bench', 'instant-adapter.mjs')}`;

/** L_tool_out samples of `repeat` runs of tool-call, `jobs` at once. */
async function toolOverhead(repeat: number, jobs: number): Promise<number[]> {
  const run = await runConformCli([
    '--target-cmd',
    ADAPTER,
    '--scenario',
    'tool-call',
    '--repeat',
    String(repeat),
    '--jobs',
    String(jobs),
  ]);
  const metric = run.result.metrics.find((m) => m.name === 'L_tool_out');
  dropRun(run);
  const samples = metric?.samples.map((s) => s.value) ?? [];
  if (samples.length === 0) throw new Error(`no L_tool_out sample: ${run.result.summary.line}`);
  return samples;
}

/** A child process that echoes every frame at once. */
const ECHO = `
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1]);
ws.on('message', (data) => ws.send(data.toString()));
`;

/** `count` round trips of a function_call_arguments.done-sized frame to an echoing child. */
async function wsRoundTrips(count: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, ['-e', ECHO, `ws://127.0.0.1:${port}`], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const [socket] = (await once(server, 'connection')) as [WebSocket];
  const frame = JSON.stringify({
    type: 'response.function_call_arguments.done',
    event_id: 'event_1',
    response_id: 'resp_1',
    item_id: 'item_1',
    output_index: 0,
    call_id: 'call_1',
    name: 'get_weather',
    arguments: '{"city":"Kochi"}',
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    socket.send(frame);
    await once(socket, 'message');
    samples.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, 20)); // paced, as a session is
  }
  child.kill();
  server.close();
  return samples;
}

function line(label: string, xs: readonly number[], base?: readonly number[]): string {
  const p50 = median(xs);
  const p99 = quantile(xs, 0.99);
  const vs = base ? `  p99 −ws p99: ${(p99 - quantile(base, 0.99)).toFixed(2)} ms` : '';
  return `  ${label.padEnd(34)} n=${String(xs.length).padStart(3)}  p50 ${p50.toFixed(2).padStart(6)} ms  p99 ${p99.toFixed(2).padStart(6)} ms  max ${Math.max(
    ...xs,
  )
    .toFixed(2)
    .padStart(6)} ms${vs}`;
}

/** Prints the overhead alone (one run at a time) and at the default --jobs, against bare ws. */
export async function run(options: BenchOptions): Promise<void> {
  const jobs = defaultJobs();
  const plan = options.quick
    ? { alone: 1, together: 0, ws: 50 }
    : { alone: 10, together: 4 * jobs, ws: 500 };
  console.log(machineLine());
  console.log(
    `tool-call at speed 1 against bench/instant-adapter.mjs; target: L_tool_out p99 < 2 ms${options.quick ? ' (--quick: smoke test)' : ''}`,
  );
  const ws = await wsRoundTrips(plan.ws);
  console.log(line('bare ws round trip (baseline)', ws));
  console.log(line('L_tool_out, --jobs 1', await toolOverhead(plan.alone, 1), ws));
  if (plan.together > 0)
    console.log(
      line(`L_tool_out, --jobs ${jobs} (default)`, await toolOverhead(plan.together, jobs), ws),
    );
}
