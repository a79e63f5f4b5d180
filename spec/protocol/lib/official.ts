/**
 * The official JavaScript client's protobuf-ts codec (`@stream-io/video-client`), for wire checks.
 *
 * Under Node ESM the package's main entry imports fine: Node takes `main` (dist/index.cjs.js, CommonJS)
 * and exposes its named exports, among them the event and model MessageTypes as `SfuEvents` and
 * `SfuModels` (checked with plain `node --input-type=module` and under tsx). The Twirp request messages
 * (`stream.video.sfu.signal.*`) are bundled but not exported, so they are loaded from the
 * TypeScript sources the package ships (src/gen/video/sfu/signal_rpc/signal.ts; tsx compiles them).
 */
import { SfuEvents, SfuModels } from '@stream-io/video-client';

/** What the specs use of a protobuf-ts MessageType. */
export interface OfficialType {
  readonly typeName: string;
  create(value?: object): any;
  fromBinary(bytes: Uint8Array): any;
  toBinary(message: any): Uint8Array;
  toJson(message: any): unknown;
  fromJson(json: unknown): any;
}

// A variable specifier keeps tsc from type-checking the package's sources as part of this project.
const SIGNAL_SOURCE = '@stream-io/video-client/src/gen/video/sfu/signal_rpc/signal.ts';

export const officialEvents = SfuEvents as unknown as Record<string, OfficialType>;
export const officialModels = SfuModels as unknown as Record<string, OfficialType>;
export const officialSignal = (await import(SIGNAL_SOURCE)) as Record<string, OfficialType>;
