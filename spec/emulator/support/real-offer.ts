/** A real publisher offer from a werift peer connection (sendonly audio, optionally video), for Twirp specs. */
import { RTCPeerConnection } from 'werift';
import { rtcConfiguration } from '../../../lib/rtc/config.js';

export async function realPublisherOffer(options: { video?: boolean } = {}): Promise<string> {
  const pc = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  try {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    if (options.video) pc.addTransceiver('video', { direction: 'sendonly' });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    return pc.localDescription!.sdp;
  } finally {
    await pc.close();
  }
}
