/**
 * Opus decoding for tests and agents that want to check or process what they hear: an Opus RTP
 * payload back to 16-bit PCM.
 */
import { Decoder } from '@evan/opus';
import { rxsfuError } from '../errors.js';

/** A stateful decoder (Opus frames depend on the previous ones: decode a stream with one decoder). */
export interface OpusDecoder {
  /** One Opus packet → 16-bit PCM samples (interleaved when stereo). */
  decode(payload: Uint8Array): Int16Array;
}

/** Creates an Opus decoder at 48 kHz. */
export function createOpusDecoder(options: { channels?: 1 | 2 } = {}): OpusDecoder {
  const decoder = new Decoder({ channels: options.channels ?? 1, sample_rate: 48000 });
  return {
    decode(payload) {
      let bytes: Uint8Array;
      try {
        bytes = decoder.decode(payload);
      } catch (cause) {
        throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `not a decodable Opus packet (${payload.length} bytes)`, { cause });
      }
      // libopus writes native-endian int16; copy into an aligned buffer.
      const pcm = new Int16Array(bytes.byteLength / 2);
      new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.byteLength));
      return pcm;
    },
  };
}

/**
 * Decodes a single Opus packet with a fresh mono decoder. Handy for one-off checks; for a stream
 * use {@link createOpusDecoder} so the decoder state carries over.
 */
export function decodeOpus(payload: Uint8Array): Int16Array {
  return createOpusDecoder().decode(payload);
}
