/**
 * Issue 10 item 4: a signaling frame over MAX_SIGNAL_FRAME_BYTES (8 MiB, not ws's 100 MiB) is a
 * typed socket error, RXSFU_ERR_FRAME_TOO_LARGE, and a loss the call recovers from (FAST).
 */
import { expect } from 'chai';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { MAX_SIGNAL_FRAME_BYTES, webSocket$ } from '../../lib/signaling/index.js';
import { startScriptedSfu, type ScriptedSfu } from '../support/scripted-sfu.js';

describe('signaling frame size limit (issue 10 item 4)', function () {
  this.timeout(30_000);
  let sfu: ScriptedSfu | undefined;
  let call: Call | undefined;
  afterEach(async () => {
    await call?.leave();
    await sfu?.close();
    call = undefined;
    sfu = undefined;
  });

  it('a frame one byte over the limit: RXSFU_ERR_FRAME_TOO_LARGE, then the socket closes; a frame at the limit is delivered', async () => {
    sfu = await startScriptedSfu((socket) => {
      socket.sendRaw(Buffer.alloc(MAX_SIGNAL_FRAME_BYTES));
      socket.sendRaw(Buffer.alloc(MAX_SIGNAL_FRAME_BYTES + 1));
    });
    const signals = await lastValueFrom(webSocket$(sfu.credentials.server.wsEndpoint, {
      outgoing$: new (await import('rxjs')).BehaviorSubject(new Uint8Array([0x0a, 0x00])),
    }).pipe(toArray()));
    const kinds = signals.map((s) => (s.kind === 'message' ? `message ${s.data.byteLength}` : s.kind === 'error' ? `error ${s.error.code}` : s.kind));
    expect(kinds).to.deep.equal(['open', `message ${MAX_SIGNAL_FRAME_BYTES}`, 'error RXSFU_ERR_FRAME_TOO_LARGE', 'close']);
  });

  it('a joined call given an oversize frame sees a typed loss on connectionLost$ and comes back by FAST', async () => {
    sfu = await startScriptedSfu();
    call = await joinCall({ credentials: sfu.credentials, allowInsecure: true, iceLoopbackOnly: true, mediaStallAfterMs: 0, statsIntervalMs: 0 });
    const lost = firstValueFrom(call.connectionLost$);
    const record = firstValueFrom(call.reconnections$);
    sfu.sockets[0]!.sendRaw(Buffer.alloc(MAX_SIGNAL_FRAME_BYTES + 1));
    const loss = await lost;
    expect(loss.kind).to.equal('error');
    expect(loss.error?.code).to.equal('RXSFU_ERR_FRAME_TOO_LARGE');
    expect(await record).to.include({ outcome: 'joined' });
    expect((await record).strategiesTried).to.deep.equal(['fast']);
    await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined')));
  });
});
