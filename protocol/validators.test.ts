import { describe, expect, it } from 'vitest';
import { CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES } from './events.js';
import { strictValidators, tolerantValidators, validatorsFor } from './validators.js';

const nestedExtras = {
  type: 'session.update',
  session: {
    voice: 'mal-male',
    modalities: ['audio'],
    tools: [{ type: 'function', name: 'f', strict: true }],
  },
};

describe('validator sets', () => {
  it('have one compiled validator per event type in both variants', () => {
    for (const set of [strictValidators, tolerantValidators]) {
      expect(Object.keys(set.client)).toEqual([...CLIENT_EVENT_TYPES]);
      expect(Object.keys(set.server)).toEqual([...SERVER_EVENT_TYPES]);
      for (const v of [...Object.values(set.client), ...Object.values(set.server)]) {
        expect(typeof v).toBe('function');
      }
    }
  });

  it('are compiled once (validatorsFor returns the same objects)', () => {
    expect(validatorsFor(true)).toBe(strictValidators);
    expect(validatorsFor(false)).toBe(tolerantValidators);
    expect(Object.isFrozen(strictValidators.client)).toBe(true);
  });

  it('differ only in openness: extra nested fields pass tolerant, fail strict', () => {
    expect(tolerantValidators.client['session.update'](nestedExtras)).toBe(true);
    const strict = strictValidators.client['session.update'];
    expect(strict(nestedExtras)).toBe(false);
    expect(strict.errors?.some((e) => e.keyword === 'additionalProperties')).toBe(true);
  });

  it('agree on everything else (types, enums, required fields)', () => {
    const bad = { type: 'session.update', session: { voice: 'alloy' } };
    expect(tolerantValidators.client['session.update'](bad)).toBe(false);
    expect(strictValidators.client['session.update'](bad)).toBe(false);
    const missing = {
      type: 'response.done',
      response: { id: 'r', status: 'completed', output: [] },
    };
    expect(tolerantValidators.server['response.done'](missing)).toBe(false);
  });
});
