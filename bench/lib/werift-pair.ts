/**
 * The floor for a join: two werift peer connections in this process with `rtcConfiguration({ loopbackOnly: true })`,
 * offer/answer and candidates handed over in-process (no signaling server, no coordinator), one
 * sending an Opus tone every 20 ms from the start as a simulated participant does. What remains is
 * ICE + DTLS + SRTP on loopback: no SDK can join faster than this.
 */
import { performance } from 'node:perf_hooks';
import { firstValueFrom, Observable, take } from 'rxjs';
import { MediaStreamTrack, RTCPeerConnection, type RTCIceCandidate } from 'werift';
import { toWeriftRtp } from '../../lib/rtc/werift-rtp.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { rtcConfiguration } from '../../lib/rtc/config.js';

export interface RawPair {
  /** From the offer to both sides `connected`, ms. */
  connectedMs: number;
  /** From the offer to the first RTP packet on the receiving side, ms. */
  firstRtpMs: number;
  close(): Promise<void>;
}

/** Remote candidates wait until the remote description is set, then go in order. */
function candidateRelay(to: RTCPeerConnection): { add(c: RTCIceCandidate | undefined): void; open(): void } {
  let held: RTCIceCandidate[] | undefined = [];
  return {
    add: (c) => {
      if (!c) return;
      if (held) held.push(c);
      else void to.addIceCandidate(c);
    },
    open: () => {
      const queued = held ?? [];
      held = undefined;
      for (const c of queued) void to.addIceCandidate(c);
    },
  };
}

const connected$ = (pc: RTCPeerConnection): Observable<void> => new Observable<void>((subscriber) => {
  const sub = pc.connectionStateChange.subscribe((state) => {
    if (state === 'connected') subscriber.next();
    if (state === 'failed' || state === 'closed') subscriber.error(new Error(`raw pair ${state}`));
  });
  return () => sub.unSubscribe();
});

const firstRtp$ = (pc: RTCPeerConnection): Observable<void> => new Observable<void>((subscriber) => {
  const subs: { unSubscribe(): void }[] = [];
  subs.push(pc.onTrack.subscribe((track) => subs.push(track.onReceiveRtp.subscribe(() => subscriber.next()))));
  return () => subs.forEach((s) => s.unSubscribe());
});

/** Connects one pair and times it. The caller closes it (or keeps it, to measure memory). */
export async function connectRawPair(): Promise<RawPair> {
  const sender = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  const receiver = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  const track = new MediaStreamTrack({ kind: 'audio' });
  sender.addTransceiver(track, { direction: 'sendonly' });
  const toReceiver = candidateRelay(receiver);
  const toSender = candidateRelay(sender);
  sender.onIceCandidate.subscribe((c) => toReceiver.add(c));
  receiver.onIceCandidate.subscribe((c) => toSender.add(c));
  const source = opusRtpPackets$().subscribe((packet) => track.writeRtp(toWeriftRtp(packet)));

  const start = performance.now();
  const stamp = () => performance.now() - start;
  const connected = Promise.all([firstValueFrom(connected$(sender)), firstValueFrom(connected$(receiver))]).then(stamp);
  const firstRtp = firstValueFrom(firstRtp$(receiver).pipe(take(1))).then(stamp);
  await sender.setLocalDescription(await sender.createOffer());
  await receiver.setRemoteDescription(sender.localDescription!);
  toReceiver.open();
  await receiver.setLocalDescription(await receiver.createAnswer());
  await sender.setRemoteDescription(receiver.localDescription!);
  toSender.open();
  const [connectedMs, firstRtpMs] = await Promise.all([connected, firstRtp]);
  return {
    connectedMs,
    firstRtpMs,
    close: async () => {
      source.unsubscribe();
      await Promise.all([sender.close(), receiver.close()]);
    },
  };
}
