import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/run/run-conformance.js';

describe('wire-only mode', () => {
  it('judges a plain app on the wire and reports app-side rules as not observable', async () => {
    const { result } = await runConformance({
      targetCmd: `${process.execPath} test/conformance/wire-app/app.mjs`,
      wireOnly: true,
      scenarios: ['greeting'],
      reportDir: mkdtempSync(join(tmpdir(), 'swaram-wire-')),
    });
    const status = Object.fromEntries(result.rules.map((r) => [r.id, r.status]));
    expect(result.target.mode).toBe('wire');
    expect(result.summary.failing).toEqual([]);
    for (const id of [
      'WIRE-SCHEMA',
      'SESSION-FIRST',
      'SESSION-ACK',
      'APPEND-FORMAT',
      'APPEND-SIZE',
    ]) {
      expect(`${id} ${status[id]}`).toBe(`${id} pass`);
    }
    for (const id of ['PLAY-ORDER', 'BARGE-STOP', 'TRANSCRIPT-ATTRIB']) {
      expect(`${id} ${status[id]}`).toBe(`${id} not_observable`);
    }
  }, 60_000);
});
