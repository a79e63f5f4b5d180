/**
 * What the emulator's SFU tells a call about who speaks, from the loudness it measured in one
 * window: `audio_level_changed` (every audio publisher's level and whether it speaks), sent while
 * anyone speaks and once more when the last one stops; and `dominant_speaker_changed` when another
 * participant has been the loudest speaker for `holdWindows` windows in a row (so a cough does not
 * steal the floor). When nobody speaks the dominant speaker stays, as on Stream's SFU. Pure: the
 * meter (audio-level-meter.ts) measures and sends.
 */

/** One publisher's loudness in a window. */
export interface MeasuredLevel {
  sessionId: string;
  userId: string;
  /** 0..1: RMS of the loudest 20 ms frame in the window, full scale = 1. */
  level: number;
}

/** @see detectSpeakers */
export interface SpeakerDetectionOptions {
  /** A level at or above this is speech (≈ −40 dBFS). @default 0.01 */
  speakingLevel?: number;
  /** Windows a new loudest speaker must hold before it is dominant. @default 2 */
  holdWindows?: number;
}

/** Per call, between windows. */
export interface SpeakerState {
  dominant?: string;
  candidate?: string;
  candidateWindows: number;
  anyoneSpoke: boolean;
}

export interface SpeakerUpdate {
  state: SpeakerState;
  audioLevels?: { sessionId: string; userId: string; level: number; isSpeaking: boolean }[];
  dominant?: { sessionId: string; userId: string };
}

export const initialSpeakerState: SpeakerState = { candidateWindows: 0, anyoneSpoke: false };

/**
 * One window's levels → the events to send and the next state.
 *
 * ```
 * levels (a, b):   a.3 b0 | a.3 b0 | a0 b.4 | a0 b.4 | a0 b0 | a0 b0
 * audio_levels:    yes    | yes    | yes    | yes    | yes   | –
 * dominant:        –      | a      | –      | b     | –     | –      (holdWindows 2)
 * ```
 */
export function detectSpeakers(state: SpeakerState, levels: readonly MeasuredLevel[], options: SpeakerDetectionOptions = {}): SpeakerUpdate {
  const threshold = options.speakingLevel ?? 0.01;
  const hold = options.holdWindows ?? 2;
  const audioLevels = levels.map(({ sessionId, userId, level }) => ({ sessionId, userId, level: Math.round(level * 1000) / 1000, isSpeaking: level >= threshold }));
  const speaking = audioLevels.filter((l) => l.isSpeaking);
  const loudest = speaking.reduce<(typeof speaking)[number] | undefined>((best, l) => (!best || l.level > best.level ? l : best), undefined);
  const candidate = loudest?.sessionId;
  const candidateWindows = candidate !== undefined && candidate === state.candidate ? state.candidateWindows + 1 : candidate !== undefined ? 1 : 0;
  const next: SpeakerState = { dominant: state.dominant, candidate, candidateWindows, anyoneSpoke: speaking.length > 0 };
  const update: SpeakerUpdate = { state: next };
  if (speaking.length > 0 || state.anyoneSpoke) update.audioLevels = audioLevels;
  if (loudest && loudest.sessionId !== state.dominant && candidateWindows >= hold) {
    next.dominant = loudest.sessionId;
    update.dominant = { sessionId: loudest.sessionId, userId: loudest.userId };
  }
  return update;
}
