import { afterEach } from 'vitest';
import { concatPcm, silence, tone, type Pcm16 } from '../../protocol/audio/index.js';
import {
  startMockServer,
  type MockServer,
  type MockServerOptions,
} from '../../mock-server/mock-server.js';

/**
 * Mock servers for one test file: `serve(options)` starts one (fixture `greeting`, speed 20
 * unless told otherwise) and every server is closed after each test.
 */
export function useMockServers(defaults: MockServerOptions = {}) {
  const servers: MockServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async function serve(options: MockServerOptions = {}): Promise<MockServer> {
    const s = await startMockServer({ fixture: 'greeting', speed: 20, ...defaults, ...options });
    servers.push(s);
    return s;
  };
}

/** One utterance the mock's energy VAD hears: a tone between silences. */
export function utterance(speechMs = 600): Pcm16 {
  return concatPcm(silence(200), tone(440, speechMs, -10), silence(700));
}
