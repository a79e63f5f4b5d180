/**
 * Power of `frequencyHz` in `pcm` (Goertzel), relative to the signal's total power: about 1 for a
 * pure tone at that frequency (over whole periods), about 0 for a tone elsewhere or silence.
 */
export function relativePower(pcm: Int16Array, sampleRate: number, frequencyHz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (const x of pcm) {
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return total === 0 ? 0 : power / (total * pcm.length / 2);
}
