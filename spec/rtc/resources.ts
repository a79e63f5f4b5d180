/**
 * Test fixture: which timers created from lib/rtc are still alive. werift keeps a few timers of its
 * own for seconds after close (its DTLS client retransmits flight 5 on a bounded back-off), so
 * counting every `Timeout` would blame werift; the creation stack tells ours apart.
 */
import { createHook } from 'node:async_hooks';

export interface TimerTracker {
  /** Creation stacks of live timers created while some lib/rtc frame was on the stack. */
  ours(): string[];
  stop(): void;
}

export function trackTimers(): TimerTracker {
  const live = new Map<number, string>();
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const stack = new Error().stack ?? '';
      if (stack.includes('/lib/rtc/')) live.set(id, stack);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    ours: () => [...live.values()],
    stop() {
      hook.disable();
      Error.stackTraceLimit = previousLimit;
    },
  };
}
