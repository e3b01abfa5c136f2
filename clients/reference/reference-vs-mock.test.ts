import { afterEach, describe, expect, it } from 'vitest';
import { parseClientEvent } from '../../protocol/codec.js';
import { startMockServer, type MockServer } from '../../mock-server/mock-server.js';
import { SwaramClient, VirtualSpeaker, type PlayedAudio, type ResponseEvent } from './sdk/index.js';

/*
 * Integration: the reference client against the real mock (fixture `tool-call`, replies at 8×
 * speed). The user's turn is sent as fast as the client chunks it (the mock's VAD runs on the
 * audio clock); the assertions are about the protocol, not about pacing.
 */

let server: MockServer | undefined;
let client: SwaramClient | undefined;

afterEach(async () => {
  client?.end();
  await server?.close();
});

describe('reference client × mock server', () => {
  it('speaks the tool turn of the tool-call fixture, on the wire and at the speaker', async () => {
    const clientFrames: string[] = [];
    server = await startMockServer({
      fixture: 'tool-call',
      speed: 8,
      onFrame: (f) => {
        if (f.dir === 'in' && !f.binary) clientFrames.push(f.text);
      },
    });
    const played: PlayedAudio[] = [];
    const responses: ResponseEvent[] = [];
    const toolArgs: unknown[] = [];
    client = new SwaramClient({
      url: server.url,
      apiKey: server.keys[0]!,
      session: {
        instructions: 'Answer in Malayalam.',
        tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      },
      tools: {
        get_weather: (args) => {
          toolArgs.push(args);
          return { temp_c: 32 };
        },
      },
      player: new VirtualSpeaker({ onPlayed: (a) => played.push(a) }),
    });
    client.on('response', (r) => responses.push(r));
    client.connect();
    await client.whenReady();

    const user = server.fixture.turns[0]!.user.pcm;
    client.appendAudio(new Uint8Array(user.buffer, user.byteOffset, user.byteLength));
    client.appendAudio(new Uint8Array(48 * 1500)); // 1.5 s of silence ends the turn
    client.flushAudio();

    const deadline = Date.now() + 15_000;
    while (responses.length < 2 || played.length === 0) {
      if (Date.now() > deadline) throw new Error(`no spoken answer: ${JSON.stringify(responses)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(responses.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(toolArgs).toEqual([{ city: 'Kochi' }]);
    expect(played[0]?.responseId).toBe(responses[1]?.responseId);

    client.end();
    await new Promise((r) => setTimeout(r, 50));
    const types = clientFrames.map((t) => JSON.parse(t).type as string);
    expect(types[0]).toBe('session.update');
    expect(types.filter((t) => t === 'conversation.item.create')).toHaveLength(1);
    expect(types).not.toContain('response.create');
    for (const text of clientFrames) {
      const parsed = parseClientEvent(text, { strict: true });
      expect(parsed.ok ? [] : parsed.violations).toEqual([]);
    }
  });
});
