/**
 * What an action is waiting on now: its own Current Details in Temporal Web, and, once a wait has
 * lasted `tellRunAfter` (or is a long durable wait from the start), its run's progress and Current
 * Details too. Quick primitive calls never reach the run: telling it costs a signal and a
 * workflow task of the run, which a wide mode of quick actions must not pay for.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { actionNowSignal } from '../contract/messages.js';
import type { ActionDoing } from '../contract/progress.js';

/** How long a wait lasts before the run hears of it. */
export const tellRunAfter = '10s';

/** Patch id: actions tell their run what they wait on; actions started before did not. */
const tellRunPatch = 'actions-tell-their-run-what-they-wait-on';

const doing = new Map<string, string>();
/** Bumped on every change, so the teller knows whether what it waited out is still current. */
let changes = 0;
/** A long durable wait began: the run hears of it at once. */
let tellAtOnce = false;
/** What the run last heard. */
let told: ActionDoing[] = [];
let telling = false;

function doingNow(): ActionDoing[] {
  return [...doing].map(([what, since]) => ({ what, since }));
}

/** Marks `what` as begun, and returns the function that marks it as ended. */
export function begin(what: string, options: { tellRunAtOnce?: boolean } = {}): () => void {
  doing.set(what, new Date().toISOString());
  if (options.tellRunAtOnce) tellAtOnce = true;
  changed();
  return () => {
    doing.delete(what);
    changed();
  };
}

function changed(): void {
  changes += 1;
  const lines = doingNow().map(({ what, since }) => `- \`${what.replaceAll('`', "'")}\` (since ${since})`);
  setCurrentDetails(lines.length ? ['**Doing now:**', '', ...lines].join('\n') : '');
  const { parent } = workflowInfo();
  if (!telling && parent && patched(tellRunPatch)) {
    telling = true;
    void CancellationScope.nonCancellable(() => tellRun(parent));
  }
}

function same(a: ActionDoing[], b: ActionDoing[]): boolean {
  return a.length === b.length && a.every((d, i) => d.what === b[i]!.what && d.since === b[i]!.since);
}

/**
 * Runs for the rest of the action: tells the run what the action waits on once it has not changed
 * for `tellRunAfter`, and at once when it is over (so the run never shows stale work).
 */
async function tellRun(parent: { workflowId: string; runId: string }): Promise<void> {
  const run = getExternalWorkflowHandle(parent.workflowId, parent.runId);
  const { workflowId } = workflowInfo();
  for (;;) {
    await condition(() => !same(doingNow(), told));
    const seen = changes;
    if (doing.size > 0 && !tellAtOnce) {
      const changedMeanwhile = await condition(() => changes !== seen || tellAtOnce, tellRunAfter);
      if (changedMeanwhile) continue;
    }
    tellAtOnce = false;
    const now = doingNow();
    try {
      await run.signal(actionNowSignal, { workflowId, now });
    } catch {
      return; // The run has ended: nobody to tell.
    }
    told = now;
  }
}
