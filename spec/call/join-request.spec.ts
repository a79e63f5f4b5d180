import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { buildJoinRequest, sdkVersion } from '../../lib/call/join-request.js';
import { genericSdps$ } from '../../lib/rtc/index.js';
import { decodeSfuRequest, encodeSfuRequest, SdkType, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';

describe('JoinRequest', () => {
  it('generic SDPs are real werift offers (Opus and VP8, send vs receive), made once, opening nothing', async () => {
    const before = await resourceBaseline();
    const sdps = await firstValueFrom(genericSdps$());
    expect(sdps.publisherSdp).to.match(/m=audio [\s\S]*a=sendonly[\s\S]*m=video [\s\S]*a=sendonly/);
    expect(sdps.subscriberSdp).to.match(/m=audio [\s\S]*a=recvonly[\s\S]*m=video [\s\S]*a=recvonly/);
    expect(sdps.publisherSdp).to.match(/a=rtpmap:\d+ OPUS\/48000\/2/i).and.to.match(/a=rtpmap:\d+ VP8\/90000/);
    expect(await firstValueFrom(genericSdps$()), 'the same object: computed once').to.equal(sdps);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('carries token, session ids, SDPs, client details naming rxsfu, and FAST reconnect details on the wire', () => {
    const request = buildJoinRequest({
      token: 'sfu-token', sessionId: 's1', unifiedSessionId: 'u1', publisherSdp: 'P', subscriberSdp: 'S',
      reconnectDetails: { strategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST, reconnectAttempt: 2, fromSfuId: 'sfu-0' },
    });
    const decoded = decodeSfuRequest(encodeSfuRequest({ joinRequest: request })).joinRequest!;
    expect(decoded).to.include({ token: 'sfu-token', sessionId: 's1', unifiedSessionId: 'u1', publisherSdp: 'P', subscriberSdp: 'S', fastReconnect: true });
    expect(decoded.clientDetails?.browser).to.include({ name: 'rxsfu', version: sdkVersion() });
    expect(decoded.clientDetails?.sdk?.type).to.equal(SdkType.SDK_TYPE_PLAIN_JAVASCRIPT);
    expect(decoded.reconnectDetails).to.include({ strategy: 2, reconnectAttempt: 2, fromSfuId: 'sfu-0' });
    const first = buildJoinRequest({ token: 't', sessionId: 's', unifiedSessionId: 'u', publisherSdp: '', subscriberSdp: '' });
    expect(first.reconnectDetails, 'a first join has no reconnect details').to.equal(undefined);
    expect(first.fastReconnect).to.equal(undefined);
  });
});
