/**
 * The joined invariant (docs/RECONNECT.md, "The joined invariant") as a stream: what `joined`
 * promises, checked on the current connection whenever the call state, the signaling socket or a
 * peer connection changes. Users and tests watch it; nothing in the call acts on it (every way to
 * break it is already a reconnection trigger, R1).
 */
import { combineLatest, defaultIfEmpty, distinctUntilChanged, endWith, ignoreElements, map, of, switchMap, takeUntil, type Observable } from 'rxjs';
import type { SignalState } from '../signaling/index.js';

/** One look at the invariant. */
export interface CallHealth {
  /** The call's state (`CallState`). */
  readonly state: string;
  /** The current connection's signaling socket (`none` before the first join and after leave). */
  readonly signaling: SignalState | 'none';
  /** werift connection states of the current peers. */
  readonly publisher: string;
  readonly subscriber: string;
  /** Which part of the invariant is broken (J1 signaling, J2 peers), in words; empty when it holds. */
  readonly problems: readonly string[];
  /** `joined` and no problem. */
  readonly healthy: boolean;
}

/** What `health$` follows of one connection. */
export interface HealthSources {
  readonly signal: { readonly state$: Observable<SignalState> };
  readonly publisher: { readonly connectionState$: Observable<string> };
  readonly subscriber: { readonly connectionState$: Observable<string> };
}

/**
 * J1: the socket is joined. J2: a peer connection that was ever negotiated (its state left `new`:
 * it carries a track, or the SFU offered one) is `connected`. Outside `joined` the invariant makes no
 * promise, so only the state is reported.
 */
export function healthProblems(state: string, signaling: string, publisher: string, subscriber: string): string[] {
  if (state !== 'joined') return [`state is ${state}`];
  const problems: string[] = [];
  if (signaling !== 'joined') problems.push(`J1: signaling socket is ${signaling}`);
  if (publisher !== 'new' && publisher !== 'connected') problems.push(`J2: publisher is ${publisher}`);
  if (subscriber !== 'new' && subscriber !== 'connected') problems.push(`J2: subscriber is ${subscriber}`);
  return problems;
}

const NO_CONNECTION = ['none', 'new', 'new'] as const;

/**
 * The invariant over time: one `CallHealth` per change of any input; completes after the state's
 * last value (a subscriber after the end gets the final state once).
 *
 * ```
 * state$:       j-------r---j---
 * connection$:  a-----------b---    (a, b: connections; a's socket closes at 6)
 * result:       H-----U-x---y-H-    H healthy, U J1 broken, x/y not joined, then b's states
 * ```
 */
export function callHealth$(state$: Observable<string>, connection$: Observable<HealthSources | undefined>): Observable<CallHealth> {
  const parts$ = connection$.pipe(
    switchMap((conn) => (conn
      ? combineLatest([conn.signal.state$, conn.publisher.connectionState$, conn.subscriber.connectionState$])
      : of(NO_CONNECTION))),
    // The peers' streams outlive the call's state; the state's end is the end.
    takeUntil(state$.pipe(ignoreElements(), endWith(null))),
    defaultIfEmpty(NO_CONNECTION),
  );
  return combineLatest([state$, parts$]).pipe(
    map(([state, [signaling, publisher, subscriber]]): CallHealth => {
      const problems = healthProblems(state, signaling, publisher, subscriber);
      return { state, signaling, publisher, subscriber, problems, healthy: state === 'joined' && problems.length === 0 };
    }),
    distinctUntilChanged((a, b) => a.state === b.state && a.signaling === b.signaling && a.publisher === b.publisher && a.subscriber === b.subscriber),
  );
}
