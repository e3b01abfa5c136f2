import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Runs the benchmarks of this folder and prints their figures (`npm run bench`).
 *
 * A benchmark is a module `bench/<name>.bench.ts` exporting `run(options)` (and optionally a
 * one-line `description`); adding a file is enough to register it. Usage:
 *
 *     npm run bench                      # every benchmark
 *     npm run bench -- validation        # only bench/validation.bench.ts
 *     npm run bench -- --quick           # short runs (smoke test, noisy figures)
 *     npm run bench -- --list            # names and descriptions
 *     npm run bench -- soak --duration 5m  # a benchmark that runs for a time, for 5 minutes
 */

/** What every benchmark's `run` receives. */
export interface BenchOptions {
  /** Short warm-up and measuring time: a smoke test, not figures to quote. */
  readonly quick: boolean;
  /** `--duration`: how long a benchmark that runs for a time (soak) runs, ms; its own default if absent. */
  readonly durationMs?: number;
}

/** The shape of a `*.bench.ts` module. */
export interface BenchModule {
  /** One line shown by `--list`. */
  readonly description?: string;
  /** Runs the benchmark and prints its figures. */
  run(options: BenchOptions): void | Promise<void>;
}

/** The outcome of {@link measure}. */
export interface Measurement {
  readonly iterations: number;
  readonly elapsedMs: number;
  /** Calls per second. */
  readonly perSecond: number;
  /** CPU time this process spent measuring (user + system), ms. */
  readonly cpuMs: number;
  /**
   * Calls per second of this process's CPU time: steadier than `perSecond` on a machine shared
   * with other processes (time the process waited for a core is not counted).
   */
  readonly perCpuSecond: number;
}

/**
 * Calls `fn` in a plain loop: first for `warmupMs` (so the JIT settles), then for `durationMs`,
 * measured with `performance.now()` in batches of `batch` calls (to keep timer reads out of the
 * figures). `fn` receives the iteration number so it can cycle through inputs.
 */
export function measure(
  fn: (iteration: number) => unknown,
  options: { warmupMs: number; durationMs: number; batch?: number },
): Measurement {
  const batch = options.batch ?? 256;
  let sink = 0;
  const spin = (ms: number, start: number): { iterations: number; elapsedMs: number } => {
    const t0 = performance.now();
    let i = start;
    for (;;) {
      for (let k = 0; k < batch; k++, i++) if (fn(i)) sink++;
      const elapsed = performance.now() - t0;
      if (elapsed >= ms) return { iterations: i - start, elapsedMs: elapsed };
    }
  };
  const warm = spin(options.warmupMs, 0);
  const cpu0 = process.cpuUsage();
  const run = spin(options.durationMs, warm.iterations);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (sink < 0) console.log(sink); // keeps the results observable
  return {
    ...run,
    perSecond: (run.iterations / run.elapsedMs) * 1000,
    cpuMs,
    perCpuSecond: (run.iterations / Math.max(cpuMs, 1e-3)) * 1000,
  };
}

/** `12 345 678` style grouping for big figures. */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

const here = dirname(fileURLToPath(import.meta.url));

/** The benchmarks in this folder, by name (`validation` for `validation.bench.ts`). */
export function benchFiles(): Map<string, string> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  return new Map(files.map((f) => [basename(f, '.bench.ts'), join(here, f)]));
}

async function load(path: string): Promise<BenchModule> {
  const module = (await import(pathToFileURL(path).href)) as Partial<BenchModule>;
  if (typeof module.run !== 'function') {
    throw new Error(`${path} does not export a run(options) function`);
  }
  return module as BenchModule;
}

/** The `npm run bench` command. Returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const files = benchFiles();
  if (values.help) {
    console.log('usage: npm run bench -- [--quick] [--duration 30m|90s] [--list] [name …]');
    console.log(`benchmarks: ${[...files.keys()].join(', ') || '(none)'}`);
    return 0;
  }
  if (values.list) {
    for (const [name, path] of files) {
      console.log(`${name.padEnd(20)} ${(await load(path)).description ?? ''}`);
    }
    return 0;
  }
  const unknown = positionals.filter((name) => !files.has(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}`);
    console.error(`available: ${[...files.keys()].join(', ')}`);
    return 2;
  }
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (durationMs === null) {
    console.error(`--duration ${values.duration}: give minutes or seconds, e.g. 30m, 90s`);
    return 2;
  }
  const selected = positionals.length > 0 ? positionals : [...files.keys()];
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  for (const name of selected) {
    console.log(`\n## ${name}`);
    const began = performance.now();
    await (
      await load(files.get(name)!)
    ).run({
      quick: values.quick,
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
    console.log(`  (${name}: ${((performance.now() - began) / 1000).toFixed(1)} s)`);
  }
  return 0;
}

/** `30m`, `90s`, `1.5m` → ms; null when it is none of these. */
function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(m|s)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
