import { expect } from 'chai';
import { rtcConfiguration } from '../../lib/rtc/config.js';

describe('rtcConfiguration', () => {
  it('without ICE servers: loopback host candidates only, max-bundle, a short STUN wait (WERIFT.md pitfall 1)', () => {
    expect(rtcConfiguration({ loopbackOnly: true })).to.deep.include({
      iceServers: [], bundlePolicy: 'max-bundle', iceUseIpv6: false, iceStunGatherTimeout: 0.1,
      iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' },
    });
  });

  it('empty iceServers do not mean loopback: real host addresses unless loopbackOnly is asked for; TURN allocation bounded', () => {
    const config = rtcConfiguration({ iceServers: [] });
    expect(config).to.not.have.property('iceAdditionalHostAddresses');
    expect(config).to.not.have.property('iceInterfaceAddresses');
    expect(config.iceTurnConnectTimeout).to.be.a('number').and.be.below(8);
  });

  it('keeps every URL of a coordinator ICE server (TURN over UDP, TCP and TLS), with its credentials', () => {
    const config = rtcConfiguration({ iceServers: [{ urls: ['turn:a:3478', 'turn:a:3478?transport=tcp', 'turns:a:443'], username: 'u', password: 'p' }, { urls: 'stun:b:3478' }] });
    expect(config.iceServers).to.deep.equal([
      { urls: 'turn:a:3478', username: 'u', credential: 'p' },
      { urls: 'turn:a:3478?transport=tcp', username: 'u', credential: 'p' },
      { urls: 'turns:a:443', username: 'u', credential: 'p' },
      { urls: 'stun:b:3478', username: undefined, credential: undefined },
    ]);
    expect(config).to.not.have.property('iceAdditionalHostAddresses');
  });
});
