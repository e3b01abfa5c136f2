import type { ScenarioContext } from './scenario.js';

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

/** Bytes the client reported dropping (flushed on barge-in or interrupt, or refused). */
export function audioDropped(ctx: ScenarioContext): number {
  let n = 0;
  for (const o of ctx.trace.observations) {
    if (o.type === 'playback.stopped') n += Number(o.data.droppedBytes ?? 0);
    else if (o.type === 'audio.dropped') n += Number(o.data.bytes ?? 0);
  }
  return n;
}

/**
 * When a perfect speaker would have finished everything sent so far: each delta starts when
 * it arrived or when the previous one ended, whichever is later (at the run's speed).
 */
function perfectPlaybackEnd(ctx: ScenarioContext): number {
  let t = 0;
  for (const f of ctx.trace.frames) {
    if (f.dir !== 'out' || f.event?.type !== 'response.output_audio.delta') continue;
    const d = f.event.delta;
    const bytes = typeof d === 'string' ? (d.length * 3) / 4 : 0;
    t = Math.max(t, f.at) + ctx.clock.toClockMs(bytes / 48);
  }
  return t;
}

/**
 * Waits until the client's speaker has played (or reported dropping) what was sent, or until
 * a perfect speaker would have finished it plus a second of clock time. A client that plays
 * nothing, or stops early, is thus still waited for long enough that PLAY-ORDER sees the tail
 * it lost. `maxMs` is clock ms. Wire-only: a short pause (scenario ms).
 */
export async function playedOut(ctx: ScenarioContext, maxMs = 30_000): Promise<void> {
  if (ctx.wireOnly || !ctx.features.has('playback')) {
    await ctx.sleep(500);
    return;
  }
  const start = ctx.now();
  for (;;) {
    if (audioPlayed(ctx) + audioDropped(ctx) >= audioSent(ctx)) return;
    const now = ctx.now();
    if (now > perfectPlaybackEnd(ctx) + 1000 || now - start > maxMs) return;
    // Played bytes arrive as observations, but the deadlines above pass without any event.
    await ctx.sleepClockMs(50);
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

/**
 * Says turn `index` (sung as a tone with `say.toneHz`) and waits for the `doneCount`-th `response.done` on the wire; gives up
 * early when the client has closed every connection and opened none for two seconds of clock
 * time (a client that ended its session will not get a reply; whether it reconnects is up to
 * its own timers, which do not speed up with the run).
 */
export async function turn(
  ctx: ScenarioContext,
  index: number,
  doneCount: number,
  say: { toneHz?: number } = {},
): Promise<void> {
  await ctx.say(index, say);
  const deadline = ctx.now() + ctx.clock.toClockMs(30_000);
  while (ctx.now() < deadline) {
    if (countOut(ctx, 'response.done') >= doneCount) return;
    const conns = ctx.trace.connections;
    const lastClose = Math.max(...conns.map((c) => c.closedAt ?? Infinity));
    if (conns.length > 0 && Number.isFinite(lastClose) && ctx.now() - lastClose > 2000) return;
    await ctx.sleepClockMs(50);
  }
}

/** Number of server events of `type` so far. */
export function countOut(ctx: ScenarioContext, type: string): number {
  return ctx.trace.frames.filter((f) => f.dir === 'out' && f.event?.type === type).length;
}
