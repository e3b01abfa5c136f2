/**
 * Bug: a strict event parser. The first server event of a type the client does not know
 * throws inside its receive loop, and the loop stops handling events: the socket stays open
 * but the client is deaf from then on (no audio, no transcripts, no reply outcomes).
 * Breaks UNKNOWN-TOLERANT and, through the deaf session, PLAY-ORDER, DONE-STATUS and
 * TRANSCRIPT-ATTRIB.
 */
import { SwaramClient, type ServerMessage } from '../../reference/sdk/index.js';
import { runFaultyAdapter } from '../faulty-adapter.js';

class DiesOnUnknownEvent extends SwaramClient {
  private dead = false;
  protected override route(event: ServerMessage): void {
    if (!this.dead) super.route(event);
  }
  protected override onUnknownEvent(event: ServerMessage): void {
    this.dead = true;
    throw new Error(`unknown server event ${event.type}`);
  }
}

runFaultyAdapter('dies-on-unknown-event', (options) => new DiesOnUnknownEvent(options));
