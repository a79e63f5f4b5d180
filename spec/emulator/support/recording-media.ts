/**
 * Instrumentation for control-plane specs: the real media plane (createMediaPlane, werift), wrapped
 * so every call the control plane makes is recorded with its arguments. Nothing is faked: each call
 * goes through to the real plane and its result or failure comes back unchanged.
 */
import { createMediaPlane, type MediaCallbacks, type SfuMediaPlane } from '../../../lib/emulator/media/index.js';
import type { MediaPlaneFactory } from '../../../lib/emulator/index.js';

export interface MediaCall {
  method: string;
  sessionId?: string;
  args: unknown[];
}

export interface RecordedMedia {
  readonly plane: SfuMediaPlane;
  readonly calls: MediaCall[];
  /** The callbacks the control plane gave the plane (call them to act as the plane). */
  readonly callbacks: MediaCallbacks;
  /** Session ids added and not removed. */
  readonly sessions: Set<string>;
  closed: boolean;
}

export function recordingMediaFactory(recorded: RecordedMedia[]): MediaPlaneFactory {
  return (options) => {
    const plane = createMediaPlane(options);
    const entry: RecordedMedia = { plane, calls: [], callbacks: options.callbacks, sessions: new Set(), closed: false };
    recorded.push(entry);
    return new Proxy(plane, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          track(entry, String(key), args);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

function track(entry: RecordedMedia, method: string, args: unknown[]): void {
  const first = args[0];
  const sessionId = typeof first === 'string' ? first : (first as { sessionId?: string } | undefined)?.sessionId;
  entry.calls.push({ method, sessionId, args: args.slice(1) });
  if ((method === 'addSession' || method === 'addSimulatedParticipant') && sessionId) entry.sessions.add(sessionId);
  if (method === 'removeSession' && sessionId) entry.sessions.delete(sessionId);
  if (method === 'close') entry.closed = true;
}
