/**
 * Builds the JoinRequest of every join and reconnect. Pure: everything it says comes in as data.
 */
import { ClientCapability, SdkType, type JoinRequest, type ReconnectDetails } from '../protocol/index.js';
import { VERSION } from '../version.js';

export interface JoinRequestParams {
  token: string;
  sessionId: string;
  /** Stays the same from the first join until leave, across every reconnect. */
  unifiedSessionId: string;
  reconnectDetails?: ReconnectDetails;
  /** Offers of throwaway connections telling the SFU our codecs (`genericSdps$` in lib/rtc). */
  publisherSdp: string;
  subscriberSdp: string;
}

export function buildJoinRequest(params: JoinRequestParams): JoinRequest {
  const [major, minor, patch] = VERSION.split('.');
  return {
    token: params.token,
    sessionId: params.sessionId,
    unifiedSessionId: params.unifiedSessionId,
    // Generic SDPs let the SFU pick codecs before any peer connection exists.
    subscriberSdp: params.subscriberSdp,
    publisherSdp: params.publisherSdp,
    clientDetails: {
      sdk: { type: SdkType.SDK_TYPE_PLAIN_JAVASCRIPT, major, minor, patch },
      os: { name: process.platform, version: process.version, architecture: process.arch },
      browser: { name: 'rxsfu', version: VERSION },
      device: { name: 'node', version: process.versions.node },
      webrtcVersion: 'werift',
    },
    capabilities: [ClientCapability.CLIENT_CAPABILITY_SUBSCRIBER_VIDEO_PAUSE],
    ...(params.reconnectDetails ? { reconnectDetails: params.reconnectDetails, fastReconnect: params.reconnectDetails.strategy === 2 } : {}),
  };
}

/** The SDK's version, e.g. `0.1.0` (`VERSION`, read once at load). */
export function sdkVersion(): string {
  return VERSION;
}
