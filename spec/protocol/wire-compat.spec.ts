/**
 * Wire compatibility with the official JavaScript client: its protobuf-ts codec decodes our bytes
 * and we decode its bytes, field by field, for the join exchange, every SfuEvent payload, every
 * SfuRequest kind and the Twirp request bodies; and both agree on proto3 JSON, which the official
 * client sends to Twirp.
 */
import { expect } from 'chai';
import { events, models, signal, parseProto3Json, toProto3Json, WebsocketReconnectStrategy, TrackType } from '../../lib/protocol/index.js';
import { normalise } from './lib/normalise.js';
import { officialEvents, officialModels, officialSignal, type OfficialType } from './lib/official.js';
import { sampleEvents, sampleIceTrickle, sampleJoinRequest, sampleJoinResponse, sampleTwirpRequests } from './lib/samples.js';

interface OurType {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: object): object;
  fromObject(object: object): object;
}

const plain = (type: OurType, message: object): unknown =>
  normalise(type.toObject(message, { longs: Number, enums: Number, defaults: false, oneofs: false }));

/** Both directions in binary, compared field by field with the sample. */
function checkBinary(ours: OurType, theirs: OfficialType, sample: object): void {
  const expected = normalise(sample);
  const ourBytes = ours.encode(sample).finish();
  expect(normalise(theirs.fromBinary(ourBytes)), `${theirs.typeName}: official decode of our bytes`).to.deep.equal(expected);
  const theirBytes = theirs.toBinary(theirs.fromBinary(ourBytes));
  expect(plain(ours, ours.decode(theirBytes)), `${theirs.typeName}: our decode of official bytes`).to.deep.equal(expected);
  expect(theirBytes.length, 'same encoded size').to.equal(ourBytes.length);
}

/** Both directions in proto3 JSON: the printed JSON is identical, and each side reads the other's. */
function checkJson(ours: OurType, theirs: OfficialType, sample: object): void {
  const expected = normalise(sample);
  const theirMessage = theirs.fromBinary(ours.encode(sample).finish());
  const ourJson = toProto3Json(ours as never, sample);
  const theirJson = theirs.toJson(theirMessage);
  expect(ourJson, `${theirs.typeName}: printed JSON`).to.deep.equal(theirJson);
  expect(normalise(theirs.fromJson(JSON.parse(JSON.stringify(ourJson)))), `${theirs.typeName}: official reads our JSON`).to.deep.equal(expected);
  const parsed = parseProto3Json(ours as never, theirs.typeName, JSON.stringify(theirJson)) as object;
  expect(plain(ours, parsed), `${theirs.typeName}: we read official JSON`).to.deep.equal(expected);
}

function checkBoth(ours: OurType, theirs: OfficialType, sample: object): void {
  checkBinary(ours, theirs, sample);
  checkJson(ours, theirs, sample);
}

describe('protocol: wire compatibility with @stream-io/video-client (protobuf-ts)', () => {
  it('the official codec names the same message types', () => {
    expect(officialEvents['SfuEvent']!.typeName).to.equal('stream.video.sfu.event.SfuEvent');
    expect(officialModels['Participant']!.typeName).to.equal('stream.video.sfu.models.Participant');
    expect(officialSignal['SendStatsRequest']!.typeName).to.equal('stream.video.sfu.signal.SendStatsRequest');
  });

  describe('join exchange', () => {
    it('JoinRequest with ReconnectDetails (announced tracks, subscriptions, strategy, previous session id)', () => {
      checkBoth(events.JoinRequest as never, officialEvents['JoinRequest']!, sampleJoinRequest(4096));
    });

    it('a JoinRequest built with the official API decodes to the same fields in ours', () => {
      const theirs = officialEvents['SfuRequest']!.create({
        requestPayload: { oneofKind: 'joinRequest', joinRequest: {
          token: 't', sessionId: 'new', reconnectDetails: {
            strategy: 3, reconnectAttempt: 1, previousSessionId: 'old', fromSfuId: 'sfu-a',
            announcedTracks: [{ trackId: 'tr', trackType: 1, mid: '0', layers: [], muted: true }],
            subscriptions: [{ userId: 'u', sessionId: 's', trackType: 2, dimension: { width: 640, height: 360 } }],
          },
        } },
      });
      const decoded = events.SfuRequest.decode(officialEvents['SfuRequest']!.toBinary(theirs));
      expect(decoded.requestPayload).to.equal('joinRequest');
      const details = decoded.joinRequest!.reconnectDetails!;
      expect(details.strategy).to.equal(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
      expect(details.previousSessionId).to.equal('old');
      expect(details.announcedTracks![0]!.trackType).to.equal(TrackType.TRACK_TYPE_AUDIO);
      expect(details.announcedTracks![0]!.muted).to.equal(true);
      expect(details.subscriptions![0]!.dimension!.height).to.equal(360);
    });

    it('JoinResponse with 50 participants (tracks, timestamps, custom Struct)', () => {
      checkBoth(events.JoinResponse as never, officialEvents['JoinResponse']!, sampleJoinResponse(50));
    });
  });

  describe('every SfuEvent payload, as a whole SfuEvent frame', () => {
    for (const [kind, event] of Object.entries(sampleEvents)) {
      it(kind, () => {
        checkBoth(events.SfuEvent as never, officialEvents['SfuEvent']!, event);
        const theirs = officialEvents['SfuEvent']!.fromBinary(events.SfuEvent.encode(event).finish());
        expect(theirs.eventPayload.oneofKind).to.equal(kind);
      });
    }
  });

  describe('every SfuRequest kind', () => {
    const requests = {
      joinRequest: { joinRequest: sampleJoinRequest(1024) },
      healthCheckRequest: { healthCheckRequest: {} },
      leaveCallRequest: { leaveCallRequest: { sessionId: 's', reason: 'done' } },
    };
    for (const [kind, request] of Object.entries(requests)) {
      it(kind, () => {
        checkBoth(events.SfuRequest as never, officialEvents['SfuRequest']!, request);
        expect(officialEvents['SfuRequest']!.fromBinary(events.SfuRequest.encode(request).finish()).requestPayload.oneofKind).to.equal(kind);
      });
    }
  });

  describe('Twirp request bodies (binary and JSON)', () => {
    for (const [name, sample] of Object.entries(sampleTwirpRequests)) {
      it(name, () => checkBoth((signal as never)[name], officialSignal[name]!, sample));
    }
    it('ICETrickle (models)', () => checkBoth(models.ICETrickle as never, officialModels['ICETrickle']!, sampleIceTrickle));
    it('SendStatsRequest with Telemetry connection_time_seconds (the other oneof member)', () => {
      checkBoth(signal.SendStatsRequest as never, officialSignal['SendStatsRequest']!, { sessionId: 's', telemetry: { connectionTimeSeconds: 0.75 } });
    });
  });

  describe('Twirp responses', () => {
    const error = { code: 700, message: 'full', shouldRetry: true };
    for (const name of ['SetPublisherResponse', 'SendAnswerResponse', 'ICETrickleResponse', 'UpdateSubscriptionsResponse',
      'UpdateMuteStatesResponse', 'ICERestartResponse', 'SendStatsResponse']) {
      it(name, () => {
        const sample = name === 'SetPublisherResponse' ? { sdp: 'v=0', sessionId: 's', iceRestart: true, error } : { error };
        checkBoth((signal as never)[name], officialSignal[name]!, sample);
      });
    }
  });
});
