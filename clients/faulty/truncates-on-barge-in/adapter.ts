/**
 * Bug: ported from OpenAI's API, the client sends `conversation.item.truncate` for the
 * assistant item it was playing when the user barges in. swaram has no such event and
 * answers it with an `error`. Breaks SUBSET-ONLY (and WIRE-SCHEMA, which refuses any frame
 * whose type swaram does not define).
 */
import { SwaramClient, type ClientMessage, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class TruncatesOnBargeIn extends SwaramClient {
  private item: { id: string; bytes: number } | undefined;
  protected override onAudioDelta(event: ServerMessage): void {
    super.onAudioDelta(event);
    const id = String(event.item_id ?? '');
    const bytes = typeof event.delta === 'string' ? (event.delta.length * 3) / 4 : 0;
    this.item = { id, bytes: (this.item?.id === id ? this.item.bytes : 0) + bytes };
  }
  protected override bargeIn(): void {
    super.bargeIn();
    if (!this.item) return;
    const truncate = {
      type: 'conversation.item.truncate',
      item_id: this.item.id,
      content_index: 0,
      audio_end_ms: Math.round(this.item.bytes / 48),
    };
    this.item = undefined;
    this.sendEvent(truncate as unknown as ClientMessage);
  }
}

runFaultyAdapter('truncates-on-barge-in', (options) => new TruncatesOnBargeIn(options));
