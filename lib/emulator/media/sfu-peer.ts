/**
 * The SFU side of one werift peer connection: ICE-lite on loopback, local candidates trickled out
 * as RTCIceCandidateInit JSON, remote candidates held until a remote description exists, and the
 * ICE-restart workaround (WERIFT.md pitfall 4).
 */
import { RTCPeerConnection, type PeerConfig, type RTCIceCandidateInit, type RTCSessionDescription } from 'werift';
import { errorMessage, rxsfuError } from '../../errors.js';
import { rtcConfiguration } from '../../rtc/config.js';
import { endDtlsRetransmits } from '../../rtc/dtls-retransmits.js';
import type { MediaLogger } from './media-logger.js';

/** Candidates kept for a description that has not arrived yet; older ones are dropped beyond this. */
const MAX_PENDING_CANDIDATES = 64;

/** A peer connection plus what the media plane does around it. */
export class SfuPeer {
  readonly pc: RTCPeerConnection;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  private readonly stopCandidates: () => void;
  /** Local candidates produced while our description is being made; sent once it was delivered. */
  private heldCandidates: string[] | undefined;
  private lastRemoteUfrag: string | undefined;

  constructor(
    private readonly label: string,
    rtc: Partial<PeerConfig> | undefined,
    onCandidate: (candidateJson: string) => void,
    private readonly logger: MediaLogger,
  ) {
    this.pc = new RTCPeerConnection({ ...rtcConfiguration({ iceLite: true, loopbackOnly: true }), ...rtc });
    this.stopCandidates = this.pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate?.candidate) return;
      const json = JSON.stringify(candidate.toJSON());
      if (this.heldCandidates) this.heldCandidates.push(json);
      else onCandidate(json);
    }).unSubscribe;
    this.emitCandidate = onCandidate;
  }

  private readonly emitCandidate: (candidateJson: string) => void;

  /**
   * Creates our description with `make` (an offer or an answer) and applies it, holding the local
   * candidates werift fires meanwhile (WERIFT.md pitfall 3: they come before setLocalDescription
   * resolves). They are released by {@link releaseCandidates} once the description reached the
   * client, so the client never sees a candidate of an ICE generation it does not know yet.
   */
  async describeLocal(make: () => Promise<RTCSessionDescription>): Promise<string> {
    this.heldCandidates ??= [];
    try {
      await this.pc.setLocalDescription(await make());
    } catch (cause) {
      this.releaseCandidates();
      throw rxsfuError('RXSFU_ERR_WEBRTC', `${this.label}: cannot create the local description`, { cause });
    }
    return this.pc.localDescription!.sdp;
  }

  /** Sends the candidates held since {@link describeLocal}. */
  releaseCandidates(): void {
    const held = this.heldCandidates ?? [];
    this.heldCandidates = undefined;
    held.forEach((json) => this.emitCandidate(json));
  }

  /** Applies a remote description, then the candidates that waited for it. Returns whether ICE credentials changed. */
  async applyRemote(type: 'offer' | 'answer', sdp: string): Promise<{ iceRestarted: boolean }> {
    try {
      await this.pc.setRemoteDescription({ type, sdp });
    } catch (cause) {
      throw rxsfuError('RXSFU_ERR_WEBRTC', `${this.label}: cannot apply remote ${type}`, { cause });
    }
    const ufrag = iceUfrag(sdp);
    const iceRestarted = this.lastRemoteUfrag !== undefined && ufrag !== this.lastRemoteUfrag;
    this.lastRemoteUfrag = ufrag;
    await this.flushCandidates();
    return { iceRestarted };
  }

  /**
   * A trickled candidate: applied now, or kept until the remote description it belongs to arrives:
   * none yet, or (during an ICE restart, when the client trickles before its new offer reached us)
   * a newer one than the current, recognised by its usernameFragment.
   */
  async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    const newerGeneration = !!candidate.usernameFragment && !!this.lastRemoteUfrag && candidate.usernameFragment !== this.lastRemoteUfrag;
    if (!this.pc.remoteDescription || newerGeneration) {
      if (this.pendingCandidates.length >= MAX_PENDING_CANDIDATES) this.pendingCandidates.shift();
      this.pendingCandidates.push(candidate);
      return;
    }
    await this.applyCandidate(candidate);
  }

  /**
   * WERIFT.md pitfall 4: after an ICE restart between werift peers, DTLS is already up, so the ICE
   * transport never runs its checks with the new credentials and media stops silently. Starting
   * each transport again brings it back.
   */
  restartIceTransports(): void {
    // Only a connection that was up needs it; on one still connecting werift's own connect()
    // runs, and a second start() breaks it.
    if (this.pc.connectionState !== 'connected') return;
    this.logger.debug('ice restart: starting ICE transports again', { peer: this.label });
    // Not awaited: on the ICE-lite side start() settles only once the client's checks arrive, and
    // the client starts checking only after it got our description (a wait here would deadlock).
    for (const transport of this.pc.iceTransports) {
      transport.start().catch((cause: unknown) =>
        this.logger.debug('ICE transport restart failed', { peer: this.label, reason: errorMessage(cause) }));
    }
  }

  async close(): Promise<void> {
    this.stopCandidates();
    this.pendingCandidates.length = 0;
    this.heldCandidates = undefined;
    endDtlsRetransmits(this.pc);
    await this.pc.close();
  }

  private async flushCandidates(): Promise<void> {
    const waiting = this.pendingCandidates.splice(0);
    for (const candidate of waiting) await this.applyCandidate(candidate);
  }

  private async applyCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (cause) {
      // A stale candidate (old ICE generation) is expected around restarts: drop it, keep going.
      this.logger.debug('candidate rejected', { peer: this.label, reason: errorMessage(cause) });
    }
  }
}

/** The first `a=ice-ufrag` of an SDP. */
export function iceUfrag(sdp: string): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
}

/** Parses RTCIceCandidateInit JSON from a client. Throws RXSFU_ERR_INVALID_ARGUMENT on anything else. */
export function parseCandidateJson(json: string): RTCIceCandidateInit {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `ICE candidate is not JSON (${json.length} chars)`, { cause });
  }
  const candidate = value as RTCIceCandidateInit | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.candidate !== 'string') {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'ICE candidate JSON has no "candidate" string');
  }
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid ?? undefined,
    sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
    usernameFragment: candidate.usernameFragment ?? undefined,
  };
}
