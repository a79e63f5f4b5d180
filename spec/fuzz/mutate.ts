/**
 * Mutations of valid inputs, the way fuzzers find decoder bugs: bit flips, random bytes, cut,
 * grown, spliced and repeated ranges, varints pushed out of range; and for text, the same on
 * characters and lines (SDP, JSON).
 */
import type { Rng } from './rng.js';

/** Random bytes, 0–`max` long. */
export function randomBytes(rng: Rng, max = 64): Uint8Array {
  const out = new Uint8Array(rng.int(max + 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
  return out;
}

/** One to four mutations of `input` (a copy; `input` is not changed). */
export function mutateBytes(rng: Rng, input: Uint8Array, other?: Uint8Array): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  for (let n = 1 + rng.int(4); n > 0; n--) bytes = mutateOnce(rng, bytes, other);
  return bytes;
}

function mutateOnce(rng: Rng, bytes: Uint8Array, other?: Uint8Array): Uint8Array {
  const at = bytes.length === 0 ? 0 : rng.int(bytes.length);
  switch (rng.int(8)) {
    case 0: // flip a bit
      if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << rng.int(8));
      return bytes;
    case 1: // random byte
      if (bytes.length > 0) bytes[at] = rng.int(256);
      return bytes;
    case 2: // cut the tail
      return bytes.slice(0, at);
    case 3: // drop a range
      return concat(bytes.slice(0, at), bytes.slice(at + 1 + rng.int(16)));
    case 4: // insert random bytes
      return concat(bytes.slice(0, at), randomBytes(rng, 8), bytes.slice(at));
    case 5: // repeat a range
      return concat(bytes.slice(0, at), bytes.slice(at, at + 1 + rng.int(32)), bytes.slice(at));
    case 6: // a varint or length pushed to its maximum
      return concat(bytes.slice(0, at), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), bytes.slice(at));
    default: // splice with another valid input
      return other ? concat(bytes.slice(0, at), other.slice(rng.int(other.length + 1))) : bytes;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const ODD_TEXT = ['', '\u0000', '\uffff', '"', '{', '}', '[', ']', ':', ',', 'null', '-1', '1e999', 'NaN', '\r\n', 'a=', 'm=audio 9', '18446744073709551616'];

/** One to three mutations of a text: characters flipped, cut, lines dropped or repeated, odd tokens inserted. */
export function mutateText(rng: Rng, text: string): string {
  let out = text;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = out.length === 0 ? 0 : rng.int(out.length);
    switch (rng.int(6)) {
      case 0: out = out.slice(0, at) + String.fromCharCode(rng.int(0x3000)) + out.slice(at + 1); break;
      case 1: out = out.slice(0, at); break;
      case 2: out = out.slice(0, at) + rng.pick(ODD_TEXT) + out.slice(at); break;
      case 3: {
        const lines = out.split('\n');
        lines.splice(rng.int(lines.length), 1);
        out = lines.join('\n');
        break;
      }
      case 4: {
        const lines = out.split('\n');
        const i = rng.int(lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        out = lines.join('\n');
        break;
      }
      default: out = out.slice(0, at) + out.slice(at + 1 + rng.int(8)); break;
    }
  }
  return out;
}
