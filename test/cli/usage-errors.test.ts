import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runConformCli } from '../../conformance/conform-cli.js';
import { runMockCli } from '../../mock-server/mock-cli.js';

// Each case spawns a process through tsx: seconds each on a loaded machine.
const SPAWN_TIMEOUT = 60_000;
import { runCli, ROOT } from './run-cli.js';

/**
 * A bad command line is one line on stderr that says what is wrong and where help is, and
 * exit code 2 (1 means "a MUST rule failed"; docs/reports.md). Nothing starts.
 */
type Case = [bin: 'swaram-mock' | 'swaram-conform', args: string[], message: RegExp];

const CASES: Case[] = [
  ['swaram-conform', ['--target', 'x', '--speed', '0'], /--speed must be a number > 0 \(got 0\)/],
  [
    'swaram-conform',
    ['--target', 'x', '--speed', 'abc'],
    /--speed must be a number > 0 \(got "abc"\)/,
  ],
  ['swaram-conform', ['--target', 'x', '--bogus'], /unknown option --bogus/],
  [
    'swaram-conform',
    ['--target', 'x', '--mode', 'turbo'],
    /--mode must be one of "simple", "premium" \(got "turbo"\)/,
  ],
  ['swaram-conform', [], /say which client to test: --target/],
  [
    'swaram-conform',
    ['--target', 'x', '--repeat', '0'],
    /--repeat must be a whole number ≥ 1 \(got 0\)/,
  ],
  [
    'swaram-conform',
    ['--target', 'x', '--jobs', '0'],
    /--jobs must be a whole number ≥ 1 \(got 0\)/,
  ],
  [
    'swaram-conform',
    ['--target', 'x', '--target-cmd', 'y'],
    /--target and --target-cmd exclude each other/,
  ],
  [
    'swaram-conform',
    ['--target', 'x', '--handshake-timeout', 'soon'],
    /--handshake-timeout must be a number > 0/,
  ],
  [
    'swaram-conform',
    ['--target', 'x', '--budget', 'L_stop.p95'],
    /--budget "L_stop.p95": give KEY=VALUE/,
  ],
  ['swaram-conform', ['--target', 'x', '--speed'], /--speed needs a value/],
  ['swaram-conform', ['list', '--nope'], /unknown option --nope; see swaram-conform list --help$/],
  [
    'swaram-conform',
    ['--target', 'x', '--reporter', 'html,pdf'],
    /--reporter pdf: unknown; use terminal, json, html, junit, markdown, github/,
  ],
  ['swaram-conform', ['--target', 'x', '--reporter'], /--reporter needs a name/],
  [
    'swaram-conform',
    ['--target', 'x', '--audio', 'some'],
    /--audio must be one of "summary", "full"/,
  ],
  ['swaram-conform', ['show', 'x', '--reporter', 'pdf'], /; see swaram-conform show --help$/],
  ['swaram-conform', ['show'], /; see swaram-conform show --help$/],
  ['swaram-mock', ['--speed', '0'], /--speed must be a number > 0 \(got 0\)/],
  ['swaram-mock', ['--speed', 'abc'], /--speed must be a number > 0 \(got "abc"\)/],
  ['swaram-mock', ['--bogus'], /unknown option --bogus/],
  ['swaram-mock', ['--mode', 'turbo'], /--mode must be one of "simple", "premium" \(got "turbo"\)/],
  ['swaram-mock', ['--port', 'abc'], /--port must be a whole number from 0 to 65535 \(got "abc"\)/],
  ['swaram-mock', ['--keys'], /--keys needs at least one key/],
  [
    'swaram-mock',
    ['--fixture', 'greeting', '--fixture', 'tool-call'],
    /--fixture given 2 times \(greeting, tool-call\): a mock serves one fixture/,
  ],
  ['swaram-mock', ['--cert-out', 'x.pem'], /--cert-out needs --tls/],
  ['swaram-mock', ['--cert', 'a.pem'], /--cert and --key go together/],
  ['swaram-mock', ['record', '--out', 'x'], /missing --upstream; see swaram-mock record --help$/],
  ['swaram-mock', ['validate'], /; see swaram-mock validate --help$/],
];

/** The real CLI in process (no spawn: these cases start nothing), its output and exit code. */
async function inProcess(bin: Case[0], args: string[]) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    stdout.push(a.join(' '));
  });
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await (bin === 'swaram-mock' ? runMockCli : runConformCli)(args);
    return { code: process.exitCode, stdout: stdout.join('\n'), stderr: stderr.join('') };
  } finally {
    process.exitCode = saved;
    err.mockRestore();
    log.mockRestore();
  }
}

describe('usage errors: one line, a hint, exit code 2', () => {
  it.each(CASES)(
    '%s %j',
    async (bin, args, message) => {
      const r = await inProcess(bin, args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${bin}: `));
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/; see swaram-(mock|conform)( \w+)? --help$/);
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    ['swaram-mock', ['--speed', 'abc']],
    ['swaram-conform', ['--target', 'x', '--jobs', '0']],
  ] as const)(
    'the real process %s %j exits with 2',
    async (bin, args) => {
      const r = await runCli(bin, args);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a target that cannot start is exit 2 with one line, not a rule failure',
    async () => {
      const r = await runCli('swaram-conform', ['--target', './no-such-client']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(
        /^swaram-conform: --target \.\/no-such-client: no such file or folder/,
      );
    },
    SPAWN_TIMEOUT,
  );

  it('show: a missing or broken run folder is exit 2 with one line; a run folder renders', async () => {
    const missing = await inProcess('swaram-conform', ['show', join(tmpdir(), 'no-such-run')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^swaram-conform: cannot read .*no-such-run\/index\.json \(no such file\): pass a run folder, reports\/<run-id>\n$/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'swaram-show-'));
    cpSync(join(ROOT, 'conformance/reporters/testdata/payload-run'), dir, { recursive: true });
    const index = join(dir, 'index.json');
    const good = readFileSync(index, 'utf8');
    writeFileSync(index, good.replace('"schema": "swaram-conform/result/1"', '"schema": "x"'));
    const broken = await inProcess('swaram-conform', ['show', dir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /^swaram-conform: .*index\.json is not a swaram-conform\/result\/1 run result: \/schema must be equal to constant\n$/,
    );
    writeFileSync(index, good);
    const shown = await inProcess('swaram-conform', ['show', dir, '--reporter', 'junit,markdown']);
    expect(shown.code).toBeUndefined();
    expect(shown.stderr).toBe('');
    expect(existsSync(join(dir, 'junit.xml')) && existsSync(join(dir, 'summary.md'))).toBe(true);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    const all = await inProcess('swaram-conform', [
      'show',
      dir,
      '--reporter',
      'terminal',
      '--reporter',
      'html',
    ]);
    expect(all.stderr).toContain('FAILED (TOOL-ANSWER, HARNESS-CASE)');
    expect(all.stderr).toContain(`${join(dir, 'report.html')}  (open in a browser)`);
    expect(all.stderr).toContain(`again: swaram-conform show ${dir}`);
  });

  it(
    "--version prints this package's version from any working folder",
    async () => {
      const { version } = (await import(join(ROOT, 'package.json'), { with: { type: 'json' } }))
        .default as { version: string };
      const elsewhere = mkdtempSync(join(tmpdir(), 'swaram-cwd-'));
      writeFileSync(
        join(elsewhere, 'package.json'),
        JSON.stringify({ name: 'other', version: '9.9.9' }),
      );
      for (const bin of ['swaram-mock', 'swaram-conform'] as const) {
        const r = await runCli(bin, ['--version'], { cwd: elsewhere });
        expect(r.stdout.trim()).toBe(version);
      }
    },
    SPAWN_TIMEOUT,
  );
});
