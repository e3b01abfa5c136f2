import { describe, expect, it } from 'vitest';
import { base64ToPcm, tone } from '../../protocol/audio/index.js';
import { FakeClock } from '../../mock-server/clock.js';
import { Scheduler } from '../../mock-server/scheduler.js';
import { Microphone } from './microphone.js';
import { ScenarioClock } from './scenario-clock.js';

function setup(speed = 1) {
  const fake = new FakeClock();
  const sent: Array<{ at: number; loud: boolean }> = [];
  const mic = new Microphone({
    clock: new ScenarioClock(fake, speed),
    scheduler: new Scheduler(fake),
    send: (audio) => sent.push({ at: fake.now(), loud: base64ToPcm(audio).some((s) => s !== 0) }),
  });
  return { fake, mic, sent };
}

describe('Microphone', () => {
  it('sends a 20 ms chunk every 20 ms of scenario time: silence, then queued speech', async () => {
    const { fake, mic, sent } = setup(2);
    mic.start();
    fake.advance(0);
    const spoken = mic.speak(tone(440, 60));
    expect(mic.queueEndMs).toBe(20 + 60);
    let done = false;
    void spoken.then(() => (done = true));
    fake.advance(30); // 3 more chunks at speed 2: 10, 20, 30 ms on the clock
    await Promise.resolve();
    expect(done).toBe(true);
    expect(sent.map((s) => s.at)).toEqual([0, 10, 20, 30]);
    expect(sent.map((s) => s.loud)).toEqual([false, true, true, true]);
    expect(mic.sentMs).toBe(80);
  });

  it('keeps its pace from the start (absolute due times) and stops cleanly', async () => {
    const { fake, mic, sent } = setup();
    mic.start();
    fake.advance(100);
    expect(sent).toHaveLength(6);
    const pending = mic.speak(tone(440, 1000));
    mic.stop();
    await expect(pending).resolves.toBeUndefined();
    fake.advance(1000);
    expect(sent).toHaveLength(6);
    expect(mic.isRunning).toBe(false);
  });

  it('resolves speech at once when not running (the chunks wait for start)', async () => {
    const { fake, mic, sent } = setup();
    await mic.speak(tone(440, 40));
    expect(sent).toHaveLength(0);
    mic.start();
    fake.advance(20);
    expect(sent.map((s) => s.loud)).toEqual([true, true]);
  });
});
