import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

const SPAWN_TIMEOUT = 120_000;

describe('swaram-conform --fixture', () => {
  it(
    'judges the reference client over a copied built-in fixture folder',
    async () => {
      const fixture = join(mkdtempSync(join(tmpdir(), 'swaram-own-fixture-')), 'tool-call');
      cpSync(join(ROOT, 'fixtures', 'tool-call'), fixture, { recursive: true });
      const reports = mkdtempSync(join(tmpdir(), 'swaram-fixture-run-'));
      const r = await runCli('swaram-conform', [
        '--target',
        'clients/reference',
        '--fixture',
        fixture,
        '--speed',
        '3',
        '--report-dir',
        reports,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/PASSED/);
      const [runDir] = readdirSync(reports);
      const index = JSON.parse(readFileSync(join(reports, runDir!, 'index.json'), 'utf8')) as {
        scenarios: Array<{ id: string; status: string; replay: string; rules: string[] }>;
        rules: Array<{ id: string; status: string }>;
      };
      expect(index.scenarios.map((s) => [s.id, s.status])).toEqual([['fixture', 'ran']]);
      expect(index.scenarios[0]!.replay).toContain(`--fixture ${fixture}`);
      expect(index.rules.find((x) => x.id === 'TOOL-ANSWER')?.status).toBe('pass');
      expect(index.rules.find((x) => x.id === 'PLAY-ORDER')?.status).toBe('pass');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'refuses a folder that is not a fixture in one line, exit 2',
    async () => {
      const empty = mkdtempSync(join(tmpdir(), 'swaram-no-fixture-'));
      const r = await runCli('swaram-conform', [
        '--target',
        'clients/reference',
        '--fixture',
        empty,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^swaram-conform: --fixture .* is not a valid fixture: .*fixture\.json/,
      );
    },
    SPAWN_TIMEOUT,
  );

  it(
    'excludes --scenario (exit 2)',
    async () => {
      const r = await runCli('swaram-conform', [
        '--target',
        'clients/reference',
        '--fixture',
        'greeting',
        '--scenario',
        'greeting',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--fixture and --scenario exclude each other');
    },
    SPAWN_TIMEOUT,
  );
});
