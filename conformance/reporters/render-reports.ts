import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../results/result-schema.js';
import { validateRunResult } from '../results/validate-run-result.js';
import { renderAnnotations } from './github-annotations.js';
import { htmlReport } from './html-report.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import { ReportError } from './report-error.js';
import { terminalReporter } from './terminal.js';

/**
 * The reporters by name (for `--reporter`):
 *
 * - `terminal`: the summary on stderr (failing rules, metrics, verdict);
 * - `json`: `index.json`, the result model itself;
 * - `html`: `report.html`, self-contained (see docs/reports.md);
 * - `junit`: `junit.xml`, one test case per rule × scenario;
 * - `markdown`: `summary.md`, also appended to `$GITHUB_STEP_SUMMARY` when that is set;
 * - `github`: `::error` / `::warning` annotations on stdout, only when `GITHUB_ACTIONS=true`.
 */
export const REPORTER_NAMES = ['terminal', 'json', 'html', 'junit', 'markdown', 'github'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

/**
 * The reporters of `swaram-conform` when `--reporter` is not given: the terminal and every file
 * (`index.json` is always written), plus `github` on GitHub Actions (see {@link defaultReporters}).
 */
export const DEFAULT_REPORTERS: readonly ReporterName[] = ['terminal', 'html', 'junit', 'markdown'];

/** {@link DEFAULT_REPORTERS}, plus `github` when `GITHUB_ACTIONS=true` in `env`. */
export function defaultReporters(env: NodeJS.ProcessEnv = process.env): ReporterName[] {
  return [...DEFAULT_REPORTERS, ...(env.GITHUB_ACTIONS === 'true' ? (['github'] as const) : [])];
}

/** Where reports go besides the run folder; defaults are the process's own. */
export interface RenderOptions {
  /** Read for `GITHUB_ACTIONS` and `GITHUB_STEP_SUMMARY`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Annotations (`github`). Default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
  /** The `terminal` summary. Default `process.stderr`. */
  stderr?: NodeJS.WritableStream;
}

/** One reporter's output: the file it wrote (absolute or relative as `runDir` was given). */
export interface RenderedReport {
  reporter: ReporterName;
  file?: string;
}

/**
 * Renders the named reporters for a run whose folder is `runDir` (its scenario files are read
 * from there for the HTML timelines). Reporters only render: every verdict comes from `result`.
 *
 * @example
 * const { result, dir } = await runConformance({ target: 'clients/reference' });
 * await renderReports(result, dir, ['html', 'junit', 'markdown']);
 */
export async function renderReports(
  result: RunResult,
  runDir: string,
  reporters: readonly ReporterName[],
  options: RenderOptions = {},
): Promise<RenderedReport[]> {
  const env = options.env ?? process.env;
  const done: RenderedReport[] = [];
  for (const name of new Set(reporters)) {
    switch (name) {
      case 'terminal':
        terminalReporter(options.stderr ?? process.stderr).onRunEnd?.(result, runDir);
        done.push({ reporter: name });
        break;
      case 'json':
        done.push({
          reporter: name,
          file: await write(runDir, 'index.json', `${JSON.stringify(result, null, 2)}\n`),
        });
        break;
      case 'html':
        done.push({
          reporter: name,
          file: await write(runDir, 'report.html', await htmlReport(result, runDir)),
        });
        break;
      case 'junit':
        done.push({ reporter: name, file: await write(runDir, 'junit.xml', renderJunit(result)) });
        break;
      case 'markdown': {
        const text = renderMarkdown(result);
        done.push({ reporter: name, file: await write(runDir, 'summary.md', text) });
        if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${text}\n`);
        break;
      }
      case 'github':
        if (env.GITHUB_ACTIONS === 'true')
          (options.stdout ?? process.stdout).write(renderAnnotations(result));
        done.push({ reporter: name });
        break;
      default:
        throw new ReportError(
          'ERR_UNKNOWN_REPORTER',
          `unknown reporter '${String(name)}': use ${REPORTER_NAMES.join(', ')}`,
        );
    }
  }
  return done;
}

/**
 * Re-renders reporters from an existing run folder (`swaram-conform show <run-dir>`): reads
 * and validates its `index.json`, then {@link renderReports}. Throws {@link ReportError}
 * `ERR_NO_RUN` when there is no readable `index.json`, `ERR_BAD_RESULT` when it does not
 * validate against `runResultSchema` (see {@link validateRunResult}).
 */
export async function showRun(
  runDir: string,
  reporters: readonly ReporterName[],
  options: RenderOptions = {},
): Promise<{ result: RunResult; reports: RenderedReport[] }> {
  const result = await readRunResult(runDir);
  return { result, reports: await renderReports(result, runDir, reporters, options) };
}

/** Reads `<runDir>/index.json` and validates it strictly against `runResultSchema`. */
export async function readRunResult(runDir: string): Promise<RunResult> {
  const path = join(runDir, 'index.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (err as Error).message.split('\n')[0];
    throw new ReportError(
      'ERR_NO_RUN',
      `cannot read ${path} (${why}): pass a run folder, reports/<run-id>`,
    );
  }
  const check = validateRunResult(json);
  if (!check.ok)
    throw new ReportError(
      'ERR_BAD_RESULT',
      `${path} is not a swaram-conform/result/1 run result: ${check.problems.slice(0, 3).join('; ')}`,
    );
  return check.result;
}

async function write(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}
