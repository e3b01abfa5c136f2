/** A listener map: event name → argument tuple. */
export type EventMap<Events> = { [K in keyof Events]: unknown[] };

type AnyListener = (...args: unknown[]) => void;

/**
 * A minimal typed event emitter. Unlike Node's, it gives `error` no special meaning (an
 * unheard error never crashes the app), and a throwing listener neither stops the other
 * listeners nor the client: its exception is reported on `console.error`.
 */
export class TypedEmitter<Events extends EventMap<Events>> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as AnyListener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as AnyListener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (err) {
        console.error(`swaram: a ${String(event)} listener threw:`, err);
      }
    }
  }
}
