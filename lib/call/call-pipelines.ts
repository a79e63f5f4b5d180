/**
 * The call's standing pipelines that follow the current connection: the subscription list sent to
 * the SFU, and incoming werift tracks bound to their participants. Started once, at the first join.
 */
import { EMPTY, combineLatest, distinctUntilChanged, map, switchMap, tap, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { errorMessage, isRxsfuError } from '../errors.js';
import type { TrackSubscriptionDetails } from '../protocol/index.js';
import type { Logger } from '../logger.js';
import type { ParticipantMap } from './participants.js';
import type { RemoteTrackRegistry } from './remote-tracks.js';
import type { SfuConnection } from './sfu-connection.js';
import { sendLatest } from './send-latest.js';
import { statsReports$, type StatsReporterOptions } from './stats-reporter.js';
import { sameSubscriptions } from './subscriptions.js';

/**
 * The full subscription list, sent on every new connection and whenever it changes; a refused list
 * is re-sent with backoff (nothing else would: the desired list did not change).
 */
export function subscriptionUpdates$(
  connection$: Observable<SfuConnection | undefined>,
  /** The full list (`desiredSubscriptions`), computed once per change by the call. */
  tracks$: Observable<TrackSubscriptionDetails[]>,
  logger: Logger,
  scheduler: SchedulerLike,
): Observable<unknown> {
  return connection$.pipe(
    switchMap((conn) => !conn ? EMPTY : tracks$.pipe(
      distinctUntilChanged<TrackSubscriptionDetails[]>(sameSubscriptions),
      sendLatest((tracks) => conn.rpc.updateSubscriptions$({ sessionId: conn.sessionId, tracks }), {
        onFailure: (err, retry) => logger.warn('UpdateSubscriptions failed', { error: errorMessage(err), retry }),
        // Unauthorized, or the client closed by a reconnect (the new connection re-sends the list).
        isFinal: (err) => isRxsfuError(err, 'RXSFU_ERR_UNAUTHORIZED') || isRxsfuError(err, 'RXSFU_ERR_LEFT'),
      }, scheduler),
    )),
  );
}

/** What binding remote tracks needs from the call. */
export interface RemoteTrackBinding {
  readonly registry: RemoteTrackRegistry;
  /** The participants now. */
  participants(): ParticipantMap;
  /** How many connections the call adopted so far (a track of an older one is replaced). */
  generation(): number;
  /** Keeps a track's packet forwarding until leave (it outlives the connection that brought it). */
  keep(work: Subscription): void;
  readonly logger: Logger;
}

/** Each incoming werift track of the current subscriber, bound to its participant's remote track. */
export function remoteTrackBinding$(connection$: Observable<SfuConnection | undefined>, binding: RemoteTrackBinding): Observable<unknown> {
  return connection$.pipe(
    distinctUntilChanged((a, b) => a?.subscriber === b?.subscriber),
    switchMap((conn) => (conn ? conn.subscriber.remoteTrack$ : EMPTY)),
    tap((incoming) => {
      const sink = binding.registry.attach(incoming, binding.participants(), binding.generation());
      if (!sink) binding.logger.debug('remote track without participant', { trackType: incoming.trackType });
      else binding.keep(incoming.rtp$.subscribe({ next: (p) => sink.next(p), error: () => undefined }));
    }),
  );
}

/**
 * One periodic SendStats reporter for the whole call; it follows the current connection, and pauses
 * while a reconnect runs (the old connection's Twirp client is closed by then).
 */
export function statsReporting$(
  connection$: Observable<SfuConnection | undefined>,
  state$: Observable<string>,
  options: StatsReporterOptions,
  scheduler: SchedulerLike,
): Observable<unknown> {
  const reportingConnection$ = combineLatest([connection$, state$]).pipe(
    map(([conn, state]) => (state === 'joined' ? conn : undefined)),
    distinctUntilChanged(),
  );
  return statsReports$(reportingConnection$, options, scheduler);
}
