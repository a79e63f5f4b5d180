/**
 * Failures replay in virtual time (issue 9 item 4): a run recorded with FrameLogRecorder, replayed
 * by replayFrameLog, gives the same states and records at the same times, and again on every replay.
 */
import { expect } from 'chai';
import { asyncScheduler, type Observable } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import {
  FrameLogRecorder, loggedOutputs, recordedReconnectEpisodes, replayFrameLog, withSfuId, type FrameLog, type ReconnectRequest,
} from '../../lib/reconnect/index.js';
import { ADOPT, adopting, executors, J, OPTIONS, req, scripted, testScheduler } from './helpers.js';

/** Records one engine run in virtual time (TestScheduler.run makes asyncScheduler virtual). */
function recordRun(failure: Error): FrameLog {
  let log: FrameLog | undefined;
  testScheduler().run(({ hot, cold, flush }) => {
    const recorder = new FrameLogRecorder(() => asyncScheduler.now());
    // f at 0, adopted at 2, lost again at 4 (R16); a refused attempt; joined; a REJOIN request later.
    const requests = hot<ReconnectRequest>('f---f------------------r', { f: req.fast, r: req.rejoin });
    const ex = executors({
      fast: adopting(cold('--a----j|', { a: ADOPT, j: J }), cold('-#', undefined, failure), cold('--j|', { j: J })),
      rejoin: scripted(cold('---j|', { j: J })),
    });
    recordedReconnectEpisodes(requests as Observable<ReconnectRequest>, ex, OPTIONS, asyncScheduler, recorder).subscribe();
    flush();
    log = recorder.snapshot();
  });
  return log!;
}

describe('frame log and replay (issue 9 item 4)', () => {
  it('replays a double loss (R16), a blamed SFU (R5) and a backoff (R6) to the same states and records at the same times', () => {
    const refused = withSfuId(rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'SFU full', { sfuErrorCode: 700 }), 'sfu-b');
    const log = recordRun(refused);
    expect(log.entries.some((e) => e.kind === 'adopted')).to.equal(true);
    const outputs = loggedOutputs(log);
    const brief = outputs.map((e) => (e.kind === 'state' ? `${e.at}:${e.state.kind}${e.state.attempt ?? ''}` : `${e.at}:record ${e.record.strategiesTried.join('>')} ${e.record.outcome}`));
    expect(brief).to.deep.equal([
      '0:reconnecting1', '4:reconnecting2', '7:reconnecting3', '13:record fast>fast>fast joined', '13:joined',
      '23:reconnecting1', '26:record rejoin joined', '26:joined',
    ]);
    expect(replayFrameLog(log)).to.deep.equal(outputs);
    expect(replayFrameLog(JSON.parse(JSON.stringify(log)) as FrameLog), 'a log read back from JSON replays the same').to.deep.equal(outputs);
  });

  it('R17: an offline episode (silent probe, failed probe, answering probe) replays to the same states and records', () => {
    let log: FrameLog | undefined;
    testScheduler().run(({ hot, cold, flush }) => {
      const recorder = new FrameLogRecorder(() => asyncScheduler.now());
      const requests = hot<ReconnectRequest>('f', { f: req.fast });
      const ex = executors({ fast: scripted(cold('--#', undefined, rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no answer')), cold('--j|', { j: J })) });
      const probes = [cold('-'), cold('#'), cold('a')];
      let n = 0;
      const options = { ...OPTIONS, probeTimeoutMs: 3, probeBackoff: { baseMs: 4, maxDelayMs: 4 } };
      recordedReconnectEpisodes(requests as Observable<ReconnectRequest>, { ...ex, probe: () => probes[n++]! }, options, asyncScheduler, recorder).subscribe();
      flush();
      log = recorder.snapshot();
    });
    const outputs = loggedOutputs(log!);
    const brief = outputs.map((e) => (e.kind === 'state' ? `${e.at}:${e.state.kind}` : `${e.at}:record ${e.record.outcome}`));
    expect(brief).to.deep.equal(['0:reconnecting', '5:offline', '9:reconnecting', '11:record joined', '11:joined']);
    expect(replayFrameLog(log!)).to.deep.equal(outputs);
  });

  it('R17: an outage ended by a path heard again, then a failure that carried an HTTP answer (no probe), replays the same', () => {
    let log: FrameLog | undefined;
    testScheduler().run(({ hot, cold, flush }) => {
      const recorder = new FrameLogRecorder(() => asyncScheduler.now());
      const requests = hot<ReconnectRequest>('f', { f: req.fast });
      const heard = hot('--------h');
      const refused = rxsfuError('RXSFU_ERR_COORDINATOR', 'unavailable', { httpStatus: 503 });
      const ex = executors({
        fast: scripted(cold('--#', undefined, rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no answer')), cold('--#', undefined, refused), cold('--j|', { j: J })),
      });
      const options = { ...OPTIONS, probeTimeoutMs: 3, probeBackoff: { baseMs: 4, maxDelayMs: 4 } };
      const run = { ...ex, probe: () => cold('-'), networkHeard$: () => heard };
      recordedReconnectEpisodes(requests as Observable<ReconnectRequest>, run, options, asyncScheduler, recorder).subscribe();
      flush();
      log = recorder.snapshot();
    });
    expect(log!.entries.filter((e) => e.kind === 'heard' && e.heard)).to.have.length(1);
    expect(log!.entries.filter((e) => e.kind === 'probe' && e.started), 'the answered failure was not probed').to.have.length(2);
    const outputs = loggedOutputs(log!);
    const brief = outputs.map((e) => (e.kind === 'state' ? `${e.state.kind}` : `record ${e.record.outcome}`));
    expect(brief).to.deep.equal(['reconnecting', 'offline', 'reconnecting', 'reconnecting', 'record joined', 'joined']);
    expect(outputs[2]!.at, 'back at the sign heard at 8, not at a probe').to.equal(8);
    expect(replayFrameLog(log!)).to.deep.equal(outputs);
    expect(replayFrameLog(JSON.parse(JSON.stringify(log)) as FrameLog)).to.deep.equal(outputs);
  });

  it('keeps no secret: requests keep their detail and error codes, frames only their kind', () => {
    const log = recordRun(rxsfuError('RXSFU_ERR_RPC', 'SetPublisher: 503'));
    const text = JSON.stringify(log);
    expect(text).to.not.match(/token|sdp|v=0/i);
  });
});

