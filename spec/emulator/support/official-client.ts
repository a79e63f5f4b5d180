/**
 * The official JavaScript client's pieces the emulator specs drive directly (its `StreamSfuClient`
 * and `Dispatcher`), to pin the emulator against what that client expects.
 */
import type { StreamSfuClient, StreamVideoClient } from '@stream-io/video-client';

export type OfficialDispatcher = ConstructorParameters<typeof StreamSfuClient>[0]['dispatcher'];

/** The official client's Dispatcher class, taken from a Call it builds (not exported by name). */
export function officialDispatcher(video: StreamVideoClient): OfficialDispatcher {
  const call = video.call('default', 'demo') as unknown as { dispatcher: { constructor: new () => never } };
  return new call.dispatcher.constructor();
}
