/**
 * Issue 10 item 4: a large call costs linear time. A burst of 4,000 `participant_joined` frames
 * from a real socket changes `participants$` once per burst that arrives together (not once per
 * event, each copying a growing map and recomputing the subscriptions three times), and the
 * subscription list goes to the SFU once per change of the wanted set, complete.
 * (The time it takes is measured in bench/participants.ts, against a floor.)
 */
import { expect } from 'chai';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { participantJoined, startScriptedSfu, type ScriptedSfu } from '../support/scripted-sfu.js';

describe('a large call (issue 10 item 4)', function () {
  this.timeout(60_000);
  let sfu: ScriptedSfu;
  let call: Call | undefined;
  let watching: Subscription | undefined;

  beforeEach(async () => { sfu = await startScriptedSfu(); });
  afterEach(async () => {
    watching?.unsubscribe();
    await call?.leave();
    await sfu.close();
  });

  it('4,000 participant_joined in one burst: every participant arrives, in a handful of participants$ changes, not 4,000', async () => {
    call = await joinCall({ credentials: sfu.credentials, allowInsecure: true, iceLoopbackOnly: true, mediaStallAfterMs: 0, statsIntervalMs: 0 });
    let changes = 0;
    watching = call.participants$.subscribe(() => { changes += 1; });
    const before = changes;
    const socket = sfu.sockets[0]!;
    for (let i = 0; i < 4000; i++) socket.send(participantJoined(i));
    const all = await firstValueFrom(call.participants$.pipe(filter((p) => p.size === 4001)));
    expect([...all.values()].filter((p) => !p.isLocal && p.publishedTracks.includes(1))).to.have.length(4000);
    // One change per batch of frames that arrived together; the burst is a few socket reads, not one per frame.
    expect(changes - before).to.be.within(1, 400);
  });
});
