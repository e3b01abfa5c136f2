/**
 * Bug: every close the client did not ask for is treated as a dropped connection, including
 * the server's normal close 1000, so a session the server ended is reopened after the usual
 * backoff. Breaks CLOSE-CLEAN.
 */
import { SwaramClient, type CloseDecision } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class ReconnectsAfter1000 extends SwaramClient {
  protected override closeDecision(code: number, reason: string): CloseDecision {
    const decision = super.closeDecision(code, reason);
    return code === 1000 ? { ...decision, reconnect: true } : decision;
  }
}

runFaultyAdapter('reconnects-after-1000', (options) => new ReconnectsAfter1000(options));
