/**
 * A joined call, as streams. Built by `joinCall` / `joinCall$`; see README for the tour.
 *
 * State flows one way: the current SFU connection's frames → participants → subscriptions and
 * remote tracks → the user. The reconnection engine swaps the current connection; everything
 * downstream follows it by `switchMap`.
 */
import { randomUUID } from 'node:crypto';
import {
  EMPTY, Observable, isObservable, ReplaySubject, Subject, Subscription, filter, concat, defer, from, firstValueFrom, map, share, switchMap, takeUntil, tap,
  combineLatest, shareReplay,
} from 'rxjs';
import type { RtpPacket } from '../media/rtp-packet.js';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { TrackType, type SfuEvent, type TrackSubscriptionDetails } from '../protocol/index.js';
import { SignalCloseCode, type ConnectionLost } from '../signaling/index.js';
import { stateField } from './state-field.js';
import { callHealth$, type CallHealth } from './health.js';
import { FrameLogRecorder, type FrameLog } from '../reconnect/frame-log.js';
import { reduceParticipantEvents, reduceParticipants, withLocalTracks, withoutLocalTrack, type ParticipantMap, type CallParticipant } from './participants.js';
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
import { encodeOpusRtp, type OpusPublishOptions } from '../media/opus-publish.js';
import { resampleToOpusRate } from '../media/resample.js';
import {
  participantJoined$, participantLeft$, dominantSpeaker$, audioLevels$, trackChanges$, callGrants$,
  type ParticipantRef, type ParticipantAudioLevel, type TrackChange, type CallGrants,
} from './participant-streams.js';
import { resolveAudioOptions, type AudioOptions, type PcmFrame } from '../media/audio-frame.js';
import { mixAudio$, type MixOptions, type MixedFrame } from '../media/mix-audio.js';
import { packetizeVp8, type Vp8SourceFrame } from '../media/vp8-packetizer.js';

export type { LocalTrack } from './local-tracks.js';

/**
 * Where the call is (docs/RECONNECT.md, States): `offline` while every path is dead (R17),
 * `restarting` while the supervisor rejoins as a fresh participant (R18).
 */
export type CallState = 'joining' | 'joined' | 'reconnecting' | 'migrating' | 'offline' | 'restarting' | 'reconnecting-failed' | 'left';

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
  private readonly capabilities = stateField<readonly string[]>([]);
  private readonly registry: RemoteTrackRegistry;
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
  /** The joined invariant on the current connection (docs/RECONNECT.md J1, J2), at every change. */
  readonly health$: Observable<CallHealth> = callHealth$(this.stateValue.value$, this.connection.value$);
  /** Current participants keyed by session id (our own session included, `isLocal`). */
  readonly participants$: Observable<ParticipantMap> = this.participantsValue.value$;
  /** Others who joined (those already in the call first); derived from `participants$`. */
  readonly participantJoined$: Observable<CallParticipant> = participantJoined$(this.participants$);
  /** Others who left, as last known. */
  readonly participantLeft$: Observable<CallParticipant> = participantLeft$(this.participants$);
  /** Who the SFU says speaks now (`dominant_speaker_changed`). */
  readonly dominantSpeaker$: Observable<ParticipantRef> = dominantSpeaker$(this.events$);
  /** Audio levels as the SFU reports them (`audio_level_changed`). */
  readonly audioLevels$: Observable<readonly ParticipantAudioLevel[]> = audioLevels$(this.events$);
  /** Tracks of the others published / unpublished, mute included (`muted`). */
  readonly trackChanges$: Observable<TrackChange> = trackChanges$(this.events$);
  /** What the SFU lets us publish, on each `call_grants_updated`. */
  readonly callGrants$: Observable<CallGrants> = callGrants$(this.events$);
  /** Our capabilities in the call from the coordinator's join (`own_capabilities`); empty with direct credentials. */
  readonly ownCapabilities$: Observable<readonly string[]> = this.capabilities.value$;
  /** One record per reconnection episode: trigger, strategies tried, attempts, duration, outcome. */
  readonly reconnections$: Observable<ReconnectionRecord> = this.records.asObservable();
  /** The full subscription list, computed once per participants or policy change for every consumer. */
  private readonly desired$: Observable<{ participants: ParticipantMap; tracks: TrackSubscriptionDetails[] }> = combineLatest([this.participantsValue.value$, this.policy.value$]).pipe(
    map(([participants, policy]) => ({ participants, tracks: desiredSubscriptions(participants, policy) })),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  /** Each remote track once (those already there first), with its `rtp$`. */
  readonly remoteTracks$: Observable<CallRemoteTrack> = defer(() => concat(from(this.registry.current()), this.registry.added$));
  /**
   * Every remote voice mixed onto one clock (a recorder, a meeting transcriber): one frame per
   * `frameMs` of real time, silence when nobody speaks, each voice jitter-buffered and concealed as
   * in `audio$(options)`. Completes at leave. See `mixAudio$`.
   */
  mixedAudio$(options: AudioOptions & Pick<MixOptions, 'maxLagFrames' | 'jitterFrames'> = {}): Observable<MixedFrame<CallParticipant>> {
    return defer(() => {
      const { sampleRate, channels, frameMs } = resolveAudioOptions(options);
      const voices$ = this.remoteTracks$.pipe(filter((t) => t.kind === 'audio'), map((t) => t.audio$(options)));
      return mixAudio$(voices$, { sampleRate, channels, frameMs, maxLagFrames: options.maxLagFrames, jitterFrames: options.jitterFrames, scheduler: this.settings.scheduler });
    }).pipe(takeUntil(this.left));
  }

  /** Built from `resolveJoinOptions` (checked and defaulted once); use `joinCall` / `joinCall$`. */
  constructor(private readonly options: ResolvedJoinOptions) {
    this.registry = new RemoteTrackRegistry(options.settings.scheduler);
    if (options.recordFrames) this.recorder = new FrameLogRecorder(() => options.settings.scheduler.now());
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

  private readonly recorder?: FrameLogRecorder;
  private get target(): CallTarget { return this.options.target; }
  private get settings(): ConnectionSettings { return this.options.settings; }

  /**
   * With `recordFrames: true`, the frame log of the reconnection core so far (JSON-able, no secrets):
   * attach it to an incident report; `replayFrameLog(log)` replays it in virtual time. Else undefined.
   */
  frameLog(): FrameLog | undefined {
    return this.recorder?.started ? this.recorder.snapshot() : undefined;
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
      tap((access) => {
        this.statsPeriodMs = resolveStatsInterval(this.options.statsIntervalMs, access.statsIntervalMs);
        this.capabilities.set(access.ownCapabilities ?? []);
      }),
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
   * Publishes an audio track fed by PCM frames (mono or stereo, any frame size) at any rate in
   * 8–192 kHz: Opus-native rates (8/12/16/24/48 kHz) are encoded as they are, others resampled to
   * the next Opus rate up by libsamplerate (`resampleToOpusRate`); cut into 20 ms, encoded with
   * libopus, sent on a real-time 20 ms clock, encoded silence while the source is idle (see
   * `encodeOpusRtp`). A source faster than real time is queued up to `maxQueueMs`; pipe it through
   * `pace()` for barge-in. A rate outside 8–192 kHz fails the track with RXSFU_ERR_INVALID_ARGUMENT.
   * Resolves once the SFU accepted the offer.
   */
  async publishAudio(pcm$: Observable<PcmFrame>, options: Omit<OpusPublishOptions, 'scheduler'> = {}): Promise<LocalTrack> {
    // A non-Observable goes through as is: the local tracks refuse it, typed, before anything is announced.
    const rtp$ = isObservable(pcm$) ? pcm$.pipe(resampleToOpusRate(), encodeOpusRtp({ ...options, scheduler: this.settings.scheduler })) : (pcm$ as never);
    return this.localTracks.publish('audio', TrackType.TRACK_TYPE_AUDIO, rtp$);
  }

  /**
   * Publishes an audio track fed by ready-made Opus RTP packets (e.g. `opusRtpPackets$`), sent as
   * they come: no framing, encoding or pacing. Resolves once the SFU accepted the offer.
   */
  async publishAudioRtp(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.localTracks.publish('audio', TrackType.TRACK_TYPE_AUDIO, source$);
  }

  /**
   * Publishes encoded VP8 frames (Uint8Array, or `{ data }`), packetized (RFC 7741 descriptor,
   * PictureID, marker) with 90 kHz timestamps from the scheduler's clock. Pass a function to get the
   * SFU's keyframe requests (PLI) as an Observable: `publishVideo((keyframes$) => camera(keyframes$))`
   * (also on the returned track's `keyframeRequests$`). Resolves once the SFU accepted the offer.
   */
  async publishVideo(source: Observable<Vp8SourceFrame> | ((keyframeRequests$: Observable<void>) => Observable<Vp8SourceFrame>)): Promise<LocalTrack> {
    const requests = new Subject<void>();
    const frames$ = typeof source === 'function' ? defer(() => source(requests.asObservable())) : source;
    const rtp$ = isObservable(frames$) ? frames$.pipe(packetizeVp8({ scheduler: this.settings.scheduler })) : (frames$ as never);
    const track = await this.localTracks.publish('video', TrackType.TRACK_TYPE_VIDEO, rtp$);
    track.keyframeRequests$.pipe(takeUntil(this.left)).subscribe(requests);
    return track;
  }

  /** Publishes a video track fed by ready-made VP8 RTP packets (e.g. `vp8RtpPackets$`), sent as they come. */
  async publishVideoRtp(source$: Observable<RtpPacket>): Promise<LocalTrack> {
    return this.localTracks.publish('video', TrackType.TRACK_TYPE_VIDEO, source$);
  }

  /** Resolves once no reconnect runs: the call is joined again, or it ended. */
  private settled(): Promise<CallState> {
    return firstValueFrom(this.state$.pipe(filter((s) => s !== 'reconnecting' && s !== 'migrating' && s !== 'offline' && s !== 'restarting' && s !== 'joining')), { defaultValue: 'left' as const });
  }

  /** Leaves the call: LeaveCallRequest, socket closed with `SignalCloseCode.LEAVE`, peer connections closed, every stream completed. */
  leave(reason = 'user is leaving the call'): Promise<void> {
    // Never rejects, whatever it is given: a non-string reason is not the caller's to break leave with.
    return this.shutdown(typeof reason === 'string' ? reason : 'user is leaving the call', 'left');
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
    this.capabilities.complete();
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
    }, this.options.mediaStallAfterMs, this.settings.scheduler, this.settings.peerConnectTimeoutMs);
    this.running.add(callReconnection$({
      triggers,
      host: this.reconnectHost(),
      options: this.options.reconnect,
      supervisor: this.options.supervisor,
      initial: { sfuId: first.sfuId, fastReconnectDeadlineSeconds: first.joinResponse.fastReconnectDeadlineSeconds ?? 0 },
      leave$: this.left,
      ...(this.recorder ? { recorder: this.recorder } : {}),
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
      case 'offline':
      case 'restarting':
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

