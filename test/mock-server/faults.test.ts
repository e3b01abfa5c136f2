import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MockServer } from '../../mock-server/mock-server.js';
import { parseFault } from '../../protocol/fixture/parse-fault.js';
import { useMockServers, utterance } from '../support/mock-servers.js';
import { TestClient, type Received } from '../support/test-client.js';

const serve = useMockServers();

async function talk(server: MockServer): Promise<TestClient> {
  const c = await TestClient.connect(server.url, { key: server.keys[0] });
  c.send({ type: 'session.update', session: {} });
  await c.next('session.updated');
  c.sendAudio(utterance());
  return c;
}

describe('fault injection: one mechanism, three front doors', () => {
  it('close:1013@delta:3 — closes with 1013 right after the third delta, nothing before the close', async () => {
    const server = await serve({ faults: [parseFault('close:1013@delta:3')] });
    const c = await talk(server);
    expect(await c.closed()).toBe(1013);
    expect(c.of('response.output_audio.delta')).toHaveLength(3);
    expect(c.events[c.events.length - 1]!.type).toBe('response.output_audio.delta');
  });

  it('close with an error first, on connect, from the API (inject)', async () => {
    const server = await serve();
    server.inject({
      when: { on: 'connect' },
      do: { action: 'close', code: 4008, error: { code: 'too_many_connections' } },
    });
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await c.closed()).toBe(4008);
    expect(c.types()).toEqual(['error']);
  });

  it('terminate: the socket dies without a close frame (1006 on the client)', async () => {
    const server = await serve({ faults: [parseFault('terminate@server-event:response.created')] });
    const c = await talk(server);
    expect(await c.closed()).toBe(1006);
  });

  it('stall: events stop but the socket stays open', async () => {
    const server = await serve({ faults: [parseFault('stall@delta:2')] });
    const c = await talk(server);
    await c.next('response.output_audio.delta', 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(c.of('response.output_audio.delta')).toHaveLength(2);
    expect(c.of('response.done')).toHaveLength(0);
    expect(c.closeCode).toBeUndefined();
    c.close();
  });

  it('delay with jitter keeps event order', async () => {
    const server = await serve({ faults: [parseFault('delay:30:30@connect')] });
    const c = await talk(server);
    await c.next('response.done', 1, 20_000);
    const deltas = c.of('response.output_audio.delta');
    const types = c.types();
    expect(types.indexOf('response.created')).toBeLessThan(
      types.indexOf('response.output_audio.delta'),
    );
    expect(types.lastIndexOf('response.output_audio.delta')).toBeLessThan(
      types.indexOf('response.done'),
    );
    expect(deltas.length).toBeGreaterThan(3);
    c.close();
  });

  it('duplicate, extra fields, unknown events and malformed deltas go out as asked', async () => {
    const server = await serve({
      faults: [
        parseFault('duplicate:response.function_call_arguments.done@connect'),
        parseFault('duplicate:response.created@connect'),
        {
          when: { on: 'connect' },
          do: { action: 'extra-fields', type: 'response.done', fields: { x_future: 1 } },
        },
        {
          when: { on: 'delta', count: 1 },
          do: { action: 'inject', event: { type: 'response.output_item.added', event_id: 'e1' } },
        },
        parseFault('corrupt-delta:odd-length@delta:2'),
      ],
    });
    const c = await talk(server);
    await c.next('response.done', 1, 20_000);
    expect(c.of('response.created')).toHaveLength(2);
    expect(c.of('response.done')[0]!.x_future).toBe(1);
    expect(c.types()).toContain('response.output_item.added');
    const bad = c
      .of('response.output_audio.delta')
      .map((d) => Buffer.from(d.delta as string, 'base64').length % 2);
    expect(bad).toContain(1);
    c.close();
  });

  it('hold-session-updated: session.update gets no answer', async () => {
    const server = await serve({ faults: [parseFault('hold-session-updated@connect')] });
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    c.send({ type: 'session.update', session: {} });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.types()).toEqual(['session.created']);
    c.close();
  });

  it('a fault for the second connection leaves the first alone (#2)', async () => {
    const server = await serve({ faults: [parseFault('close:4001:invalid_api_key@connect#2')] });
    const first = await TestClient.connect(server.url, { key: server.keys[0] });
    await first.next('session.created');
    const second = await TestClient.connect(server.url, { key: server.keys[0] });
    expect(await second.closed()).toBe(4001);
    expect(first.closeCode).toBeUndefined();
    first.close();
  });

  it('rejects a malformed fault with a message that teaches the syntax', () => {
    expect(() => parseFault('close@connect')).toThrow(/close needs a code[\s\S]*examples/);
    expect(() => parseFault('explode@connect')).toThrow(/unknown action "explode"/);
    expect(() => parseFault('close:1013@deltas:5')).toThrow(/unknown trigger "deltas"/);
    expect(() => parseFault('{"when":{"on":"connect"},"do":{"action":"nope"}}')).toThrow(
      /cannot read fault/,
    );
  });
});

describe('fuzz: random malformed frames against a live server', () => {
  it('never crashes it, never disturbs a second healthy session, always answers with an error or nothing', async () => {
    const server = await serve();
    const healthy = await TestClient.connect(server.url, { key: server.keys[0] });
    healthy.send({ type: 'session.update', session: {} });
    await healthy.next('session.updated');
    const fuzz = await TestClient.connect(server.url, { key: server.keys[0] });
    await fuzz.next('session.created');

    const frame = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ type: 'session.update', session: v })),
      fc.jsonValue().map((v) => JSON.stringify({ type: 'conversation.item.create', item: v })),
      fc.string().map((s) => JSON.stringify({ type: 'input_audio_buffer.append', audio: s })),
      fc
        .constantFrom('response.cancel', 'input_audio_buffer.commit', 'nope', '', 'response.create')
        .map((t) => JSON.stringify({ type: t, event_id: 1 })),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), async (frames) => {
        for (const f of frames) fuzz.send(f);
      }),
      { numRuns: 60 },
    );
    // Every reply to garbage is a schema-valid error or ordinary event, and the server lives.
    // On a loaded machine the answers can take longer than the pause: wait for the first one.
    await fuzz.next('error', 1, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(fuzz.closeCode).toBeUndefined();
    expect(fuzz.of('error').length).toBeGreaterThan(0);
    healthy.sendAudio(utterance());
    const done = (await healthy.next('response.done', 1, 20_000)) as Received & {
      response: { status: string };
    };
    expect(done.response.status).toBe('completed');
    expect(healthy.of('error')).toEqual([]);
    healthy.close();
    fuzz.close();
  }, 60_000);
});
