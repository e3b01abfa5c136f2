/** The adapter program of the variant (see client.ts for its bug). */
import { runFaultyAdapter } from '../faulty-adapter.js';
import { createClient } from './client.js';

runFaultyAdapter('reuses-first-call-id', createClient);
