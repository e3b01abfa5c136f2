import type { ScenarioContext } from '../scenario.js';

/** Bytes of reply audio the mock sent so far (all responses). */
export function audioSent(ctx: ScenarioContext): number {
  let n = 0;
  for (const f of ctx.trace.frames) {
    if (f.dir === 'out' && f.event?.type === 'response.output_audio.delta') {
      const d = f.event.delta;
      if (typeof d === 'string')
        n += Math.floor((d.length * 3) / 4) - (d.endsWith('==') ? 2 : d.endsWith('=') ? 1 : 0);
    }
  }
  return n;
}

/** Bytes the client reported played so far. */
export function audioPlayed(ctx: ScenarioContext): number {
  let n = 0;
  for (const o of ctx.trace.observations)
    if (o.type === 'audio.played') n += Number(o.data.bytes ?? 0);
  return n;
}

/**
 * Waits until the client's speaker has played what was sent (or stopped playing for a while),
 * so the next step happens after playback as a user would hear it. Wire-only: a short pause.
 */
export async function playedOut(ctx: ScenarioContext, maxMs = 20_000): Promise<void> {
  if (ctx.wireOnly || !ctx.features.has('playback')) {
    await ctx.sleep(500);
    return;
  }
  let last = audioPlayed(ctx);
  let quietSince = Date.now();
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const played = audioPlayed(ctx);
    if (played >= audioSent(ctx)) return;
    if (played !== last) {
      last = played;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > 1000) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the session is ready on the wire (the mock answered session.update). */
export async function ready(ctx: ScenarioContext, connection = 1): Promise<void> {
  await ctx.until(
    (t) =>
      t.frames.some(
        (f) =>
          f.dir === 'out' && f.connection === connection && f.event?.type === 'session.updated',
      ),
    { timeoutMs: 10_000 },
  );
}

/** Says turn `turn` and waits for the `n`-th `response.done` on the wire. */
export async function turn(ctx: ScenarioContext, index: number, doneCount: number): Promise<void> {
  await ctx.say(index);
  await ctx.wire('response.done', { count: doneCount, timeoutMs: 30_000 });
}

/** Number of server events of `type` so far. */
export function countOut(ctx: ScenarioContext, type: string): number {
  return ctx.trace.frames.filter((f) => f.dir === 'out' && f.event?.type === type).length;
}
