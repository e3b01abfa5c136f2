/**
 * Bug: exponential backoff without jitter (always the ceiling: 1.5 s, 3 s, 6 s…), so every
 * client cut off by a busy server comes back at the same moments. Breaks CLOSE-BUSY.
 */
import { ExponentialBackoff, SwaramClient } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

runFaultyAdapter(
  'no-backoff-jitter',
  (options) =>
    new SwaramClient({ ...options, backoff: new ExponentialBackoff({ jitter: 'none' }) }),
);
