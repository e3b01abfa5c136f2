/**
 * Bug: the close policy treats 4001 (bad key) and 4003 (out of credits) as transient, "in case
 * the token was refreshed", so the client comes back with the same refused key.
 * Breaks CLOSE-AUTH.
 */
import { SwaramClient, type CloseDecision } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class ReconnectsAfterAuth extends SwaramClient {
  protected override closeDecision(code: number, reason: string): CloseDecision {
    const decision = super.closeDecision(code, reason);
    return code === 4001 || code === 4003 ? { ...decision, reconnect: true } : decision;
  }
}

runFaultyAdapter('reconnects-after-auth', (options) => new ReconnectsAfterAuth(options));
