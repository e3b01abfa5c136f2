import { describe, expect, it } from 'vitest';

// Each case spawns a process through tsx: seconds each on a loaded machine.
const SPAWN_TIMEOUT = 60_000;
import { runCli } from './run-cli.js';

/** What each --help teaches: its examples, the defaults, the flags the docs name. */
const HELP: Array<{
  bin: 'swaram-mock' | 'swaram-conform';
  args: string[];
  teaches: Array<string | RegExp>;
}> = [
  {
    bin: 'swaram-mock',
    args: ['--help'],
    teaches: [
      '--fixture',
      '--port',
      '--host',
      '--mode',
      '--speed',
      '--keys',
      '--credits',
      '--max-connections',
      '--capacity',
      '--tls',
      '--cert-out',
      '--cert',
      '--key',
      '--token-ttl',
      '--fault',
      '--log',
      '--quiet',
      /--port.*\[default: 8765\]/s,
      /--fixture.*\[default: "greeting"\]/s,
      '- for stdout',
      'Examples:',
      "swaram-mock --fault 'close:1013@delta:5'",
      'swaram-mock --tls --cert-out mock.pem',
      'close:1013@delta:5',
      'Exit codes: 0',
      /swaram-mock list +list the built-in fixtures/,
      /swaram-mock record +record a session/,
    ],
  },
  {
    bin: 'swaram-mock',
    args: ['record', '--help'],
    teaches: [
      '--upstream',
      '--out',
      '--key-env',
      '--force',
      /--port.*\[default: 8766\]/s,
      'Examples:',
      '--key-env SWARAM_KEY',
    ],
  },
  {
    bin: 'swaram-mock',
    args: ['validate', '--help'],
    teaches: ['<fixture>', 'Examples:', 'swaram-mock validate ./fixtures/my-call'],
  },
  { bin: 'swaram-mock', args: ['list', '--help'], teaches: ['Examples:', 'swaram-mock list'] },
  {
    bin: 'swaram-conform',
    args: ['--help'],
    teaches: [
      '--target',
      '--target-cmd',
      '--wire-only',
      '--rules',
      '--grep',
      '--scenario',
      '--mode',
      '--speed',
      '--repeat',
      '--jobs',
      '--timeout',
      '--timeout-factor',
      '--handshake-timeout',
      '--budget',
      '--fail-on',
      '--long',
      '--report-dir',
      'built-in name (reference)',
      /--handshake-timeout.*\[default: 10\]/s,
      /--fail-on.*\[default: "must"\]/s,
      /--report-dir.*\[default: "reports"\]/s,
      'Examples:',
      'swaram-conform --target reference --scenario greeting',
      'swaram-conform --target ./my-sdk --budget L_stop.p95=300',
      'Exit codes: 0 every MUST rule passed; 1 a rule failed (see --fail-on); 2 bad command line',
      '--reporter',
      /--reporter .*terminal, json, html, junit, markdown, github.*\[default: terminal,html,junit,markdown; and github when GITHUB_ACTIONS=true\]/s,
      '--audio',
      /--audio.*\[default: "summary"\]/s,
      /swaram-conform show <run-dir> +render a finished run's reports again/,
      'swaram-conform --target ./my-sdk --reporter junit,markdown',
      'swaram-conform show reports/<run-id> --reporter html',
      'report.html (open it in a browser)',
      'Ctrl-C writes what was judged so far (exit 130)',
    ],
  },
  {
    bin: 'swaram-conform',
    args: ['show', '--help'],
    teaches: [
      'swaram-conform show <run-dir>',
      'run-dir',
      '--reporter',
      'Examples:',
      'swaram-conform show reports/<run-id> --reporter markdown',
      'Exit codes: 0 rendered; 2 no run folder there',
    ],
  },
  {
    bin: 'swaram-conform',
    args: ['explore', '--help'],
    teaches: [
      '--runs',
      '--seed',
      '--time-budget',
      '--shrink-runs',
      '--replay',
      '--spawn',
      'counterexamples/<rule>/',
      'docs/explore.md',
      /--runs.*\[default: 60\]/s,
      'swaram-conform explore --target ./my-sdk --replay 7:12:0:3',
    ],
  },
  {
    bin: 'swaram-conform',
    args: ['list', '--help'],
    teaches: ['Examples:', 'swaram-conform list'],
  },
];

describe('--help of every command and subcommand', () => {
  it.each(HELP)(
    '$bin $args',
    async ({ bin, args, teaches }) => {
      const r = await runCli(bin, args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const t of teaches) {
        if (typeof t === 'string') expect(r.stdout).toContain(t);
        else expect(r.stdout).toMatch(t);
      }
    },
    SPAWN_TIMEOUT,
  );

  it(
    'swaram-conform list shows rules, scenarios, budgets with defaults and built-in targets',
    async () => {
      const r = await runCli('swaram-conform', ['list']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Rules:/);
      expect(r.stdout).toMatch(/\n {2}greeting +One spoken exchange/);
      expect(r.stdout).toMatch(/\n {2}L_stop\.p95 +200\n/);
      expect(r.stdout).toContain('Built-in targets: reference');
    },
    SPAWN_TIMEOUT,
  );
});
