/**
 * werift peer-connection settings, shared by the SDK and the emulator.
 * Why each setting: see shared/reference/WERIFT.md (hidden STUN look-ups, loopback not gathered
 * by default, max-compat bundling by default).
 */
import type { PeerConfig } from 'werift';

/** An ICE server as the coordinator returns it (`credentials.ice_servers`). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  password?: string;
  credential?: string;
}

export interface RtcConfigOptions {
  /** ICE servers from the coordinator. Default none: host candidates only. */
  iceServers?: IceServer[];
  /**
   * Only gather on loopback (tests, the emulator, benchmarks). Default: true when every ICE
   * server is absent, because the emulator and local setups never need anything else.
   */
  loopbackOnly?: boolean;
  /** Advertise ICE-lite and take the controlled role (the SFU side). Default false. */
  iceLite?: boolean;
}

export function rtcConfiguration(options: RtcConfigOptions = {}): Partial<PeerConfig> {
  // werift takes one URL per server entry; Stream lists several per server (TURN over UDP, TCP,
  // TLS 443), and dropping all but the first would lose the fallbacks for UDP-blocked networks.
  const iceServers = (options.iceServers ?? []).flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).map((urls) => ({
      urls,
      username: server.username,
      credential: server.credential ?? server.password,
    })),
  );
  const loopbackOnly = options.loopbackOnly ?? iceServers.length === 0;
  return {
    iceServers,
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceUseTcp: false,
    iceTcpPassive: false,
    iceLite: options.iceLite ?? false,
    // werift looks up a public STUN host even with no iceServers; keep that wait short (pitfall 1).
    iceStunGatherTimeout: 0.1,
    ...(loopbackOnly
      ? { iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' } }
      : {}),
  };
}
