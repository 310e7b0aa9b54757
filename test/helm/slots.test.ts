/** The worker's bound on Helm release steps running at once (activities/helm/slots.ts). */
import { HelmSlots } from '../../activities/helm/slots.js';

describe('HelmSlots', () => {
  it('lets `limit` steps run, queues the rest first come first served, and says how many are ahead', async () => {
    const slots = new HelmSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const ahead: number[] = [];
    const c = slots.acquire(undefined, (n) => ahead.push(n)).then((slot) => (order.push('c'), slot));
    const d = slots.acquire(undefined, (n) => ahead.push(n)).then((slot) => (order.push('d'), slot));
    expect(ahead).toEqual([0, 1]);
    expect(slots.state).toEqual({ running: 2, waiting: 2, limit: 2 });
    a.release();
    a.release(); // a second release of the same slot changes nothing
    (await c).release();
    b.release();
    (await d).release();
    expect(order).toEqual(['c', 'd']);
    expect(slots.state).toEqual({ running: 0, waiting: 0, limit: 2 });
  });

  it('gives up the place in the queue when the step is cancelled', async () => {
    const slots = new HelmSlots(1);
    const held = await slots.acquire();
    const cancel = new AbortController();
    const waiting = slots.acquire(cancel.signal);
    cancel.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(slots.state.waiting).toBe(0);
    held.release();
    expect(slots.state.running).toBe(0);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new HelmSlots(0)).toThrow('positive integer');
    expect(() => new HelmSlots(1.5)).toThrow('positive integer');
  });
});
