import { expect } from 'chai';
import { parseIceServers } from 'werift';
import { rtcConfiguration } from '../../lib/rtc/config.js';
import { iceServersForWerift, weriftUse } from '../../lib/rtc/werift-ice-servers.js';

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

  it('keeps every URL werift can use, one per entry with its credentials: STUN first, then TURN over UDP, TCP, TLS', () => {
    const config = rtcConfiguration({ iceServers: [{ urls: ['turns:a:443', 'turn:a:3478?transport=tcp', 'turn:a:3478'], username: 'u', password: 'p' }, { urls: 'stun:b:3478' }] });
    expect(config.iceServers).to.deep.equal([
      { urls: 'stun:b:3478' },
      { urls: 'turn:a:3478', username: 'u', credential: 'p' },
      { urls: 'turn:a:3478?transport=tcp', username: 'u', credential: 'p' },
      { urls: 'turns:a:443', username: 'u', credential: 'p' },
    ]);
    expect(config).to.not.have.property('iceAdditionalHostAddresses');
  });
});

describe('TURN URLs for werift (it tries only the first TURN URL it parses)', () => {
  it('reads each URL as werift 0.25 does: transports UDP (default), TCP, TLS; no DTLS, no STUN over TLS', () => {
    const uses = ['turn:h', 'turn:h:3478?transport=udp', 'TURN:h:3478?transport=tcp', 'turns:h:443', 'turns:h:443?transport=tcp', 'stun:h', 'stuns:h',
      'turns:h:443?transport=udp', 'turn:h?transport=sctp', 'http://h', 'turn:'].map((url) => [url, weriftUse(url, true).kind === 'turn' ? (weriftUse(url, true) as { transport: string }).transport : weriftUse(url, true).kind]);
    expect(Object.fromEntries(uses)).to.deep.equal({
      'turn:h': 'udp', 'turn:h:3478?transport=udp': 'udp', 'TURN:h:3478?transport=tcp': 'tcp', 'turns:h:443': 'tls', 'turns:h:443?transport=tcp': 'tls',
      'stun:h': 'stun', 'stuns:h': 'unusable', 'turns:h:443?transport=udp': 'unusable', 'turn:h?transport=sctp': 'unusable', 'http://h': 'unusable', 'turn:': 'unusable',
    });
  });

  it('what werift cannot use never comes first: unusable transports and credential-less TURN left out, with why; the order within a transport kept', () => {
    const { servers, skipped } = iceServersForWerift([
      { urls: ['turns:dtls:443?transport=udp', 'turn:sctp:3478?transport=sctp'], username: 'u', credential: 'c' },
      { urls: 'turn:nocreds:3478' },
      { urls: ['turns:tls:443', 'turn:tcp:3478?transport=tcp', 'turn:udp1:3478', 'turn:udp2:3478?transport=udp'], username: 'u', credential: 'c' },
    ]);
    expect(servers.map((s) => s.urls)).to.deep.equal(['turn:udp1:3478', 'turn:udp2:3478?transport=udp', 'turn:tcp:3478?transport=tcp', 'turns:tls:443']);
    expect(skipped.map((s) => s.url)).to.deep.equal(['turns:dtls:443?transport=udp', 'turn:sctp:3478?transport=sctp', 'turn:nocreds:3478']);
    expect(skipped[2]!.why).to.match(/without username and credential/);
  });

  it("werift's own parser then picks the best one (its first TURN URL): UDP over the TLS and unusable ones listed before it", () => {
    const listed = [
      { urls: 'turn:nocreds:3478' },
      { urls: ['turns:dtls:443?transport=udp', 'turns:tls:5349', 'turn:tcp:3478?transport=tcp', 'turn:udp:3478'], username: 'u', credential: 'c' },
    ];
    const asGiven = parseIceServers(listed.flatMap((s) => [s.urls].flat().map((urls) => ({ ...s, urls }))));
    expect([asGiven.turnServer, asGiven.turnTransport], 'what werift alone would take').to.deep.equal([['nocreds', 3478], undefined]);
    const chosen = parseIceServers(iceServersForWerift(listed).servers);
    // No transport named: werift's default, UDP with its TCP fallback.
    expect([chosen.turnServer, chosen.turnTransport, chosen.turnUsername, chosen.turnPassword]).to.deep.equal([['udp', 3478], undefined, 'u', 'c']);
  });
});
