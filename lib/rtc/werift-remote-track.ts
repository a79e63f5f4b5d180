/** The adapter from werift's `track` event to rxsfu's `RemoteTrack` (lib/rtc/remote-track.ts). */
import { fromEvent, map, merge, of, share, take, takeUntil, type ObservableInput } from 'rxjs';
import type { RTCTrackEvent } from 'werift';
import { parseStreamId, type RemoteTrack } from './remote-track.js';
import { fromWeriftEvent } from './werift-event.js';

/**
 * Wraps a werift remote track; `connectionClosing$` ends it with its connection. The stream id comes
 * from the `track` event (werift leaves `track.streamId` empty on received tracks).
 */
export function toRemoteTrack(event: RTCTrackEvent, connectionClosing$: ObservableInput<unknown>): RemoteTrack {
  const { track } = event;
  const streamId = event.streams[0]?.id ?? event.receiver.remoteStreamId ?? track.streamId ?? '';
  const ended$ = merge(
    track.stopped ? of(undefined) : fromEvent(track, 'ended'),
    connectionClosing$,
  ).pipe(
    take(1),
    map(() => undefined),
    share({ resetOnComplete: false, resetOnRefCountZero: false }),
  );
  return {
    ...parseStreamId(streamId),
    kind: track.kind === 'video' ? 'video' : 'audio',
    streamId,
    rtp$: fromWeriftEvent(track.onReceiveRtp).pipe(
      map(([packet]) => packet),
      takeUntil(ended$),
    ),
    ended$,
    requestKeyframe: () => {
      const ssrc = track.ssrc;
      // werift's PLI is fire-and-forget; a closed transport only means nobody is listening any more.
      if (ssrc !== undefined && !track.stopped) event.receiver.sendRtcpPLI(ssrc).catch(() => undefined);
    },
  };
}
