import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../mock-server/clock.js';
import type { CommandInput, ObservationOf } from '../target/adapter-protocol.js';
import { ScenarioClock } from './scenario-clock.js';
import { ToolDesk } from './tool-desk.js';

const invoke = (name: string, call_id: string): ObservationOf<'tool.invoke'> =>
  ({ type: 'tool.invoke', name, call_id, arguments: '{}' }) as ObservationOf<'tool.invoke'>;

describe('ToolDesk', () => {
  it("answers after the tool's delay in scenario time, with output or error, and records it", () => {
    const fake = new FakeClock();
    const sent: Array<{ at: number; result: CommandInput }> = [];
    const recorded: Array<Record<string, unknown>> = [];
    const desk = new ToolDesk({
      clock: new ScenarioClock(fake, 2),
      tools: { weather: { output: '{"c":31}', delayMs: 800 }, broken: { error: 'boom' } },
      send: (result) => sent.push({ at: fake.now(), result }),
      record: (_kind, data) => recorded.push(data),
    });
    desk.invoke(invoke('weather', 'c1'));
    desk.invoke(invoke('broken', 'c2'));
    desk.invoke(invoke('other', 'c3'));
    fake.advance(1000);
    expect(sent).toEqual([
      { at: 10, result: { type: 'tool.result', call_id: 'c2', error: 'boom' } },
      { at: 10, result: { type: 'tool.result', call_id: 'c3', output: '{"ok":true}' } },
      { at: 400, result: { type: 'tool.result', call_id: 'c1', output: '{"c":31}' } },
    ]);
    expect(recorded[2]).toEqual({
      call_id: 'c1',
      name: 'weather',
      delayMs: 800,
      output: '{"c":31}',
    });
  });

  it('drops answers not sent yet on close', () => {
    const fake = new FakeClock();
    const sent: CommandInput[] = [];
    const desk = new ToolDesk({
      clock: new ScenarioClock(fake),
      send: (result) => sent.push(result),
      record: () => undefined,
    });
    desk.invoke(invoke('x', 'c1'));
    desk.close();
    fake.advance(1000);
    expect(sent).toEqual([]);
  });
});
