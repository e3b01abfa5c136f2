import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveTarget } from '../../conformance/target/resolve-target.js';
import { Target } from '../../conformance/target/target.js';

/*
 * Smoke test only: each third-party adapter starts through its manifest, says a valid hello
 * and shuts down. Grading the SDKs is `swaram-conform --target clients/third-party/<sdk>`
 * (docs/compatibility.md), not a CI test yet.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const installed = existsSync(new URL('node_modules/', import.meta.url));
if (!installed) {
  console.warn(
    'clients/third-party/adapters.test.ts skipped: clients/third-party/node_modules is missing ' +
      '(install the SDKs with: npm ci --prefix clients/third-party)',
  );
}

const adapters = [
  {
    folder: 'openai-realtime-ws',
    name: 'openai (OpenAIRealtimeWS)',
    features: ['playback', 'tools', 'reconnect', 'transcripts', 'responses', 'premium'],
  },
  {
    folder: 'agents-realtime',
    name: '@openai/agents-realtime (RealtimeSession, websocket)',
    features: ['playback', 'barge-in', 'cancel', 'tools', 'transcripts', 'premium'],
  },
];

describe.skipIf(!installed)('third-party adapters', () => {
  for (const adapter of adapters) {
    it(`${adapter.folder} says hello and shuts down`, async () => {
      const target = new Target(resolveTarget({ target: `${here}${adapter.folder}` }));
      try {
        const hello = await target.start();
        expect(hello).toMatchObject({
          protocol: 'swaram-adapter/1',
          client: { name: adapter.name, language: 'typescript' },
        });
        expect(hello?.client.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect([...(hello?.features ?? [])].sort()).toEqual([...adapter.features].sort());
        const refused = await target.request({ type: 'mic.audio', audio: 'AAA=' });
        expect(refused.reply).toMatchObject({ ok: false, error: { code: 'bad_state' } });
      } finally {
        expect(await target.stop()).toMatchObject({ how: 'shutdown', code: 0 });
      }
    });
  }
});
