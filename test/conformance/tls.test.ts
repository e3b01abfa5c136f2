import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCertificate } from '../../mock-server/mock-server.js';
import { runConformance } from '../../conformance/run/run-conformance.js';
import { runScenario } from '../../conformance/run/run-scenario.js';
import { scenarioById } from '../../conformance/scenarios/index.js';
import { resolveTarget } from '../../conformance/target/resolve-target.js';

/*
 * `--tls`: the mock serves wss: with a certificate made for the run, and the adapter trusts it
 * through its environment (NODE_EXTRA_CA_CERTS for Node). The reference client passes over it;
 * an adapter given a certificate file that is not the mock's cannot connect (so the run really
 * went over TLS, and the trust came from the environment).
 */
describe('swaram-conform --tls', () => {
  it('the reference client passes greeting over wss:', async () => {
    const { result } = await runConformance({
      target: 'clients/reference',
      scenarios: ['greeting'],
      tls: true,
      reportDir: mkdtempSync(join(tmpdir(), 'swaram-tls-')),
    });
    const bad = result.rules.filter((r) => r.status === 'fail' || r.status === 'harness_error');
    expect(bad.map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(result.summary.exitCode).toBe(0);
    expect(result.scenarios[0]!.runs[0]!.frames).toBeGreaterThan(10);
  }, 60_000);

  it('an adapter that does not trust the certificate cannot connect', async () => {
    const pair = await generateCertificate('127.0.0.1');
    const other = await generateCertificate('127.0.0.1');
    const caFile = join(mkdtempSync(join(tmpdir(), 'swaram-tls-')), 'other-ca.pem');
    writeFileSync(caFile, other.cert);
    const { trace } = await runScenario(scenarioById('greeting'), {
      spec: resolveTarget({ target: 'clients/reference' }),
      tls: { ...pair, caFile },
      timeoutMs: 8000,
    });
    expect(trace.frames).toEqual([]);
  }, 60_000);
});
