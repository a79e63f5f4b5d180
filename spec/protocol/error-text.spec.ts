/**
 * Issue 10 item 5: nothing secret or unbounded in errors. Decoders name fields and kinds, never
 * values (a token in a malformed frame must not reach a message or a log); text an SFU or the
 * coordinator wrote is cut to FOREIGN_TEXT_MAX_CHARS before it goes into a message.
 */
import { expect } from 'chai';
import { ProtocolError, isRxsfuError } from '../../lib/errors.js';
import { FOREIGN_TEXT_MAX_CHARS, foreignText } from '../../lib/foreign-text.js';
import { fromProto3Json, models, parseProto3Json, signal } from '../../lib/protocol/index.js';
import { fromSfuError } from '../../lib/reconnect/index.js';
import { sfuResponseError, twirpStatusError } from '../../lib/rpc/twirp-codec.js';
import { coordinatorStatusError } from '../../lib/coordinator/join.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-payload.signature';
const LONG = 'x'.repeat(5000);
/** The longest message a foreign text may give: our words around one cut text. */
const BOUND = FOREIGN_TEXT_MAX_CHARS + 200;

function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

/** Everything an error would show: its message, and its cause's message. */
function shown(err: Error): string {
  return `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`;
}

describe('errors carry no secrets and no unbounded foreign text (issue 10 item 5)', () => {
  it('a JSON frame with a token in a wrongly typed field names the field, never the value', () => {
    const err = protocolError(() => fromProto3Json(signal.SetPublisherResponse, 'SetPublisherResponse', { sdp: { token: TOKEN } }));
    expect(err.message).to.match(/sdp/);
    expect(shown(err)).not.to.contain('secret-payload');
    const unknown = protocolError(() => fromProto3Json(models.ICETrickle, 'ICETrickle', { sessionId: 's', nope: TOKEN }));
    expect(unknown.message).to.match(/nope: unknown field or value \(a string\)/);
    expect(shown(unknown)).not.to.contain('secret-payload');
  });

  it('JSON that does not parse says so without quoting the text (JSON.parse quotes it)', () => {
    const text = `{"token": "${TOKEN}" oops`;
    const err = protocolError(() => parseProto3Json(models.ICETrickle, 'ICETrickle', text));
    expect(err.message).to.equal(`malformed ICETrickle (${Buffer.byteLength(text)} bytes): not valid JSON`);
    expect(shown(err)).not.to.contain('secret-payload');
  });

  it('a Timestamp that is not one names the type, not the text', () => {
    const err = protocolError(() => fromProto3Json(models.Participant, 'Participant', { joinedAt: TOKEN }));
    expect(shown(err)).not.to.contain('secret-payload');
  });

  it(`an SFU error message of 5000 characters is cut to ${FOREIGN_TEXT_MAX_CHARS} in the request detail and the error`, () => {
    const request = fromSfuError({ error: { code: 700, message: LONG, shouldRetry: true }, reconnectStrategy: 3 } as never)!;
    expect(request.detail.length).to.be.below(BOUND);
    expect(request.detail).to.contain('…(4800 more)');
    expect((request.cause as Error).message.length).to.be.below(BOUND);
  });

  it('Twirp and coordinator error texts are cut too', () => {
    const rpc = sfuResponseError('SetPublisher', { code: 1, message: LONG, shouldRetry: false });
    expect(rpc.message.length).to.be.below(BOUND);
    const status = twirpStatusError('SetPublisher', { status: 500, headers: {}, body: Buffer.from(JSON.stringify({ code: 'internal', msg: LONG })) } as never);
    expect(status.message.length).to.be.below(BOUND);
    const coordinator = coordinatorStatusError({ status: 500, headers: {}, body: Buffer.from(JSON.stringify({ code: 4, message: LONG })) } as never);
    expect(isRxsfuError(coordinator, 'RXSFU_ERR_COORDINATOR')).to.equal(true);
    expect(coordinator.message.length).to.be.below(BOUND);
  });

  it('foreignText keeps short text, cuts long text saying how much went, and drops non-strings', () => {
    expect(foreignText('short')).to.equal('short');
    expect(foreignText('y'.repeat(FOREIGN_TEXT_MAX_CHARS))).to.have.length(FOREIGN_TEXT_MAX_CHARS);
    expect(foreignText('y'.repeat(FOREIGN_TEXT_MAX_CHARS + 5))).to.equal(`${'y'.repeat(FOREIGN_TEXT_MAX_CHARS)}…(5 more)`);
    expect(foreignText({ toString: () => TOKEN })).to.equal('');
  });
});
