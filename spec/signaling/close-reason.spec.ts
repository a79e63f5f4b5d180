import { expect } from 'chai';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { closeReason, MAX_CLOSE_REASON_BYTES, webSocket$ } from '../../lib/signaling/web-socket.js';
import { Subject } from 'rxjs';

describe('close reasons (RFC 6455: at most 123 bytes)', () => {
  it('closeReason keeps short reasons and cuts long ones on a character boundary, marked with …', () => {
    expect(closeReason('leave')).to.equal('leave');
    const long = 'é'.repeat(100) + 'x'.repeat(100);
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).to.be.at.most(MAX_CLOSE_REASON_BYTES);
    expect(cut.endsWith('…')).to.equal(true);
    expect(long.startsWith(cut.slice(0, -1))).to.equal(true);
    expect(closeReason('🎉'.repeat(40)).endsWith('🎉…')).to.equal(true);
  });

  it('a long reason (e.g. an SFU message passed on by leave) closes the socket instead of throwing', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const seen = new Promise<{ code: number; reason: string }>((resolve) => server.on('connection', (ws) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))));
    const close$ = new Subject<{ code: number; reason: string }>();
    const opened = new Promise<void>((resolve) => {
      webSocket$(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { close$ }).subscribe((s) => { if (s.kind === 'open') resolve(); });
    });
    await opened;
    close$.next({ code: 1000, reason: 'the SFU told us to disconnect: ' + 'a very long message '.repeat(20) });
    const { code, reason } = await seen;
    expect(code).to.equal(1000);
    expect(reason.startsWith('the SFU told us to disconnect')).to.equal(true);
    expect(Buffer.byteLength(reason)).to.be.at.most(MAX_CLOSE_REASON_BYTES);
    await new Promise((resolve) => server.close(resolve));
  });
});
