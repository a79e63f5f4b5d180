/**
 * A joined call, as streams. Built by `joinCall` / `joinCall$`; see README for the tour.
 *
 * State flows one way: the current SFU connection's frames → participants → subscriptions and
 * remote tracks → the user. The reconnection engine swaps the current connection; everything
 * downstream follows it by `switchMap`.
 */
import { randomUUID } from 'node:crypto';
import {
  EMPTY, Observable, ReplaySubject, Subject, Subscription, filter, concat, defer, from, firstValueFrom, map, share, switchMap, takeUntil, tap,
  combineLatest, shareReplay,
} from 'rxjs';
import type { RtpPacket } from 'werift';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { TrackType, type SfuEvent, type TrackSubscriptionDetails } from '../protocol/index.js';
import { SignalCloseCode, type ConnectionLost } from '../signaling/index.js';
import { stateField } from './state-field.js';
import { reduceParticipantEvents, reduceParticipants, withLocalTracks, withoutLocalTrack, type ParticipantMap } from './participants.js';
import { desiredSubscriptions, trackIds, type SubscriptionPolicy } from './subscriptions.js';
import { remoteTrackBinding$, statsReporting$, subscriptionUpdates$ } from './call-pipelines.js';
import { RemoteTrackRegistry, type CallRemoteTrack } from './remote-tracks.js';
import { connectSfu$, type ConnectionSettings, type SfuConnection } from './sfu-connection.js';
import { callAccess$, type CallTarget } from './credentials.js';
import { LocalTracks, type LocalTrack } from './local-tracks.js';
import { type ReconnectionRecord, type ReconnectState } from '../reconnect/index.js';
import type { ReconnectHost } from '../reconnect/call-side/executors.js';
import { callReconnection$ } from '../reconnect/call-side/call-reconnection.js';
import { callTriggers } from '../reconnect/call-side/call-triggers.js';
import { sdkVersion } from './join-request.js';
import { resolveStatsInterval } from './stats-reporter.js';
import type { ResolvedJoinOptions } from './join-options.js';
import { validateSubscriptionPolicy } from './subscription-policy.js';
import { coalesceTurn } from './coalesce.js';

export type { LocalTrack } from './local-tracks.js';

/**
 * Where the call is. There is no `offline`: Node reports no network status, so a loss is only what
 * the triggers see, and the call goes straight to `reconnecting` (docs/RECONNECT.md, States).
 */
export type CallState = 'joining' | 'joined' | 'reconnecting' | 'migrating' | 'reconnecting-failed' | 'left';

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
  private readonly left = new ReplaySubject<void>(1);
  private readonly localTracks: LocalTracks;
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
  /** Current participants keyed by session id (our own session included, `isLocal`). */
  readonly participants$: Observable<ParticipantMap> = this.participantsValue.value$;
  /** One record per reconnection episode: trigger, strategies tried, attempts, duration, outcome. */
  readonly reconnections$: Observable<ReconnectionRecord> = this.records.asObservable();
  /** The full subscription list, computed once per participants or policy change for every consumer. */
  private readonly desired$: Observable<{ participants: ParticipantMap; tracks: TrackSubscriptionDetails[] }> = combineLatest([this.participantsValue.value$, this.policy.value$]).pipe(
    map(([participants, policy]) => ({ participants, tracks: desiredSubscriptions(participants, policy) })),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  /** Each remote track once (those already there first), with its `rtp$`. */
  readonly remoteTracks$: Observable<CallRemoteTrack> = defer(() => concat(from(this.registry.current()), this.registry.added$));

  /** Built from `resolveJoinOptions` (checked and defaulted once); use `joinCall` / `joinCall$`. */
  constructor(private readonly options: ResolvedJoinOptions) {
    this.policy.set(options.subscriptions);
    this.localTracks = new LocalTracks({
      current: () => this.connection.get(),
      joined: () => this.state === 'joined',
      settled: () => this.settled(),
      assertLive: () => this.assertLive(),
      left$: this.left,
      changed: (removed) => this.participantsValue.set((state) => removed === undefined
        ? withLocalTracks(state, this.sessionId, this.localTracks.types())
        : withoutLocalTrack(state, this.sessionId, removed, this.localTracks.types())),
      logger: this.settings.logger,
    });
  }

  private get target(): CallTarget { return this.options.target; }
  private get settings(): ConnectionSettings { return this.options.settings; }

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
      tap((access) => { this.statsPeriodMs = resolveStatsInterval(this.options.statsIntervalMs, access.statsIntervalMs); }),
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
    const seeded = reduceParticipants(new Map(), { eventPayload: 'joinResponse', joinResponse: conn.joinResponse } as SfuEvent, conn.sessionId);
    this.participantsValue.set(withLocalTracks(seeded, conn.sessionId, this.localTracks.types()));
    this.connection.set(conn);
  }

  /** Subscribe to this set of tracks (the full list is sent to the SFU); a malformed policy throws RXSFU_ERR_INVALID_ARGUMENT. */
  setSubscriptions(policy: SubscriptionPolicy): void {
    this.assertLive();
    this.policy.set(validateSubscriptionPolicy(policy));
  }

  /**
   * Publishes an audio track fed by `source$` (Opus RTP packets, e.g. from `opusRtpPackets$`).
   * Resolves once the SFU accepted the publisher offer.
   */
  async publishAudio(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.localTracks.publish('audio', TrackType.TRACK_TYPE_AUDIO, source$);
  }

  /** Publishes a video track fed by VP8 RTP packets. */
  async publishVideo(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.localTracks.publish('video', TrackType.TRACK_TYPE_VIDEO, source$);
  }

  /** Resolves once no reconnect runs: the call is joined again, or it ended. */
  private settled(): Promise<CallState> {
    return firstValueFrom(this.state$.pipe(filter((s) => s !== 'reconnecting' && s !== 'migrating' && s !== 'joining')), { defaultValue: 'left' as const });
  }

  /** Leaves the call: LeaveCallRequest, socket closed with `SignalCloseCode.LEAVE`, peer connections closed, every stream completed. */
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
      conn.dispose(SignalCloseCode.LEAVE, reason);
    }
    this.localTracks.stopAll();
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
    // Participants follow the current connection's events, one change per burst (coalesce.ts).
    this.running.add(this.events$.pipe(coalesceTurn(this.settings.scheduler)).subscribe((batch) => {
      this.participantsValue.set((state) => withLocalTracks(reduceParticipantEvents(state, batch, this.sessionId), this.sessionId, this.localTracks.types()));
    }));
    const tracks$ = this.desired$.pipe(map((desired) => desired.tracks));
    this.running.add(subscriptionUpdates$(this.connection.value$, tracks$, this.settings.logger, this.settings.scheduler).subscribe());
    // Remote tracks: bind each incoming werift track to its participant; end those that went away.
    this.running.add(remoteTrackBinding$(this.connection.value$, {
      registry: this.registry, participants: () => this.participants, generation: () => this.generation,
      keep: (work) => this.running.add(work), logger: this.settings.logger,
    }).subscribe());
    this.running.add(this.desired$.subscribe(({ participants, tracks }) => {
      this.registry.prune(participants, new Set(trackIds(tracks)));
    }));
    this.startReconnection();
    this.running.add(statsReporting$(this.connection.value$, this.state$, {
      intervalMs: this.statsPeriodMs, unifiedSessionId: this.unifiedSessionId, sdkVersion: sdkVersion(), logger: this.settings.logger,
    }, this.settings.scheduler).pipe(takeUntil(this.left)).subscribe());
  }

  /** Every trigger → one request stream → the reconnection engine (docs/RECONNECT.md). */
  private startReconnection(): void {
    const first = this.connection.get()!;
    const triggers = callTriggers({
      connection$: this.connection.value$,
      connectionLost$: this.connectionLost$,
      events$: this.events$,
      remoteTracks$: this.remoteTracks$,
      wantedTrackIds$: this.desired$.pipe(map((desired) => trackIds(desired.tracks))),
      joined$: this.state$.pipe(map((state) => state === 'joined')),
    }, this.options.mediaStallAfterMs, this.settings.scheduler);
    this.running.add(callReconnection$({
      triggers,
      host: this.reconnectHost(),
      options: this.options.reconnect,
      initial: { sfuId: first.sfuId, fastReconnectDeadlineSeconds: first.joinResponse.fastReconnectDeadlineSeconds ?? 0 },
      leave$: this.left,
    }).subscribe({
      next: (e) => (e.type === 'state' ? this.onReconnectState(e.state) : this.records.next(e.record)),
      // Never expected (the engine turns failures into states); if it happens, the call cannot
      // recover any more: end it with a stated reason rather than sit in 'reconnecting'.
      error: (err: Error) => {
        this.settings.logger.error('reconnection engine failed', { error: err.message });
        this.failureValue = rxsfuError('RXSFU_ERR_RECONNECT_FAILED', `reconnection engine failed: ${err.message}`, { cause: err });
        void this.shutdown(this.failureValue.message, 'reconnecting-failed');
      },
    }));
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

  private reconnectHost(): ReconnectHost {
    return {
      target: this.target,
      settings: this.settings,
      unifiedSessionId: this.unifiedSessionId,
      migrationTimeoutMs: this.options.reconnect.migrationTimeoutMs,
      current: () => this.connection.get()!,
      subscriptions: () => desiredSubscriptions(this.participants, this.policy.get()),
      adopt: (conn) => this.adopt(conn),
      localTracks: this.localTracks,
      leaving: () => this.releasing,
      keep: (work) => this.running.add(work),
    };
  }

  private assertLive(): void {
    // After a failed reconnect or an SFU-ended call, say why rather than just "left".
    if (this.leaving) throw this.failureValue ?? rxsfuError('RXSFU_ERR_LEFT', 'the call has been left');
  }
}

