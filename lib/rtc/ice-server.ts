/** ICE servers as the coordinator hands them out; no WebRTC stack types, so the public API can name them. */

/** An ICE server as the coordinator returns it (`credentials.ice_servers`). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  password?: string;
  credential?: string;
}
