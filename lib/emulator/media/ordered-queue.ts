/**
 * One ordered signaling queue per peer connection (WERIFT.md pitfall 3): offers, answers and
 * candidates of a connection run strictly one after another, in call order. The emulator's media
 * plane is a Promise-based I/O edge (see contract.ts), so this is a Promise chain. A failing step
 * fails only its own caller. After `close()` every new or waiting step fails with RXSFU_ERR_WEBRTC.
 */
import { rxsfuError } from '../../errors.js';

export class OrderedQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly name: string) {}

  /** Runs `step` after every step queued before it. */
  run<T>(label: string, step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => {
      if (this.closed) throw rxsfuError('RXSFU_ERR_WEBRTC', `${this.name}: "${label}" after close`);
      return step();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.closed = true;
  }
}
