/**
 * Who may run now: scenario runs share the machine (`--jobs` of them at once), but a run that
 * is run again because the machine starved the harness (`--retries`) runs alone. It waits for
 * the runs under way to end, and no new one starts until it is done: a retry made under the same
 * load would most likely be starved again, as seen on two cores with five runs at once.
 *
 * A readers–writer gate that prefers the lone runs: once one waits, shared runs queue behind it.
 */
export class RunGate {
  private shared = 0;
  private alone = false;
  private readonly queue: Array<{ alone: boolean; go: () => void }> = [];

  /** Runs `fn` beside the other shared runs. */
  together<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(false, fn);
  }

  /** Runs `fn` with nothing else running. */
  aloneRun<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(true, fn);
  }

  private async run<T>(alone: boolean, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((go) => {
      this.queue.push({ alone, go });
      this.pump();
    });
    try {
      return await fn();
    } finally {
      if (alone) this.alone = false;
      else this.shared -= 1;
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.alone) {
      const next = this.queue[0]!;
      if (next.alone) {
        if (this.shared > 0) return; // waits for the shared runs under way
        this.alone = true;
      } else {
        this.shared += 1;
      }
      this.queue.shift();
      next.go();
    }
  }
}
