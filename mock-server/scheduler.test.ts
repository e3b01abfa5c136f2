import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('runs tasks in due-time order with one clock timer, ties in insertion order', () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.at(30, () => ran.push('c'));
    s.at(10, () => ran.push('a'));
    s.at(10, () => ran.push('a2'));
    s.at(20, () => ran.push('b'));
    expect(clock.pending).toBe(1);
    clock.advance(15);
    expect(ran).toEqual(['a', 'a2']);
    clock.advance(100);
    expect(ran).toEqual(['a', 'a2', 'b', 'c']);
  });

  it('skips cancelled tasks and re-arms for an earlier task', () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const ran: number[] = [];
    const t = s.at(50, () => ran.push(50));
    s.at(100, () => ran.push(100));
    s.cancel(t);
    s.at(5, () => ran.push(5));
    clock.advance(200);
    expect(ran).toEqual([5, 100]);
  });

  it('keeps absolute due times: a task scheduled from a task runs on plan, not after the previous one', () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    const times: number[] = [];
    let k = 0;
    const tick = () => {
      times.push(clock.now());
      if (++k < 5) s.at(k * 100, tick);
    };
    s.at(0, tick);
    clock.advance(1000);
    expect(times).toEqual([0, 100, 200, 300, 400]);
    expect(s.latenessStats()).toMatchObject({ count: 5, max: 0 });
  });

  it('a throwing task is reported and does not stop the others', () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const s = new Scheduler(clock, (e) => errors.push(e));
    const ran: number[] = [];
    s.at(1, () => {
      throw new Error('boom');
    });
    s.at(2, () => ran.push(2));
    clock.advance(10);
    expect(ran).toEqual([2]);
    expect(errors).toHaveLength(1);
  });
});
