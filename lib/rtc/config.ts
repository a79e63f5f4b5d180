/**
 * werift peer-connection settings, shared by the SDK and the emulator.
 * Why each setting: see shared/reference/WERIFT.md (hidden STUN look-ups, loopback not gathered
 * by default, max-compat bundling by default).
 */
import type { IceServer } from './ice-server.js';
import { iceServersForWerift, type WeriftIceServer } from './werift-ice-servers.js';

export interface RtcConfigOptions {
  /** ICE servers from the coordinator. Default none: host candidates only. */
  iceServers?: IceServer[];
  /**
   * Only gather on loopback (tests, the emulator, benchmarks): an explicit choice, never implied
   * by an empty `iceServers` (a real SFU with no TURN still needs the host's real addresses).
   * @default false
   */
  loopbackOnly?: boolean;
  /** Advertise ICE-lite and take the controlled role (the SFU side). Default false. */
  iceLite?: boolean;
}

/**
 * The werift `PeerConfig` fields rxsfu sets, in its own type (a `Partial<PeerConfig>` structurally;
 * `new RTCPeerConnection(config)` checks that), so declarations naming it do not import werift's.
 */
export interface RtcConfig {
  iceServers: WeriftIceServer[];
  bundlePolicy: 'max-bundle';
  iceUseIpv6: boolean;
  iceUseTcp: boolean;
  iceTcpPassive: boolean;
  iceLite: boolean;
  iceStunGatherTimeout: number;
  iceTurnConnectTimeout: number;
  iceAdditionalHostAddresses?: string[];
  iceInterfaceAddresses?: { udp4?: string };
}

/** Seconds werift may spend on one TURN allocation (werift's default: 8). */
export const TURN_CONNECT_TIMEOUT_SECONDS = 2;

export function rtcConfiguration(options: RtcConfigOptions = {}): RtcConfig {
  // werift tries only the first TURN URL it can parse: hand over the best one first (ice-servers.ts).
  const { servers: iceServers } = iceServersForWerift(options.iceServers ?? []);
  const loopbackOnly = options.loopbackOnly ?? false;
  return {
    iceServers,
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceUseTcp: false,
    iceTcpPassive: false,
    iceLite: options.iceLite ?? false,
    // werift looks up a public STUN host even with no iceServers; keep that wait short (pitfall 1).
    iceStunGatherTimeout: 0.1,
    // setLocalDescription waits for every candidate; an unreachable TURN server held it 8 s per
    // transport (UDP, then the TCP fallback). A relay that takes longer is not worth the wait.
    iceTurnConnectTimeout: TURN_CONNECT_TIMEOUT_SECONDS,
    ...(loopbackOnly
      ? { iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' } }
      : {}),
  };
}
