import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../results/result-schema.js';
import { renderJunit } from './junit-report.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const payload = JSON.parse(
  readFileSync(join(testdata, 'payload-run/index.json'), 'utf8'),
) as RunResult;
const XSD = join(testdata, 'junit-10.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
if (!hasXmllint)
  console.warn(
    'xmllint not found (Debian: libxml2-utils; .ci/run installs it): XSD checks skipped',
  );

function write(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'swaram-junit-')), 'junit.xml');
  writeFileSync(file, xml);
  return file;
}

function xpath(file: string, expr: string): string {
  // xmllint ends its answer with a newline of its own
  return execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).replace(/\n$/, '');
}

describe('renderJunit', () => {
  it.skipIf(!hasXmllint)('is valid against the Jenkins junit-10.xsd', () => {
    const file = write(renderJunit(payload));
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    expect(r.stderr).toContain('validates');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasXmllint)('stays valid XML when a client sends control characters', () => {
    const nasty = structuredClone(payload);
    nasty.rules[0]!.runs[0]!.reason = 'bell \u0007 nul \u0000 lone \ud800 end ]]> & "q"';
    const file = write(renderJunit(nasty));
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(xpath(file, 'string(//testsuite[@name="TOOL-ANSWER"]/testcase/failure)')).toContain(
      ']]> & "q"',
    );
  });

  it.skipIf(!hasXmllint)(
    'gives a failing rule × scenario its reason, evidence and replay line',
    () => {
      const file = write(renderJunit(payload));
      const failure = xpath(file, 'string(//testsuite[@name="TOOL-ANSWER"]/testcase/failure)');
      const run = payload.rules[0]!.runs[0]!;
      expect(failure).toContain(`payload #1: fail: ${run.reason}`);
      expect(failure).toContain(
        'evidence: frame 9 at 520 ms: function call named <img src=x onerror="window.__pwned=1">',
      );
      expect(failure).toContain('evidence: observation 4 at 530 ms: tool.invoke <script>');
      expect(failure).toContain(`replay: ${payload.scenarios[0]!.replay}`);
      expect(
        xpath(file, 'string(//testsuite[@name="TOOL-ANSWER"]/testcase/failure/@message)'),
      ).toBe(run.reason);
      expect(xpath(file, 'string(//testsuite[@name="TOOL-ANSWER"]/testcase/failure/@type)')).toBe(
        'MUST',
      );
    },
  );

  it('has one case per rule × scenario, and the counts CI systems show', () => {
    const xml = renderJunit(payload);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<testsuites [^>]*tests="5" failures="1" errors="1"/);
    expect(xml).toMatch(
      /<testsuite name="HARNESS-CASE" tests="1" failures="0" errors="1"[^>]*>[\s\S]*<error type="harness_error"/,
    );
    expect(xml).toMatch(
      /<testsuite name="PTT-COMMIT"[^>]*skipped="1"[\s\S]*?name="\(no scenario\)"[\s\S]*?<skipped type="skipped"/,
    );
    // warn passes (JUnit has no warn) but keeps its reason
    expect(xml).toMatch(
      /<testsuite name="ERROR-SURVIVE" tests="1" failures="0" errors="0"[\s\S]*?<system-out>payload #1: warn: error code/,
    );
    expect(xml).not.toContain('<script>');
  });

  it('folds repetitions of a scenario into one case with every failing run', () => {
    const twice = structuredClone(payload);
    const rule = twice.rules[0]!;
    rule.runs.push({ ...rule.runs[0]!, run: 2, reason: 'second run failed too', evidence: [] });
    rule.runs.push({ ...rule.runs[0]!, run: 3, status: 'pass', reason: 'third ok', evidence: [] });
    const xml = renderJunit(twice);
    const suite = xml.slice(xml.indexOf('<testsuite name="TOOL-ANSWER"'));
    expect(suite.slice(0, suite.indexOf('</testsuite>')).match(/<testcase /g)).toHaveLength(1);
    expect(suite).toMatch(/<failure type="MUST" message="2 runs: /);
    expect(suite).toContain('payload #2: fail: second run failed too');
    expect(suite.slice(0, suite.indexOf('</failure>'))).not.toContain('third ok');
  });
});
