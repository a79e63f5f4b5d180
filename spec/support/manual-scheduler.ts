/**
 * A scheduler whose time moves only when the test says so, for specs that mix real I/O (sockets,
 * which `TestScheduler.run` cannot wait on) with timing: `advanceBy(ms)` runs, in order, every
 * action that falls due and leaves `now()` exactly `ms` later.
 */
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

export class ManualScheduler extends VirtualTimeScheduler {
  constructor(startMs = 0) {
    super(VirtualAction, Infinity);
    this.frame = startMs;
  }

  advanceBy(ms: number): void {
    this.maxFrames = this.frame + ms;
    this.flush();
    this.frame = this.maxFrames;
  }
}
