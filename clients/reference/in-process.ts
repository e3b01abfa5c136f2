/**
 * The reference adapter run inside the runner's process (no child process): the harness's
 * `inProcessTarget` over {@link AdapterHost}, with the client on the run's clock. On a fake
 * clock a whole scenario then runs in a fraction of a second (see `runScenario`).
 */
import WebSocket from 'ws';
import { inProcessTarget, type InProcessSpec } from '../../conformance/target/in-process-target.js';
import { AdapterHost, type AdapterHostOptions } from './adapter-host.js';
import { SDK_NAME, SDK_VERSION, SwaramClient, type SwaramClientOptions } from './sdk/index.js';

/** Options of {@link referenceInProcess}: the host's, minus what the run provides. */
export type ReferenceInProcessOptions = Partial<
  Omit<AdapterHostOptions, 'input' | 'output' | 'log' | 'clock' | 'exit'>
>;

/**
 * The reference client (or a variant: pass `createClient`) as an in-process target.
 *
 * @example
 * const run = await runScenario(scenario, { spec: referenceInProcess(), clock: new FakeClock() });
 */
export function referenceInProcess(options: ReferenceInProcessOptions = {}): InProcessSpec {
  const client = options.client ?? { name: SDK_NAME, version: SDK_VERSION, language: 'typescript' };
  const create = options.createClient ?? ((o: SwaramClientOptions) => new SwaramClient(o));
  return inProcessTarget(client.name, (io) =>
    new AdapterHost({
      ...options,
      client,
      input: io.input,
      output: io.output,
      log: io.log,
      exit: io.exit,
      clock: io.clock,
      createClient: (o) =>
        create({
          ...o,
          createSocket: (url, protocols, headers) =>
            io.watch(
              new WebSocket(url, protocols, {
                headers,
                perMessageDeflate: false,
                handshakeTimeout: 10_000,
              }),
            ),
        }),
    }).start(),
  );
}
