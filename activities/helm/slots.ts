/**
 * How many Helm release steps one worker runs at once. Each helm process holds a rendered chart
 * and the cluster's discovery data (tens of MB), so twenty runs at once would cost a worker its
 * memory; the others wait their turn, first come first served, and say so in their heartbeat.
 */

/** A held slot; `release()` it when the step ends. */
export interface HelmSlot {
  release(): void;
}

export class HelmSlots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`the Helm concurrency must be a positive integer, not ${limit}`);
  }

  /** Steps running now and steps waiting for a slot. */
  get state(): { running: number; waiting: number; limit: number } {
    return { running: this.inUse, waiting: this.waiting.length, limit: this.limit };
  }

  /**
   * Waits for a slot. `onWait` is called when the step has to wait, with how many steps are ahead
   * of it; an aborted `signal` gives up the place in the queue and rejects with its reason.
   */
  async acquire(signal?: AbortSignal, onWait?: (ahead: number) => void): Promise<HelmSlot> {
    if (this.inUse >= this.limit) {
      onWait?.(this.waiting.length);
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          signal?.removeEventListener('abort', giveUp);
          resolve();
        };
        const giveUp = (): void => {
          this.waiting.splice(this.waiting.indexOf(turn), 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', giveUp, { once: true });
        this.waiting.push(turn);
      });
    } else {
      this.inUse++;
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        // The slot passes straight to the next step, so `inUse` stays the same.
        if (next) next();
        else this.inUse--;
      },
    };
  }
}
