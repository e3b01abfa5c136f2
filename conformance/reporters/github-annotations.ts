import type { RunResult } from '../results/result-schema.js';
import { evidenceText, exploreLines, isProblem, replayOf, runName } from './result-text.js';

const RUNS_PER_RULE = 3;

/**
 * GitHub Actions workflow commands, one per rule to look at: `::error` for the rules that
 * decide the exit code (`summary.failing`), `::warning` for the other failures and warnings.
 * Each names the failing runs with their reason, evidence and replay command.
 */
export function renderAnnotations(result: RunResult): string {
  const lines: string[] = [];
  for (const r of result.rules) {
    if (!isProblem(r.status)) continue;
    const level = result.summary.failing.includes(r.id) ? 'error' : 'warning';
    const runs = r.runs.filter((x) => isProblem(x.status));
    const body = [
      r.reason,
      ...runs
        .slice(0, RUNS_PER_RULE)
        .flatMap((x) => [
          `${runName(x)}: ${x.reason}`,
          ...x.evidence.slice(0, 3).map((e) => `  ${evidenceText(e)}`),
          `  replay: ${replayOf(result, x.scenario)}`,
        ]),
      ...(runs.length > RUNS_PER_RULE ? [`… ${runs.length - RUNS_PER_RULE} more run(s)`] : []),
    ].join('\n');
    lines.push(
      `::${level} title=${escapeProperty(`swaram-conform ${r.level} ${r.id}: ${r.title}`)}::${escapeData(body)}`,
    );
  }
  const explored = exploreLines(result);
  if (explored.length)
    lines.push(
      `::${result.explore?.failure ? 'error' : 'notice'} title=${escapeProperty('swaram-conform explore')}::${escapeData(explored.join('\n'))}`,
    );
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** A workflow command's message: `%`, CR and LF escaped (actions/toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,` (actions/toolkit `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
