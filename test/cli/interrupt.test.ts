import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateRunResult } from '../../conformance/results/validate-run-result.js';
import { startCli, waitFor } from './run-cli.js';

/** A process as /proc shows it: its parent, its process group, its state (Z: a zombie). */
interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), pgid: Number(pgid), state: state! };
  } catch {
    return undefined;
  }
}

/** Every process below `root` (children, grandchildren, …), from the process table. */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => proc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

const alive = (p: Proc) => {
  const now = proc(p.pid);
  return now !== undefined && now.state !== 'Z' && now.pgid === p.pgid;
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Ctrl-C during a run', () => {
  it.skipIf(process.platform !== 'linux')(
    'writes what was judged so far as a valid interrupted index.json, renders the reports, stops the adapter and exits 130',
    async () => {
      const reportDir = mkdtempSync(join(tmpdir(), 'swaram-interrupt-'));
      dirs.push(reportDir);
      const child = startCli('swaram-conform', [
        '--target',
        'reference',
        '--scenario',
        'greeting,tool-call',
        '--jobs',
        '1', // one after the other: greeting judged while tool-call is under way
        '--report-dir',
        reportDir,
      ]);
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // greeting is judged, tool-call is under way: its adapter runs in its own process group
      await waitFor(child.stderr, /\] greeting .*\n.*start tool-call: /, 90_000);
      let adapters: Proc[] = [];
      for (let i = 0; i < 100 && adapters.length === 0; i++) {
        adapters = descendants(child.pid!).filter((p) => p.pgid !== proc(child.pid!)!.pgid);
        if (adapters.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(adapters.length).toBeGreaterThan(0);

      child.kill('SIGINT');
      expect(await exited).toBe(130);

      expect(stderr).toContain('SIGINT: stopping; writing what was judged so far');
      const [runId] = readdirSync(reportDir);
      const dir = join(reportDir, runId!);
      expect(stderr).toContain(`interrupted; what was judged so far is in ${dir}`);
      expect(stderr).toMatch(
        /INTERRUPTED after [\d.]+ s: so far PASSED[^,]*, 1 scenario\(s\) not run/,
      );
      const check = validateRunResult(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')));
      expect(check.ok && check.result.interrupted).toBe(true);
      if (!check.ok) return;
      expect(check.result.scenarios.map((s) => [s.id, s.status, s.runs.length])).toEqual([
        ['greeting', 'ran', 1],
        ['tool-call', 'skipped', 0],
      ]);
      for (const file of ['report.html', 'junit.xml', 'summary.md', 'scenarios/greeting-1.json'])
        expect(existsSync(join(dir, file)), file).toBe(true);
      expect(existsSync(join(dir, 'scenarios/tool-call-1.json'))).toBe(false);
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/interrupted/i);
      // no adapter, nor anything it started, is left running
      expect(adapters.filter(alive)).toEqual([]);
    },
    150_000,
  );
});
