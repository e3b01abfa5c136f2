import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { toolRoundTrips } from '../conformance/metrics/episodes.js';
import { defaultJobs } from '../conformance/run/plan-order.js';
import type { Trace } from '../conformance/trace/trace.js';
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

/** What {@link toolOverhead} read of a run of tool-call. */
interface ToolOverhead {
  /** L_tool_out, one per run. */
  samples: number[];
  /** `args.done` sent → the adapter's `tool.invoke` received, ms, per run. */
  outLegs: number[];
  /** The runner's `tool.result` → `function_call_output` received, ms, per run. */
  backLegs: number[];
  /** The run with the slowest L_tool_out, and the slowest among the others. */
  slowest: { run: number; value: number; next: number };
}

/** L_tool_out of `repeat` runs of tool-call, `jobs` at once, with each sample's two legs. */
async function toolOverhead(repeat: number, jobs: number): Promise<ToolOverhead> {
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
  const trips = run.result.scenarios
    .flatMap((s) => s.runs)
    .flatMap((r) => {
      const { trace } = JSON.parse(readFileSync(join(run.dir, r.file), 'utf8')) as {
        trace: Trace;
      };
      return toolRoundTrips(trace).slice(0, 1);
    });
  dropRun(run);
  const samples = metric?.samples ?? [];
  if (samples.length === 0) throw new Error(`no L_tool_out sample: ${run.result.summary.line}`);
  const byValue = [...samples].sort((a, b) => b.value - a.value);
  return {
    samples: samples.map((s) => s.value),
    outLegs: trips.flatMap((t) => (t.invoke ? [t.invoke.at - t.call.at] : [])),
    backLegs: trips.flatMap((t) =>
      t.result && t.outputs[0] ? [t.outputs[0].at - t.result.at] : [],
    ),
    slowest: { run: byValue[0]!.run, value: byValue[0]!.value, next: byValue[1]?.value ?? NaN },
  };
}

/**
 * A child process that echoes every frame at once: straight back over its socket (`ws`), or
 * (`pipes`) the way an adapter's tool call travels: the frame out on stdout as a line, and back
 * over the socket when that line comes back on stdin.
 */
const ECHO = `
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[1]);
if (process.argv[2] === 'pipes') {
  ws.on('message', (data) => process.stdout.write(data.toString() + '\\n'));
  require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => ws.send(l));
} else ws.on('message', (data) => ws.send(data.toString()));
`;

/**
 * `count` round trips of a function_call_arguments.done-sized frame to an echoing child: over
 * its socket and back (2 hops), or through its pipes too (4 hops: socket to the child, its
 * stdout to us, our line to its stdin, its socket back — the hops of an L_tool_out sample).
 */
async function roundTrips(count: number, hops: 'ws' | 'pipes'): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, ['-e', ECHO, `ws://127.0.0.1:${port}`, hops], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (l) => child.stdin!.write(`${l}\n`));
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
  lines.close();
  child.kill();
  server.close();
  return samples;
}

const ms = (x: number) => `${x.toFixed(2).padStart(6)} ms`;

/** One row; against `base` (the 4-hop floor), what the harness adds at p50 and p99. */
function line(label: string, xs: readonly number[], base?: readonly number[]): string {
  const p50 = median(xs);
  const p99 = quantile(xs, 0.99);
  const vs = base
    ? `  over the floor: p50 +${(p50 - median(base)).toFixed(2)} ms, p99 +${(p99 - quantile(base, 0.99)).toFixed(2)} ms`
    : '';
  return `  ${label.padEnd(38)} n=${String(xs.length).padStart(3)}  p50 ${ms(p50)}  p90 ${ms(quantile(xs, 0.9))}  p99 ${ms(p99)}  max ${ms(Math.max(...xs))}${vs}`;
}

/** Prints the overhead alone (one run at a time) and at the default --jobs, against bare ws. */
export async function run(options: BenchOptions): Promise<void> {
  const jobs = defaultJobs();
  const plan = options.quick
    ? { alone: 1, together: 0, ws: 50 }
    : { alone: 20, together: 16 * jobs, ws: 500 };
  console.log(machineLine());
  console.log(
    `tool-call at speed 1 against bench/instant-adapter.mjs; target: L_tool_out p99 < 2 ms${options.quick ? ' (--quick: smoke test)' : ''}`,
  );
  console.log(line('bare ws round trip (2 hops)', await roundTrips(plan.ws, 'ws')));
  const floor = await roundTrips(plan.ws, 'pipes');
  console.log(line('ws + pipes round trip (4 hops: floor)', floor));
  const runs = [{ label: 'L_tool_out, --jobs 1', repeat: plan.alone, jobs: 1 }];
  if (plan.together > 0) {
    runs.push({ label: `L_tool_out, --jobs ${jobs} (default)`, repeat: plan.together, jobs });
  }
  for (const { label, repeat, jobs: at } of runs) {
    const found = await toolOverhead(repeat, at);
    console.log(line(label, found.samples, floor));
    console.log(
      `    legs (median): out ${median(found.outLegs).toFixed(2)} ms, back ${median(found.backLegs).toFixed(2)} ms` +
        ` (the floor's: ${(median(floor) / 2).toFixed(2)} ms each);` +
        ` slowest: run ${found.slowest.run} (${found.slowest.value.toFixed(2)} ms), next ${Number.isNaN(found.slowest.next) ? '–' : `${found.slowest.next.toFixed(2)} ms`}`,
    );
  }
}
