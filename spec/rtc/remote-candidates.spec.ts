/**
 * Issue 10 item 4: remote ICE candidates held for a ufrag that never matches stay bounded (200,000
 * `ice_trickle` frames used to add 71 MiB), on a real werift peer connection.
 */
import { expect } from 'chai';
import { RTCPeerConnection } from 'werift';
import { createRemoteCandidates, MAX_HELD_REMOTE_CANDIDATES } from '../../lib/rtc/index.js';

describe('remote ICE candidates (issue 10 item 4)', () => {
  it('200,000 candidates of a ufrag that never matches: at most MAX_HELD_REMOTE_CANDIDATES held, one warning', async () => {
    const pc = new RTCPeerConnection();
    const warnings: string[] = [];
    const remote = createRemoteCandidates(pc, { warn: (message) => warnings.push(message) }, 'subscriber');
    for (let i = 0; i < 200_000; i++) {
      remote.accept({ candidate: `candidate:${i} 1 udp 2130706431 127.0.0.1 ${10_000 + (i % 50_000)} typ host`, sdpMid: '0', usernameFragment: 'never' });
    }
    expect(remote.heldCount).to.equal(MAX_HELD_REMOTE_CANDIDATES);
    expect(warnings).to.deep.equal(['subscriber: remote candidates for an unknown ufrag dropped']);
    remote.flush();
    expect(remote.heldCount, 'still no description: nothing applies').to.equal(MAX_HELD_REMOTE_CANDIDATES);
    await pc.close();
  });
});
