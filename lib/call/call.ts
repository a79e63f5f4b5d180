/**
 * A joined call, as streams. Built by `joinCall` / `joinCall$`; see README for the tour.
 *
 * State flows one way: the current SFU connection's frames → participants → subscriptions and
 * remote tracks → the user. The reconnection engine swaps the current connection; everything
 * downstream follows it by `switchMap`.
 */
import { randomUUID } from 'node:crypto';
import {
  EMPTY, Observable, ReplaySubject, Subject, Subscription, filter, merge, catchError, concat, defer, distinctUntilChanged,
  from, firstValueFrom, lastValueFrom, map, of, share, switchMap, takeUntil, tap, combineLatest, mergeMap, ignoreElements, scan, startWith,
  take, timer, finalize,
} from 'rxjs';
import type { RtpPacket } from 'werift';
import { isRxsfuError, rxsfuError, type RxsfuError } from '../errors.js';
import { TrackType, type SfuEvent, type TrackSubscriptionDetails } from '../protocol/index.js';
import type { ConnectionLost } from '../signaling/index.js';
import type { Publisher, PublishedTrack } from '../rtc/index.js';
import { stateField } from './state-field.js';
import { callHealth$, type CallHealth } from './health.js';
import { reduceParticipants, withLocalTracks, type ParticipantMap } from './participants.js';
import { desiredSubscriptions, sameSubscriptions, type SubscriptionPolicy } from './subscriptions.js';
import { RemoteTrackRegistry, type CallRemoteTrack } from './remote-tracks.js';
import { connectSfu$, type ConnectionSettings, type SfuConnection } from './sfu-connection.js';
import { callAccess$, type CallTarget } from './credentials.js';
import {
  createReconnectEngine, mergeTriggers, fromConnectionLost, fromSfuError, fromGoAway, fromIceRestartEvent, fromCallEnded,
  fromPeerFailed, fromIceFailed, fromMediaStalled, reconnectionTelemetry, type ReconnectOptions, type ReconnectionRecord, type ReconnectState, type ReconnectRequest,
} from '../reconnect/index.js';
import { createReconnectExecutors, type ReconnectHost } from './reconnect-executors.js';
import { sdkVersion } from './join-request.js';
import { DEFAULT_MEDIA_STALL_AFTER_MS, mediaStalled$ } from './media-stall.js';
import { sendLatest } from './send-latest.js';
import { peerStuckRequests$ } from './peer-stuck.js';
import { assertStatsInterval, resolveStatsInterval, statsIdentity, statsReports$ } from './stats-reporter.js';

/**
 * Where the call is. There is no `offline`: Node reports no network status, so a loss is only what
 * the triggers see, and the call goes straight to `reconnecting` (docs/RECONNECT.md, States).
 */
export type CallState = 'joining' | 'joined' | 'reconnecting' | 'migrating' | 'reconnecting-failed' | 'left';

/** A track the agent publishes. Its source keeps feeding it across reconnects. */
export interface LocalTrack {
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /** Stops publishing this track's packets (the transceiver stays until leave). */
  stop(): void;
}

interface LocalTrackSpec {
  trackType: TrackType;
  kind: 'audio' | 'video';
  /**
   * Where packets go: the transceiver on the current publisher, and during a MIGRATE also the one
   * on the new SFU's publisher (the old keeps carrying media until the migration completes).
   */
  targets: { publisher: Publisher; track: PublishedTrack }[];
  source: Subscription;
}

/** Our own entry without `trackType`, unless another local track still has that type. */
function withoutLocalTrack(state: ParticipantMap, localSessionId: string, trackType: TrackType, remaining: readonly TrackType[]): ParticipantMap {
  const local = state.get(localSessionId);
  if (!local || remaining.includes(trackType) || !local.publishedTracks.includes(trackType)) return state;
  const next = new Map(state);
  next.set(localSessionId, { ...local, publishedTracks: local.publishedTracks.filter((t) => t !== trackType) });
  return next;
}

/** Writes one packet to every target; werift rewrites headers in place, so extra targets get copies. */
function writeToTargets(spec: LocalTrackSpec, packet: RtpPacket): void {
  spec.targets.forEach(({ track }, i) => track.writeRtp(i === 0 ? packet : packet.clone()));
}

/**
 * A joined call: state, participants, remote tracks and SFU events as streams, plus publish,
 * subscribe and leave. Made by `joinCall` / `joinCall$`; it reconnects by itself (docs/RECONNECT.md)
 * and completes every stream at leave. docs/API.md lists every member.
 */
export class Call {
  /** Stays the same from the first join until leave (JoinRequest.unified_session_id). */
  readonly unifiedSessionId = randomUUID();
  private readonly connection = stateField<SfuConnection | undefined>(undefined);
  private readonly stateValue = stateField<CallState>('joining');
  private readonly participantsValue = stateField<ParticipantMap>(new Map());
  private readonly policy = stateField<SubscriptionPolicy>({});
  private readonly registry = new RemoteTrackRegistry();
  private readonly localTracks: LocalTrackSpec[] = [];
  private readonly left = new ReplaySubject<void>(1);
  private readonly records = new Subject<ReconnectionRecord>();
  private failureValue?: RxsfuError;
  private readonly running = new Subscription();
  private generation = 0;
  private leaving?: Promise<void>;
  /** Set as leave() starts, before anything is closed (abandoned attempts then leave properly). */
  private releasing = false;
  /** SendStats period, known once the first join got its credentials (0: off). */
  private statsPeriodMs = 0;

  /** Where the call is: `joining → joined ⇄ reconnecting/migrating → … → left` (or `reconnecting-failed`). */
  readonly state$: Observable<CallState> = this.stateValue.value$;
  /** Every SFU event of the current connection, typed. Completes at leave. */
  readonly events$: Observable<SfuEvent> = this.connection.value$.pipe(
    switchMap((c) => (c ? c.events$ : EMPTY)),
    takeUntil(this.left),
    share(),
  );
  /** Losses of the current signaling connection (at most one per connection). */
  readonly connectionLost$: Observable<ConnectionLost> = this.connection.value$.pipe(
    switchMap((c) => (c ? c.signal.connectionLost$ : EMPTY)),
    takeUntil(this.left),
    share(),
  );
  /** The joined invariant on the current connection (docs/RECONNECT.md J1, J2), at every change. */
  readonly health$: Observable<CallHealth> = callHealth$(this.stateValue.value$, this.connection.value$);
  /** Current participants keyed by session id (our own session included, `isLocal`). */
  readonly participants$: Observable<ParticipantMap> = this.participantsValue.value$;
  /** One record per reconnection episode: trigger, strategies tried, attempts, duration, outcome. */
  readonly reconnections$: Observable<ReconnectionRecord> = this.records.asObservable();
  /** Each remote track once (those already there first), with its `rtp$`. */
  readonly remoteTracks$: Observable<CallRemoteTrack> = defer(() => concat(from(this.registry.current()), this.registry.added$));

  constructor(
    private readonly target: CallTarget,
    private readonly settings: ConnectionSettings,
    policy: SubscriptionPolicy = {},
    private readonly reconnectOptions: ReconnectOptions = {},
    /** Silence of expected inbound media that triggers a REJOIN; 0 disables. */
    private readonly mediaStallAfterMs: number = DEFAULT_MEDIA_STALL_AFTER_MS,
    /** SendStats period; undefined: the coordinator's, or 10000 with direct credentials; 0 disables. */
    private readonly statsIntervalMs?: number,
  ) {
    if (statsIntervalMs !== undefined) assertStatsInterval(statsIntervalMs);
    if (!Number.isFinite(mediaStallAfterMs) || mediaStallAfterMs < 0) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `mediaStallAfterMs must be 0 (off) or a positive number of ms, got ${mediaStallAfterMs}`);
    }
    this.policy.set(policy);
  }

  /** Why the call ended, when it did not end by `leave()`: reconnection gave up, or the SFU ended it. */
  get failure(): RxsfuError | undefined { return this.failureValue; }

  /** The current state, synchronously (still readable after `state$` completed). */
  get state(): CallState { return this.stateValue.get(); }
  /** The current participants, synchronously. */
  get participants(): ParticipantMap { return this.participantsValue.get(); }
  /** Our current session id (a REJOIN changes it). */
  get sessionId(): string { return this.connection.get()?.sessionId ?? ''; }
  /** The current connection, for diagnostics (its shape is internal and may change). @internal */
  get currentConnection(): SfuConnection | undefined { return this.connection.get(); }

  /** Cold: the first join. Emits once when joined. @internal use `joinCall$` */
  join$(): Observable<void> {
    return defer(() => callAccess$(this.target)).pipe(
      tap((access) => { this.statsPeriodMs = resolveStatsInterval(this.statsIntervalMs, access.statsIntervalMs); }),
      switchMap(({ credentials }) => connectSfu$({
        credentials, sessionId: randomUUID(), unifiedSessionId: this.unifiedSessionId, settings: this.settings,
      })),
      map((conn) => {
        this.adopt(conn);
        this.start();
        this.stateValue.set('joined');
      }),
      takeUntil(this.left),
    );
  }

  /** Makes `conn` the current connection and binds state, tracks and subscriptions to it. */
  private adopt(conn: SfuConnection): void {
    this.generation += 1;
    const localSessionId = conn.sessionId;
    const seeded = reduceParticipants(new Map(), { eventPayload: 'joinResponse', joinResponse: conn.joinResponse } as SfuEvent, localSessionId);
    this.participantsValue.set(withLocalTracks(seeded, localSessionId, this.localTrackTypes()));
    this.connection.set(conn);
  }

  /**
   * MIGRATE: the old connection keeps carrying media both ways until the new subscriber delivers its
   * first packet (or `retireAfterMs` passed), so the move has no gap; then it is closed and local
   * tracks stop writing to its publisher.
   */
  private retire(old: SfuConnection, retireAfterMs = 3000): void {
    const done = () => {
      this.dropPublisherTargets(old);
      old.dispose(4100, 'migrated');
    };
    const current = this.connection.get();
    const firstPacket$ = current && current !== old
      ? current.subscriber.remoteTrack$.pipe(mergeMap((track) => track.rtp$), take(1))
      : EMPTY;
    this.running.add(merge(firstPacket$, timer(retireAfterMs, this.settings.scheduler)).pipe(take(1), finalize(done)).subscribe());
  }

  /** Subscribe to this set of tracks (the full list is sent to the SFU). */
  setSubscriptions(policy: SubscriptionPolicy): void {
    this.assertLive();
    this.policy.set(policy);
  }

  /**
   * Publishes an audio track fed by `source$` (Opus RTP packets, e.g. from `opusRtpPackets$`).
   * Resolves once the SFU accepted the publisher offer.
   */
  async publishAudio(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.publish('audio', TrackType.TRACK_TYPE_AUDIO, source$);
  }

  /** Publishes a video track fed by VP8 RTP packets. */
  async publishVideo(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.publish('video', TrackType.TRACK_TYPE_VIDEO, source$);
  }

  private async publish(kind: 'audio' | 'video', trackType: TrackType, source$: Observable<RtpPacket>): Promise<LocalTrack> {
    this.assertLive();
    // During a reconnect the publisher is being moved: publish on the connection it ends on.
    if (this.state !== 'joined') {
      await this.settled();
      this.assertLive();
    }
    const conn = this.connection.get();
    if (!conn) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'publish before the call is joined');
    const spec: LocalTrackSpec = { kind, trackType, source: new Subscription(), targets: [] };
    const track = conn.publisher.addTrack(kind, trackType);
    spec.targets.push({ publisher: conn.publisher, track });
    this.localTracks.push(spec);
    try {
      await lastValueFrom(conn.publisher.negotiate$().pipe(takeUntil(this.left)), { defaultValue: undefined });
    } catch (err) {
      await this.afterFailedPublish(conn, spec, track, err);
    }
    // A leave during the negotiation cut it short: the SFU never accepted this track.
    this.assertLive();
    this.participantsValue.set((state) => withLocalTracks(state, this.sessionId, this.localTrackTypes()));
    spec.source = source$.pipe(takeUntil(this.left)).subscribe({
      next: (packet) => writeToTargets(spec, packet),
      error: (err: Error) => this.settings.logger.warn('local track source failed', { kind, error: err.message }),
    });
    return { kind, trackType, stop: () => spec.source.unsubscribe() };
  }

  /** Resolves once no reconnect runs: the call is joined again, or it ended. */
  private settled(): Promise<CallState> {
    return firstValueFrom(this.state$.pipe(filter((s) => s !== 'reconnecting' && s !== 'migrating' && s !== 'joining')), { defaultValue: 'left' as const });
  }

  /**
   * The publish negotiation failed. If a reconnect cut it short (its `dispose` closed the Twirp
   * client), the track rides on what the reconnect carries over: FAST's ICE restart renegotiates
   * every transceiver, REJOIN/MIGRATE's `republish$` recreates every spec; so wait for it and keep
   * the track. Otherwise the SFU refused it: take it back, or every later negotiation (and every
   * REJOIN) would re-send it, and throw the SFU's error.
   */
  private async afterFailedPublish(conn: SfuConnection, spec: LocalTrackSpec, track: PublishedTrack, err: unknown): Promise<void> {
    this.assertLive();
    if (this.state !== 'joined' || this.connection.get() !== conn) {
      await this.settled();
      this.assertLive();
      return;
    }
    this.localTracks.splice(this.localTracks.indexOf(spec), 1);
    conn.publisher.removeTrack(track);
    this.participantsValue.set((state) => withoutLocalTrack(state, this.sessionId, spec.trackType, this.localTrackTypes()));
    throw err;
  }

  /** Local tracks stop writing to `conn`'s publisher (it is being closed). */
  private dropPublisherTargets(conn: SfuConnection): void {
    for (const spec of this.localTracks) spec.targets = spec.targets.filter((t) => t.publisher !== conn.publisher);
  }

  private localTrackTypes(): TrackType[] {
    return this.localTracks.map((spec) => spec.trackType);
  }

  /** Re-creates every local track, in publish order, on a new publisher connection (REJOIN, MIGRATE). */
  private republish$(conn: SfuConnection): Observable<void> {
    return defer(() => {
      if (this.localTracks.length === 0) return of(undefined);
      for (const spec of this.localTracks) {
        const track = conn.publisher.addTrack(spec.kind, spec.trackType);
        // REJOIN: the old publisher is closed already, so drop it; MIGRATE: it keeps sending until adopt().
        spec.targets = [...spec.targets.filter((t) => !t.publisher.isClosed()), { publisher: conn.publisher, track }];
      }
      return conn.publisher.negotiate$();
    });
  }

  /** Leaves the call: LeaveCallRequest, socket closed with 1000, peer connections closed, every stream completed. */
  leave(reason = 'user is leaving the call'): Promise<void> {
    return this.shutdown(reason, 'left');
  }

  private shutdown(reason: string, finalState: 'left' | 'reconnecting-failed'): Promise<void> {
    this.leaving ??= this.release(reason, finalState);
    return this.leaving;
  }

  private async release(reason: string, finalState: 'left' | 'reconnecting-failed'): Promise<void> {
    const conn = this.connection.get();
    this.releasing = true;
    this.left.next();
    this.left.complete();
    this.running.unsubscribe();
    if (conn) {
      try {
        conn.signal.send({ leaveCallRequest: { sessionId: conn.sessionId, reason } });
      } catch {
        // The socket is already gone: the SFU drops us after its FAST deadline instead.
      }
      conn.dispose(1000, reason);
    }
    for (const spec of this.localTracks) spec.source.unsubscribe();
    this.registry.close();
    this.records.complete();
    this.stateValue.set(finalState);
    this.stateValue.complete();
    this.participantsValue.complete();
    this.connection.complete();
    this.policy.complete();
  }

  /** Starts the call's standing pipelines (once, at the first join). */
  private start(): void {
    const events$ = this.events$;
    // Participants follow the current connection's events.
    this.running.add(events$.subscribe((event) => {
      this.participantsValue.set((state) => withLocalTracks(reduceParticipants(state, event, this.sessionId), this.sessionId, this.localTrackTypes()));
    }));
    // The full subscription list, re-sent on every new connection and whenever it changes.
    this.running.add(this.connection.value$.pipe(
      switchMap((conn) => !conn ? EMPTY : combineLatest([this.participants$, this.policy.value$]).pipe(
        map(([participants, policy]) => desiredSubscriptions(participants, policy)),
        distinctUntilChanged<TrackSubscriptionDetails[]>(sameSubscriptions),
        // A refused list is re-sent with backoff (nothing else would: the desired list did not change).
        sendLatest((tracks) => conn.rpc.updateSubscriptions$({ sessionId: conn.sessionId, tracks }), {
          onFailure: (err, retry) => this.settings.logger.warn('UpdateSubscriptions failed', { error: (err as Error).message, retry }),
          // Unauthorized, or the client closed by a reconnect (the new connection re-sends the list).
          isFinal: (err) => isRxsfuError(err, 'RXSFU_ERR_UNAUTHORIZED') || isRxsfuError(err, 'RXSFU_ERR_LEFT'),
        }, this.settings.scheduler),
      )),
    ).subscribe());
    // Remote tracks: bind each incoming werift track to its participant; end those that went away.
    this.running.add(this.connection.value$.pipe(
      distinctUntilChanged((a, b) => a?.subscriber === b?.subscriber),
      switchMap((conn) => (conn ? conn.subscriber.remoteTrack$ : EMPTY)),
      tap((incoming) => {
        const sink = this.registry.attach(incoming, this.participants, this.generation);
        if (!sink) this.settings.logger.debug('remote track without participant', { trackType: incoming.trackType });
        else this.running.add(incoming.rtp$.subscribe({ next: (p) => sink.next(p), error: () => undefined }));
      }),
    ).subscribe());
    this.running.add(combineLatest([this.participants$, this.policy.value$]).subscribe(([participants, policy]) => {
      const wanted = new Set(desiredSubscriptions(participants, policy).map((t) => `${t.sessionId}:${t.trackType}`));
      this.registry.prune(participants, wanted);
    }));
    this.startReconnection();
    // One periodic SendStats reporter for the whole call; it follows the current connection, and
    // pauses while a reconnect runs (the old connection's Twirp client is closed by then).
    const reportingConnection$ = combineLatest([this.connection.value$, this.state$]).pipe(
      map(([conn, state]) => (state === 'joined' ? conn : undefined)),
      distinctUntilChanged(),
    );
    this.running.add(statsReports$(reportingConnection$, {
      intervalMs: this.statsPeriodMs, unifiedSessionId: this.unifiedSessionId, sdkVersion: sdkVersion(), logger: this.settings.logger,
    }, this.settings.scheduler).pipe(takeUntil(this.left)).subscribe());
  }

  /** Every trigger → one request stream → the reconnection engine (docs/RECONNECT.md). */
  private startReconnection(): void {
    const event$ = <K extends NonNullable<SfuEvent['eventPayload']>>(kind: K) =>
      this.events$.pipe(filter((e) => e.eventPayload === kind), map((e) => e[kind] as NonNullable<SfuEvent[K]>));
    const peerFailed$ = this.connection.value$.pipe(
      switchMap((conn) => !conn ? EMPTY : merge(
        conn.publisher.connectionState$.pipe(filter((s) => s === 'failed'), map(() => fromPeerFailed('publisher'))),
        conn.subscriber.connectionState$.pipe(filter((s) => s === 'failed'), map(() => fromPeerFailed('subscriber'))),
        conn.publisher.iceConnectionState$.pipe(filter((s) => s === 'failed'), map(() => fromIceFailed('publisher'))),
        conn.subscriber.iceConnectionState$.pipe(filter((s) => s === 'failed'), map(() => fromIceFailed('subscriber'))),
      )),
    );
    const requests$: Observable<ReconnectRequest> = mergeTriggers(
      this.connectionLost$.pipe(map(fromConnectionLost)),
      event$('error').pipe(tap((e) => this.settings.logger.warn('SFU error', { code: e.error?.code, strategy: e.reconnectStrategy, message: e.error?.message })), map(fromSfuError)),
      event$('goAway').pipe(map(fromGoAway)),
      event$('iceRestart').pipe(map(fromIceRestartEvent)),
      event$('callEnded').pipe(map(fromCallEnded)),
      peerFailed$,
      peerStuckRequests$(this.connection.value$, this.state$.pipe(map((s) => s === 'joined')), this.settings.peerConnectTimeoutMs, this.settings.scheduler),
      this.mediaStallRequests$(),
    ).pipe(tap((r) => this.settings.logger.info('reconnect request', { strategy: r.strategy, source: r.source, detail: r.detail })));
    const first = this.connection.get()!;
    const engine = createReconnectEngine(requests$, createReconnectExecutors(this.reconnectHost()), {
      ...this.reconnectOptions,
      initial: { sfuId: first.sfuId, fastReconnectDeadlineSeconds: first.joinResponse.fastReconnectDeadlineSeconds ?? 0 },
      leave$: this.left,
    }, this.settings.scheduler);
    this.running.add(engine.events$.subscribe({
      next: (e) => (e.type === 'state' ? this.onReconnectState(e.state) : this.onReconnectRecord(e.record)),
      // Never expected (the engine turns failures into states); if it happens, the call cannot
      // recover any more: end it with a stated reason rather than sit in 'reconnecting'.
      error: (err: Error) => {
        this.settings.logger.error('reconnection engine failed', { error: err.message });
        this.failureValue = rxsfuError('RXSFU_ERR_RECONNECT_FAILED', `reconnection engine failed: ${err.message}`, { cause: err });
        void this.shutdown(this.failureValue.message, 'reconnecting-failed');
      },
    }));
  }

  /**
   * R1 `media-stalled`: while joined and subscribed to a remote track that has delivered media on
   * this call, no inbound RTP for `mediaStallAfterMs` → REJOIN (werift may never notice a vanished
   * peer: WERIFT.md pitfall 5). Tracks never seen, unsubscribed or unpublished expect nothing.
   */
  private mediaStallRequests$(): Observable<ReconnectRequest> {
    if (this.mediaStallAfterMs === 0) return EMPTY;
    const inbound$ = this.remoteTracks$.pipe(mergeMap((track) => track.rtp$));
    const wanted$ = combineLatest([this.participants$, this.policy.value$]).pipe(
      map(([participants, policy]) => desiredSubscriptions(participants, policy).map((t) => `${t.sessionId}:${t.trackType}`)),
    );
    const expecting$ = combineLatest([this.state$, this.liveRemoteTrackIds$(), wanted$]).pipe(
      map(([state, live, wanted]) => state === 'joined' && wanted.some((id) => live.has(id))),
    );
    return mediaStalled$(inbound$, expecting$, { stallAfterMs: this.mediaStallAfterMs }, this.settings.scheduler).pipe(
      map((stall) => fromMediaStalled(`no inbound RTP for ${stall.silentMs} ms`, 'subscriber')),
    );
  }

  /** Ids of the remote tracks alive now (`CallRemoteTrack.id`), from the first packet's track to its end. */
  private liveRemoteTrackIds$(): Observable<ReadonlySet<string>> {
    return this.remoteTracks$.pipe(
      mergeMap((track) => concat(of([track.id, true] as const), track.rtp$.pipe(ignoreElements(), catchError(() => EMPTY)), of([track.id, false] as const))),
      scan((ids, [id, live]) => {
        const next = new Set(ids);
        if (live) next.add(id);
        else next.delete(id);
        return next;
      }, new Set<string>() as ReadonlySet<string>),
      startWith(new Set<string>() as ReadonlySet<string>),
    );
  }

  private onReconnectState(state: ReconnectState): void {
    switch (state.kind) {
      case 'joined':
      case 'reconnecting':
      case 'migrating':
        this.stateValue.set(state.kind);
        return;
      case 'reconnecting-failed':
        this.failureValue = state.error;
        void this.shutdown(state.error.message, 'reconnecting-failed');
        return;
      case 'left':
        if (state.error.code !== 'RXSFU_ERR_LEFT') {
          this.failureValue = state.error;
          void this.leave(state.error.message);
        }
    }
  }

  private onReconnectRecord(record: ReconnectionRecord): void {
    this.settings.logger.info('reconnection', {
      trigger: record.trigger.detail, strategies: record.strategiesTried.join('>'), attempts: record.attempts,
      durationMs: record.durationMs, outcome: record.outcome,
    });
    this.records.next(record);
    const conn = this.connection.get();
    const telemetry = record.outcome === 'joined' ? reconnectionTelemetry(record) : undefined;
    if (!conn || !telemetry) return;
    // The SFU learns how long we were away and how we came back (WIRE.md Telemetry).
    this.running.add(conn.rpc.sendStats$({
      ...statsIdentity(conn.sessionId, this.unifiedSessionId, sdkVersion()), telemetry: { reconnection: telemetry },
    }).pipe(catchError(() => EMPTY)).subscribe());
  }

  private reconnectHost(): ReconnectHost {
    return {
      target: this.target,
      settings: this.settings,
      unifiedSessionId: this.unifiedSessionId,
      migrationTimeoutMs: this.reconnectOptions.migrationTimeoutMs ?? 7000,
      current: () => this.connection.get()!,
      subscriptions: () => desiredSubscriptions(this.participants, this.policy.get()),
      adopt: (conn) => this.adopt(conn),
      retire: (old) => this.retire(old),
      abandon: (conn) => {
        this.dropPublisherTargets(conn);
        // Abandoned by leave(): the new SFU already holds our session, so tell it we are gone
        // (else it keeps a ghost until its FAST deadline). Otherwise a retry will replace it.
        if (this.releasing) {
          try {
            conn.signal.send({ leaveCallRequest: { sessionId: conn.sessionId, reason: 'leaving during a migration' } });
          } catch {
            // Its socket is gone already.
          }
          conn.dispose(1000, 'leave');
        } else {
          conn.dispose(4100, 'migration abandoned');
        }
      },
      republish$: (conn) => this.republish$(conn),
    };
  }

  private assertLive(): void {
    // After a failed reconnect or an SFU-ended call, say why rather than just "left".
    if (this.leaving) throw this.failureValue ?? rxsfuError('RXSFU_ERR_LEFT', 'the call has been left');
  }
}

