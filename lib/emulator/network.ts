/**
 * Network cuts: the emulator plays a client's network going away. A cut is per user (every session,
 * socket and request of that user, on every SFU and the coordinator), because an agent whose network
 * is down also cannot reach the coordinator or another SFU, and a REJOIN gives it a new session id.
 *
 * What a cut does, TCP-faithfully (a blackhole, not a reset): frames and requests in both directions
 * are held, not dropped, and flow again on `restore()` in order (TCP would retransmit them), so a
 * socket that outlives a short cut is intact; the client's own timers decide when it gives up. UDP
 * (the user's peer connections) is dropped both ways, STUN consent included, as on a dead path.
 */
import { decodeJwt } from 'jose';

export class NetworkCuts {
  private readonly cut = new Map<string, { restored: Promise<void>; restore: () => void }>();

  isCut(userId: string | undefined): boolean {
    return userId !== undefined && this.cut.has(userId);
  }

  /** Cuts `userId`'s network (idempotent). */
  cutUser(userId: string): void {
    if (this.cut.has(userId)) return;
    let restore = (): void => undefined;
    const restored = new Promise<void>((resolve) => (restore = resolve));
    this.cut.set(userId, { restored, restore });
  }

  /** Restores it: whatever was held flows again (idempotent). */
  restoreUser(userId: string): void {
    const entry = this.cut.get(userId);
    this.cut.delete(userId);
    entry?.restore();
  }

  /** Resolves at once when `userId`'s network is up, else when it is restored. */
  passable(userId: string | undefined): Promise<void> {
    return (userId !== undefined ? this.cut.get(userId)?.restored : undefined) ?? Promise.resolve();
  }
}

/**
 * The `user_id` a JWT claims, without checking it: the emulator only needs to know whose network
 * a request travels on before it reads it; the request's own handler verifies the token.
 */
export function claimedUserId(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const userId = decodeJwt(token.replace(/^Bearer\s+/i, '').trim())['user_id'];
    return typeof userId === 'string' ? userId : undefined;
  } catch {
    return undefined;
  }
}
