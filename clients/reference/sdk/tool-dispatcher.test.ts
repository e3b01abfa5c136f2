import { describe, expect, it } from 'vitest';
import { ToolDispatcher, type ToolCall } from './tool-dispatcher.js';

const call = (name: string, args: string): ToolCall => ({
  callId: 'call_1',
  name,
  arguments: args,
});

describe('ToolDispatcher', () => {
  const tools = new ToolDispatcher({
    echo: (args) => args,
    text: () => 'plain',
    nothing: () => undefined,
    boom: () => {
      throw new Error('weather service down');
    },
    slow: async () => ({ ok: true }),
  });

  it('returns results as strings', async () => {
    expect(await tools.run(call('echo', '{"city":"Kochi"}'))).toEqual({
      output: '{"city":"Kochi"}',
    });
    expect(await tools.run(call('text', '{}'))).toEqual({ output: 'plain' });
    expect(await tools.run(call('nothing', ''))).toEqual({ output: '{}' });
    expect(await tools.run(call('slow', '{}'))).toEqual({ output: '{"ok":true}' });
  });

  it('answers unknown tools, bad arguments and throwing tools with an error output', async () => {
    const unknown = await tools.run(call('nope', '{}'));
    expect(unknown.failure?.code).toBe('unknown_tool');
    expect(JSON.parse(unknown.output)).toEqual({
      error: { code: 'unknown_tool', message: 'unknown tool "nope"' },
    });
    const bad = await tools.run(call('echo', '{city:'));
    expect(bad.failure?.code).toBe('invalid_arguments');
    expect(typeof bad.output).toBe('string');
    const thrown = await tools.run(call('boom', '{}'));
    expect(thrown).toEqual({
      output: '{"error":{"code":"tool_failed","message":"weather service down"}}',
      failure: { code: 'tool_failed', message: 'weather service down' },
    });
  });
});
