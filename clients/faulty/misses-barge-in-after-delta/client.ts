/**
 * Bug: a barge-in that lands within {@link RACE_WINDOW_MS} of an audio delta is taken for
 * part of the delta's own arrival (a "still appending" guard meant to avoid cutting a chunk
 * in half): the reply is fenced against further deltas, but the speaker is not stopped and
 * its queue is not dropped, and since the reply counts as fenced the cancelling
 * `response.done` does not drop it either. The assistant talks over the user. Breaks
 * BARGE-STOP, but only under that interleaving: no named scenario makes it (see expected.json);
 * `swaram-conform explore` finds it.
 */
import {
  SDK_VERSION,
  SwaramClient,
  type ServerMessage,
  type SwaramClientOptions,
} from '../../reference/sdk/index.js';

/** How close after a delta (client clock ms) a barge-in is wrongly ignored. */
export const RACE_WINDOW_MS = 30;

/** The variant's name in its hello. */
export const CLIENT_NAME = 'swaram-faulty-misses-barge-in-after-delta';

export class MissesBargeInAfterDelta extends SwaramClient {
  private lastDeltaAt = -Infinity;

  protected override onAudioDelta(event: ServerMessage): void {
    this.lastDeltaAt = this.clock.now();
    super.onAudioDelta(event);
  }

  protected override bargeIn(): void {
    if (this.clock.now() - this.lastDeltaAt >= RACE_WINDOW_MS) {
      super.bargeIn();
      return;
    }
    const id = this.activeResponseId;
    const state = id === undefined ? undefined : this.responses.get(id);
    if (state) state.fenced = true;
  }
}

export const client = { name: CLIENT_NAME, version: SDK_VERSION, language: 'typescript' };

export function createClient(options: SwaramClientOptions): SwaramClient {
  return new MissesBargeInAfterDelta(options);
}
