/**
 * Bug: 4008 (too many connections) is treated like a busy server and retried after the usual
 * short backoff, so the client is back within a second or two, still over its plan's limit.
 * Breaks CLOSE-LIMIT.
 */
import { SwaramClient, type CloseDecision } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class ReconnectsAfter4008 extends SwaramClient {
  protected override closeDecision(code: number, reason: string): CloseDecision {
    const decision = super.closeDecision(code, reason);
    return code === 4008 ? { ...decision, reconnect: true } : decision;
  }
}

runFaultyAdapter('reconnects-after-4008', (options) => new ReconnectsAfter4008(options));
