import { expect } from 'chai';
import { detectSpeakers, initialSpeakerState, type MeasuredLevel, type SpeakerState } from '../../lib/emulator/media/speaker-detection.js';

const lv = (a: number, b: number): MeasuredLevel[] => [{ sessionId: 'a', userId: 'alice', level: a }, { sessionId: 'b', userId: 'bob', level: b }];

/** Runs windows through the reducer; per window: [levels sent?, dominant sessionId sent]. */
function run(windows: MeasuredLevel[][], holdWindows = 2): [boolean, string | undefined][] {
  let state: SpeakerState = initialSpeakerState;
  return windows.map((levels) => {
    const update = detectSpeakers(state, levels, { holdWindows });
    state = update.state;
    return [update.audioLevels !== undefined, update.dominant?.sessionId];
  });
}

describe('emulator/speaker-detection: audio_level_changed and dominant_speaker_changed from measured levels', () => {
  it('a new loudest speaker becomes dominant after holdWindows windows; silence keeps the dominant and ends the level reports', () => {
    expect(run([lv(0.3, 0), lv(0.3, 0), lv(0, 0.4), lv(0, 0.4), lv(0, 0), lv(0, 0)])).to.deep.equal([
      [true, undefined], [true, 'a'], [true, undefined], [true, 'b'], [true, undefined], [false, undefined],
    ]);
  });

  it('a short burst (one window) does not take the floor; the louder of two speakers does', () => {
    expect(run([lv(0.3, 0), lv(0.3, 0), lv(0.3, 0.6), lv(0.3, 0), lv(0.2, 0.5), lv(0.2, 0.5)])).to.deep.equal([
      [true, undefined], [true, 'a'], [true, undefined], [true, undefined], [true, undefined], [true, 'b'],
    ]);
  });

  it('reports every publisher\'s level, rounded, with isSpeaking from the threshold; nothing while all stay silent', () => {
    const update = detectSpeakers(initialSpeakerState, lv(0.26789, 0.004));
    expect(update.audioLevels).to.deep.equal([
      { sessionId: 'a', userId: 'alice', level: 0.268, isSpeaking: true },
      { sessionId: 'b', userId: 'bob', level: 0.004, isSpeaking: false },
    ]);
    expect(detectSpeakers(initialSpeakerState, lv(0.004, 0)).audioLevels).to.equal(undefined);
    expect(detectSpeakers(initialSpeakerState, lv(0.5, 0), { holdWindows: 1 }).dominant).to.deep.equal({ sessionId: 'a', userId: 'alice' });
  });
});
