/**
 * The adapter program of a faulty variant: the reference adapter host with a client that has
 * one deliberate bug. Each `clients/faulty/<bug>/adapter.ts` is a few lines over the reference
 * SDK and ends with {@link runFaultyAdapter}.
 */
import { runAdapter, type AdapterHost } from '../reference/adapter-host.js';
import {
  SDK_VERSION,
  type SwaramClient,
  type SwaramClientOptions,
} from '../reference/sdk/index.js';

/**
 * Starts the reference adapter on stdin/stdout with `createClient` making the client; the
 * variant reports itself as `swaram-faulty-<bug>` with every feature of the reference.
 */
export function runFaultyAdapter(
  bug: string,
  createClient: (options: SwaramClientOptions) => SwaramClient,
): AdapterHost {
  // stdout carries the protocol only: anything logged by mistake goes to stderr instead.
  console.log = console.error;
  console.info = console.error;
  return runAdapter({
    client: { name: `swaram-faulty-${bug}`, version: SDK_VERSION, language: 'typescript' },
    createClient,
  });
}
