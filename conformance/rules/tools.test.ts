import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { toolAnswer, toolNoNudge, toolOnce, toolStale, toolTrigger } from './tools.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);
const features = ['tools'];

/** A call, run by the harness for 100 ms, answered 5 ms later. */
function answered() {
  return traceBuilder({ features })
    .handshake()
    .act('connect', {
      model: 'mal-realtime-simple',
      session: { tools: [{ type: 'function', name: 'get_weather', parameters: {} }] },
    })
    .at(100)
    .toolCall({ callId: 'call_1', itemId: 'item_9' })
    .responseDone('resp_tool')
    .wait(5)
    .observe('tool.invoke', { call_id: 'call_1', name: 'get_weather', arguments: '{}' })
    .wait(100)
    .act('tool.result', { call_id: 'call_1', output: '{"temp_c":31}' })
    .wait(5);
}

describe('TOOL-ANSWER', () => {
  it('passes one string output with the call_id', () => {
    const v = check(toolAnswer, answered().toolOutput('call_1', '{"temp_c":31}').build())!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('L_tool_out p95 10 ms');
  });

  it('fails a call never answered', () => {
    const v = check(toolAnswer, answered().wait(6000).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('call never answered');
  });

  it('does not judge a call whose connection closed before the deadline', () => {
    expect(check(toolAnswer, answered().close(1013, 'server').wait(6000).build())).toBeUndefined();
  });

  it('fails an answer by item_id', () => {
    const v = check(toolAnswer, answered().toolOutput('item_9').wait(6000).build())!;
    expect(v.reason).toContain('answered with the item_id');
  });

  it('fails two answers and a non-string output', () => {
    const v = check(
      toolAnswer,
      answered().toolOutput('call_1').toolOutput('call_1', { t: 1 }).build(),
    )!;
    expect(v.reason).toContain('call answered more than once');
    expect(v.reason).toContain('output not a string');
  });

  it('fails an output for a call_id never issued', () => {
    const v = check(
      toolAnswer,
      traceBuilder({ features }).handshake().toolOutput('call_x').build(),
    )!;
    expect(v.reason).toContain('never issued');
  });

  it('warns when the answer is slow', () => {
    const v = check(toolAnswer, answered().wait(200).toolOutput('call_1').build())!;
    expect(v.status).toBe('warn');
  });

  it('does not apply without tool calls', () => {
    expect(check(toolAnswer, traceBuilder({ features }).handshake().build())).toBeUndefined();
  });
});

describe('TOOL-TRIGGER', () => {
  it('passes when the client ran the tool', () => {
    expect(check(toolTrigger, answered().toolOutput('call_1').build())?.status).toBe('pass');
  });

  it('fails when the client never acts on the call', () => {
    const t = traceBuilder({ features })
      .handshake()
      .toolCall({ callId: 'call_1' })
      .wait(6000)
      .build();
    const v = check(toolTrigger, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('output_item.done');
  });

  it('fails an answer without running a declared tool', () => {
    const t = traceBuilder({ features })
      .handshake()
      .act('connect', {
        model: 'mal-realtime-simple',
        session: { tools: [{ type: 'function', name: 'get_weather', parameters: {} }] },
      })
      .toolCall({ callId: 'call_1' })
      .wait(5000)
      .toolOutput('call_1', '{"error":"timeout"}')
      .build();
    expect(check(toolTrigger, t)?.evidence[0]!.note).toContain('without running');
  });

  it('passes an error answer, tool not run, to a call whose arguments are not valid JSON', () => {
    // swaram's model can emit broken arguments; an honest client refuses them with an error
    // output instead of running the tool with made-up arguments.
    const declared = traceBuilder({ features })
      .handshake()
      .act('connect', {
        model: 'mal-realtime-simple',
        session: { tools: [{ type: 'function', name: 'get_weather', parameters: {} }] },
      });
    const t = declared
      .toolCall({ callId: 'call_1', args: '{"city": "Kochi"' })
      .wait(5)
      .toolOutput('call_1', '{"error":"invalid_arguments"}')
      .build();
    expect(check(toolTrigger, t)?.status).toBe('pass');
  });

  it('does not apply without tool calls', () => {
    expect(check(toolTrigger, traceBuilder({ features }).handshake().build())).toBeUndefined();
  });
});

describe('TOOL-ONCE', () => {
  const duplicated = () =>
    traceBuilder({ features })
      .handshake()
      .toolCall({ callId: 'call_1' })
      .toolCall({ callId: 'call_1' })
      .observe('tool.invoke', { call_id: 'call_1', name: 'get_weather', arguments: '{}' });

  it('passes when a duplicated call runs once', () => {
    expect(check(toolOnce, duplicated().toolOutput('call_1').build())?.status).toBe('pass');
  });

  it('fails when it runs twice', () => {
    const t = duplicated()
      .observe('tool.invoke', { call_id: 'call_1', name: 'get_weather', arguments: '{}' })
      .toolOutput('call_1')
      .toolOutput('call_1')
      .build();
    const v = check(toolOnce, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence.map((e) => e.note)).toEqual([
      'call_1 ran 2 times',
      'call_1 answered 2 times',
    ]);
  });

  it('does not apply without duplicates', () => {
    expect(check(toolOnce, answered().toolOutput('call_1').build())).toBeUndefined();
  });
});

describe('TOOL-NO-NUDGE', () => {
  it('passes when swaram is left to continue', () => {
    const t = answered()
      .toolOutput('call_1')
      .responseCreated('r2')
      .speechStarted()
      .client({ type: 'response.create' });
    expect(check(toolNoNudge, t.build())?.status).toBe('pass');
  });

  it('fails a response.create after the tool result', () => {
    const t = answered().toolOutput('call_1').wait(3).client({ type: 'response.create' }).build();
    const v = check(toolNoNudge, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('3 ms after');
  });

  it('does not apply without tool results', () => {
    expect(check(toolNoNudge, traceBuilder({ features }).handshake().build())).toBeUndefined();
  });
});

describe('TOOL-STALE', () => {
  const reconnect = () =>
    traceBuilder({ features })
      .handshake()
      .toolCall({ callId: 'call_1' })
      .wait(10)
      .close(1013, 'server')
      .wait(600)
      .handshake();

  it('passes when outputs stay on their connection', () => {
    expect(
      check(toolStale, reconnect().toolCall({ callId: 'call_2' }).toolOutput('call_2').build())
        ?.status,
    ).toBe('pass');
  });

  it('fails an output for a call of an earlier connection', () => {
    const v = check(toolStale, reconnect().toolOutput('call_1').build())!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('issued on connection 1, answered on 2');
  });

  it('does not apply on one connection', () => {
    expect(check(toolStale, answered().toolOutput('call_1').build())).toBeUndefined();
  });
});
