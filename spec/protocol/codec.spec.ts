/**
 * The signaling codec and the proto3 JSON helpers: round trips of every request and event kind,
 * and what happens to bad input (always a ProtocolError with RXSFU_ERR_MALFORMED_FRAME, never
 * another exception, never a silently emptied message).
 */
import { expect } from 'chai';
import {
  decodeSfuEvent, decodeSfuRequest, encodeSfuEvent, encodeSfuRequest, events, fromProto3Json, models, parseProto3Json,
  ProtocolError, signal, toProto3Json, TrackType,
} from '../../lib/protocol/index.js';
import { RxsfuError } from '../../lib/errors.js';
import { timestampFromJson, timestampToJson } from '../../lib/protocol/well-known-json.js';
import { loadFixture } from './lib/wire-facts.js';
import { normalise } from './lib/normalise.js';
import { sampleEvents, sampleJoinRequest, sampleTwirpRequests } from './lib/samples.js';

const plain = (type: { toObject(m: any, o: object): object }, message: unknown): unknown =>
  normalise(type.toObject(message, { longs: Number, enums: Number, defaults: false, oneofs: false }));

function expectMalformed(fn: () => unknown, messageType: string): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'must throw').to.be.instanceOf(ProtocolError);
  const err = thrown as ProtocolError;
  expect(err.code).to.equal('RXSFU_ERR_MALFORMED_FRAME');
  expect(err.messageType).to.equal(messageType);
  return err;
}

/** Deterministic bytes (xorshift32) so a failing random frame can be reproduced. */
function randomFrames(count: number, seed: number): Uint8Array[] {
  let s = seed;
  const next = (): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) % 256; };
  return Array.from({ length: count }, (_, i) => Uint8Array.from({ length: 1 + (i % 64) }, next));
}

describe('protocol: codec', () => {
  describe('SfuRequest round trips', () => {
    it('join_request with ReconnectDetails (announced tracks, subscriptions, strategy, previous session id)', () => {
      const request = { joinRequest: sampleJoinRequest(4096) };
      const decoded = decodeSfuRequest(encodeSfuRequest(request));
      expect(decoded.requestPayload).to.equal('joinRequest');
      expect(plain(events.SfuRequest, decoded)).to.deep.equal(normalise(request));
      expect(decoded.joinRequest!.reconnectDetails!.previousSessionId).to.equal('b7e1c2d4-0000-4000-8000-000000000000');
    });

    it('health_check_request is two bytes: field 2, empty message', () => {
      const bytes = encodeSfuRequest({ healthCheckRequest: {} });
      expect([...bytes]).to.deep.equal([0x12, 0x00]);
      expect(decodeSfuRequest(bytes).requestPayload).to.equal('healthCheckRequest');
    });

    it('leave_call_request', () => {
      const decoded = decodeSfuRequest(encodeSfuRequest({ leaveCallRequest: { sessionId: 's1', reason: 'bye' } }));
      expect(decoded.requestPayload).to.equal('leaveCallRequest');
      expect(plain(events.SfuRequest, decoded)).to.deep.equal({ leaveCallRequest: { sessionId: 's1', reason: 'bye' } });
    });
  });

  describe('SfuEvent round trips', () => {
    it('the samples cover every event_payload member WIRE.md lists', () => {
      const kinds = loadFixture().messages['stream.video.sfu.event.SfuEvent']!.map((f) => f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
      expect(Object.keys(sampleEvents).sort()).to.deep.equal(kinds.sort());
    });

    for (const [kind, event] of Object.entries(sampleEvents)) {
      it(kind, () => {
        const decoded = decodeSfuEvent(encodeSfuEvent(event));
        expect(decoded.eventPayload).to.equal(kind);
        expect(plain(events.SfuEvent, decoded)).to.deep.equal(normalise(event));
      });
    }
  });

  describe('malformed frames', () => {
    const joinFrame = encodeSfuEvent(sampleEvents.joinResponse);

    it('an empty frame is a valid empty SfuEvent (proto3: all fields absent), with no payload', () => {
      const decoded = decodeSfuEvent(new Uint8Array(0));
      expect(decoded.eventPayload).to.equal(undefined);
      expect(decodeSfuRequest(new Uint8Array(0)).requestPayload).to.equal(undefined);
    });

    it('every truncation of a join_response frame is a ProtocolError naming the type and length', () => {
      for (let cut = 1; cut < joinFrame.length; cut += 1) {
        const err = expectMalformed(() => decodeSfuEvent(joinFrame.subarray(0, cut)), 'SfuEvent');
        expect(err.byteLength).to.equal(cut);
      }
    });

    it('a known field with the wrong wire type is an error, not a silently dropped payload', () => {
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x68, 0x00)), 'SfuEvent'); // join_response (13) as varint
      expectMalformed(() => decodeSfuRequest(Uint8Array.of(0x08, 0x01)), 'SfuRequest'); // join_request (1) as varint
      // health_check_response.participant_count (1) as fixed32, one level down
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x72, 0x05, 0x0d, 1, 2, 3, 4)), 'SfuEvent');
      // subscriber_offer.negotiation_id (uint32, 3) as a length-delimited field
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x0a, 0x03, 0x1a, 0x01, 0x07)), 'SfuEvent');
    });

    it('the invalid wire types 6 and 7, a varint longer than 10 bytes and bad UTF-8 are errors', () => {
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x0e)), 'SfuEvent');
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x0f, 0x00)), 'SfuEvent');
      expectMalformed(() => decodeSfuEvent(Uint8Array.of(0x08, ...new Array(11).fill(0xff), 0x01)), 'SfuEvent');
      const answer = encodeSfuEvent({ publisherAnswer: { sdp: 'ok' } });
      answer[answer.length - 1] = 0xff;
      expectMalformed(() => decodeSfuEvent(answer), 'SfuEvent');
    });

    it('random bytes either decode or give a ProtocolError, nothing else (2000 seeded frames)', () => {
      let errors = 0;
      for (const frame of randomFrames(2000, 0x5eed)) {
        for (const decode of [decodeSfuEvent, decodeSfuRequest]) {
          try {
            decode(frame);
          } catch (err) {
            expect(err).to.be.instanceOf(ProtocolError);
            expect((err as ProtocolError).code).to.equal('RXSFU_ERR_MALFORMED_FRAME');
            errors += 1;
          }
        }
      }
      expect(errors, 'random frames must exercise the error path').to.be.greaterThan(1000);
    });

    it('the error message never carries frame content (the token in a JoinRequest)', () => {
      const frame = encodeSfuRequest({ joinRequest: { token: 'secret-sfu-token-xyz', sessionId: 's' } });
      const err = expectMalformed(() => decodeSfuRequest(frame.subarray(0, frame.length - 1)), 'SfuRequest');
      expect(err.message).not.to.include('secret-sfu-token');
      expect(JSON.stringify(err)).not.to.include('secret-sfu-token');
    });

    it('unknown fields (a newer SFU) are skipped without error; the known payload is intact', () => {
      const unknown = [0xf8, 0x07, 0x2a, 0x82, 0x08, 0x02, 0x41, 0x42]; // field 127 varint 42, field 128 bytes "AB"
      const frame = Uint8Array.from([...unknown, ...encodeSfuEvent(sampleEvents.goAway), ...unknown]);
      const decoded = decodeSfuEvent(frame);
      expect(decoded.eventPayload).to.equal('goAway');
      expect(plain(events.SfuEvent, decoded)).to.deep.equal(normalise(sampleEvents.goAway));
    });
  });

  describe('proto3 JSON', () => {
    it('prints lowerCamelCase names, enum names, 64-bit integers as strings, and omits defaults', () => {
      const json = toProto3Json(signal.SendMetricsRequest, sampleTwirpRequests.SendMetricsRequest);
      expect(json).to.deep.equal({
        sessionId: 's', unifiedSessionId: 'uni-1',
        inbounds: [{ base: { ssrc: 1234, kind: 'audio', timestampMs: 1_732_800_000_123 }, jitterSeconds: 0.5, packetsReceived: '1099511627783', packetsLost: '3' }],
        outbounds: [{ base: { ssrc: 99, kind: 'video' }, fps: 30, bitrateBps: 800_000, minDimensionPx: 360 }],
      });
      expect(toProto3Json(signal.TrackSubscriptionDetails, { trackType: TrackType.TRACK_TYPE_VIDEO, userId: '' }))
        .to.deep.equal({ trackType: 'TRACK_TYPE_VIDEO' });
    });

    it('prints Timestamp as RFC 3339 and Struct as a plain object, and reads them back', () => {
      const participant = { userId: 'u', joinedAt: { seconds: 1_700_000_000, nanos: 5_000_000 },
        custom: { fields: { snake_key: { stringValue: 'x' }, list: { listValue: { values: [{ numberValue: 1 }, { nullValue: 0 }] } } } } };
      const json = toProto3Json(models.Participant, participant);
      expect(json).to.deep.equal({ userId: 'u', joinedAt: '2023-11-14T22:13:20.005Z', custom: { snake_key: 'x', list: [1, null] } });
      const back = fromProto3Json(models.Participant, 'Participant', json);
      expect(plain(models.Participant, back)).to.deep.equal(normalise(participant));
      const offset = fromProto3Json(models.CallState, 'CallState', { started_at: '2024-01-01T01:00:00.123456+01:00' });
      expect(plain(models.CallState, offset)).to.deep.equal({ startedAt: { seconds: 1_704_067_200, nanos: 123_456_000 } });
    });

    it('reads snake_case and lowerCamelCase names, enum names and numbers, 64-bit integers as strings', () => {
      const text = JSON.stringify({ session_id: 's', mute_states: [{ track_type: 'TRACK_TYPE_AUDIO', muted: true }, { trackType: 2 }] });
      const message = parseProto3Json(signal.UpdateMuteStatesRequest, 'UpdateMuteStatesRequest', text);
      expect(plain(signal.UpdateMuteStatesRequest, message)).to.deep.equal({ sessionId: 's', muteStates: [{ trackType: 1, muted: true }, { trackType: 2 }] });
      const metrics = parseProto3Json(signal.SendMetricsRequest, 'SendMetricsRequest', '{"inbounds":[{"packets_received":"1099511627783"}]}');
      expect(metrics.inbounds[0]!.packetsReceived).to.equal(1_099_511_627_783);
    });

    it('round-trips every Twirp request sample through JSON text', () => {
      for (const [name, sample] of Object.entries(sampleTwirpRequests)) {
        const type = (signal as any)[name];
        const text = JSON.stringify(toProto3Json(type, sample));
        expect(plain(type, parseProto3Json(type, name, text)), name).to.deep.equal(normalise(sample));
      }
    });

    const bad: [string, string][] = [
      ['not JSON', '{"session_id": '],
      ['a JSON array', '[]'],
      ['a JSON string', '"s"'],
      ['null', 'null'],
      ['an unknown field', '{"sesion_id":"s"}'],
      ['an unknown enum name', '{"mute_states":[{"track_type":"TRACK_TYPE_HOLOGRAM"}]}'],
      ['a bool as a string', '{"mute_states":[{"muted":"yes"}]}'],
      ['a number where a string belongs', '{"session_id":5}'],
      ['a scalar where a message belongs', '{"mute_states":[7]}'],
      ['a non-numeric string in a number field', '{"mute_states":[{"track_type":"2x"}]}'],
    ];
    for (const [what, text] of bad) {
      it(`rejects ${what} with a ProtocolError`, () => {
        expectMalformed(() => parseProto3Json(signal.UpdateMuteStatesRequest, 'UpdateMuteStatesRequest', text), 'UpdateMuteStatesRequest');
      });
    }

    it('Timestamp JSON uses 0, 3, 6 or 9 fractional digits and reads any of 1–9 digits and offsets', () => {
      expect([0, 5_000_000, 5_000, 5].map((nanos) => timestampToJson(-1, nanos))).to.deep.equal([
        '1969-12-31T23:59:59Z', '1969-12-31T23:59:59.005Z', '1969-12-31T23:59:59.000005Z', '1969-12-31T23:59:59.000000005Z']);
      expect(timestampFromJson('1970-01-01T00:00:01.5Z')).to.deep.equal({ seconds: 1, nanos: 500_000_000 });
      expect(timestampFromJson('1970-01-01T00:00:00-00:30')).to.deep.equal({ seconds: 1800, nanos: 0 });
      expect(() => timestampFromJson('1970-01-01 00:00:00Z')).to.throw(TypeError);
    });

    it('printing a message that has no JSON form is RXSFU_ERR_INVALID_ARGUMENT (a caller bug, not a frame error)', () => {
      for (const bad of [{ joinedAt: { seconds: 300_000_000_000 } }, { joinedAt: 5 }]) {
        let thrown: unknown;
        try {
          toProto3Json(models.Participant, bad);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).to.be.instanceOf(RxsfuError);
        expect((thrown as RxsfuError).code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
      }
    });

    it('rejects a bad Timestamp string', () => {
      expectMalformed(() => fromProto3Json(models.Participant, 'Participant', { joined_at: 'yesterday' }), 'Participant');
      expectMalformed(() => fromProto3Json(models.Participant, 'Participant', { joined_at: 12 }), 'Participant');
    });
  });
});

describe('proto3 JSON: zero-valued enum names', () => {
  it('accepts an enum field spelled with its zero value name (the official client sends them), and still rejects unknown names', async () => {
    const { parseProto3Json, models } = await import('../../lib/protocol/index.js');
    const trickle = parseProto3Json(models.ICETrickle, 'ICETrickle', '{"peerType":"PEER_TYPE_PUBLISHER_UNSPECIFIED","iceCandidate":"c"}');
    expect(trickle.peerType).to.equal(0);
    expect(trickle.iceCandidate).to.equal('c');
    expect(() => parseProto3Json(models.ICETrickle, 'ICETrickle', '{"peerType":"PEER_TYPE_NOPE"}')).to.throw(/unknown field or value/);
  });
});
