import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CLIENT_EVENT_TYPES,
  isClientEventType,
  isOpenAiOnlyClientEventType,
  isOpenAiOnlyServerEventType,
  isServerEventType,
  OPENAI_BETA_SERVER_EVENT_RENAMES,
  OPENAI_ONLY_CLIENT_EVENT_TYPES,
  OPENAI_ONLY_SERVER_EVENT_TYPES,
  SERVER_EVENT_TYPES,
} from './events.js';
import type {
  ClientEvent,
  ClientEventOf,
  ClientEventType,
  FlatSessionConfig,
  GaSessionConfig,
  Item,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
  SessionUpdateConfig,
} from './events.js';
import { clientEventSchemas, serverEventSchemas } from './schemas/index.js';

describe('event type lists', () => {
  it('list the schemas, in the same order', () => {
    expect(CLIENT_EVENT_TYPES).toEqual(Object.keys(clientEventSchemas));
    expect(SERVER_EVENT_TYPES).toEqual(Object.keys(serverEventSchemas));
    expect(CLIENT_EVENT_TYPES).toHaveLength(7);
    expect(SERVER_EVENT_TYPES).toHaveLength(12);
  });

  it('keep OpenAI-only types apart from swaram types, without duplicates', () => {
    const swaram = new Set<string>([...CLIENT_EVENT_TYPES, ...SERVER_EVENT_TYPES]);
    for (const list of [OPENAI_ONLY_CLIENT_EVENT_TYPES, OPENAI_ONLY_SERVER_EVENT_TYPES]) {
      expect(new Set(list).size).toBe(list.length);
      for (const type of list) expect(swaram.has(type), type).toBe(false);
    }
    for (const type of OPENAI_ONLY_CLIENT_EVENT_TYPES) {
      expect((OPENAI_ONLY_SERVER_EVENT_TYPES as readonly string[]).includes(type)).toBe(false);
    }
  });

  it('name the events swaram documents as never sent', () => {
    for (const type of [
      'input_audio_buffer.committed',
      'response.output_item.added',
      'response.output_item.done',
      'response.content_part.added',
      'response.content_part.done',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'conversation.item.added',
      'conversation.item.done',
    ]) {
      expect(isOpenAiOnlyServerEventType(type), type).toBe(true);
    }
    for (const type of [
      'conversation.item.truncate',
      'conversation.item.retrieve',
      'conversation.item.delete',
      'output_audio_buffer.clear',
    ]) {
      expect(isOpenAiOnlyClientEventType(type), type).toBe(true);
    }
  });

  it('map beta names to swaram server events', () => {
    for (const [beta, ga] of Object.entries(OPENAI_BETA_SERVER_EVENT_RENAMES)) {
      expect(isOpenAiOnlyServerEventType(beta)).toBe(true);
      expect(isServerEventType(ga)).toBe(true);
    }
  });

  it('guards reject non-strings and inherited property names', () => {
    for (const value of [undefined, null, 1, {}, 'constructor', '__proto__', 'toString']) {
      expect(isClientEventType(value)).toBe(false);
      expect(isServerEventType(value)).toBe(false);
    }
  });
});

describe('derived types (checked by tsc)', () => {
  it('tie each event to its schema', () => {
    expectTypeOf<ClientEvent['type']>().toEqualTypeOf<ClientEventType>();
    expectTypeOf<ServerEvent['type']>().toEqualTypeOf<ServerEventType>();
    expectTypeOf<ClientEventOf<'session.update'>['event_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ServerEventOf<'response.created'>['event_id']>().toEqualTypeOf<string>();
    expectTypeOf<ServerEventOf<'error'>['event_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ClientEventOf<'input_audio_buffer.append'>['audio']>().toEqualTypeOf<string>();
    expectTypeOf<
      ServerEventOf<'response.output_audio.delta'>['output_index']
    >().toEqualTypeOf<number>();
    expectTypeOf<FlatSessionConfig['voice']>().toEqualTypeOf<
      'mal-female' | 'mal-male' | undefined
    >();
    expectTypeOf<FlatSessionConfig['tool_choice']>().toEqualTypeOf<
      'auto' | 'none' | 'required' | undefined
    >();
    expectTypeOf<GaSessionConfig['type']>().toEqualTypeOf<'realtime'>();
    expectTypeOf<SessionUpdateConfig>().toEqualTypeOf<FlatSessionConfig | GaSessionConfig>();
    expectTypeOf<ServerEventOf<'response.done'>['response']['status']>().toEqualTypeOf<
      'completed' | 'cancelled' | 'failed' | 'incomplete'
    >();
    expectTypeOf<
      ServerEventOf<'response.created'>['response']['status']
    >().toEqualTypeOf<'in_progress'>();
    expectTypeOf<Item['type']>().toEqualTypeOf<
      'message' | 'function_call' | 'function_call_output'
    >();
    expectTypeOf<
      ClientEventOf<'conversation.item.create'>['item']['type']
    >().toEqualTypeOf<'function_call_output'>();
  });

  it('narrow on type', () => {
    const audioOf = (event: ServerEvent): string | undefined =>
      event.type === 'response.output_audio.delta' ? event.delta : undefined;
    expect(
      audioOf({
        type: 'response.output_audio.delta',
        event_id: 'e',
        response_id: 'r',
        item_id: 'i',
        output_index: 0,
        content_index: 0,
        delta: 'AAAA',
      }),
    ).toBe('AAAA');
  });
});
