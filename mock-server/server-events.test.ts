import { describe, expect, it } from 'vitest';
import { pcmToBase64, tone } from '../protocol/audio/index.js';
import { serializeServerEvent } from './server-events.js';

const audio = pcmToBase64(tone(440, 100, -10));
const delta = {
  type: 'response.output_audio.delta' as const,
  event_id: 'event_00002a',
  response_id: 'resp_000001',
  item_id: 'item_000002',
  output_index: 0,
  content_index: 0,
  delta: audio,
};

describe('serializeServerEvent (the wire text, audio quoted once per chunk)', () => {
  it('gives the same text as JSON.stringify for a delta as the session builds it, twice over', () => {
    expect(serializeServerEvent(delta)).toBe(JSON.stringify(delta));
    // The second time the chunk's quoted form comes from the cache: still the same text.
    const other = { ...delta, event_id: 'event_00002b', response_id: 'resp_000002' };
    expect(serializeServerEvent(other)).toBe(JSON.stringify(other));
  });

  it('keeps any other event, a short delta and an odd one (a fault’s) exactly as JSON.stringify', () => {
    const created = { type: 'session.created', event_id: 'event_1', session: { id: 's' } };
    expect(serializeServerEvent(created)).toBe(JSON.stringify(created));
    const short = { ...delta, delta: 'AAAA' };
    expect(serializeServerEvent(short)).toBe(JSON.stringify(short));
    const notText = { ...delta, delta: 42 };
    expect(serializeServerEvent(notText)).toBe(JSON.stringify(notText));
  });

  it('quotes what needs quoting and moves delta last when a fault added fields after it (same JSON)', () => {
    const odd = { ...delta, delta: `"quoted" \\ ${audio}`, extra: true };
    const text = serializeServerEvent(odd);
    expect(JSON.parse(text)).toEqual(odd);
    expect(text.endsWith(`"delta":${JSON.stringify(odd.delta)}}`)).toBe(true);
  });
});
