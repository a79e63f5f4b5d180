/**
 * `joinCall` options for an agent of a local emulator: its coordinator, key and secret, plus what
 * only a local setup may use. Plain data (no import of the SDK), so a benchmark can build them
 * from an emulator running in another process.
 */

/** The location the emulator's agents send (the emulator has one place; any value is accepted). */
export const EMULATOR_LOCATION = 'EMU';

/** What {@link emulatorAgentOptions} returns; spread it into `joinCall` options. */
export interface EmulatorAgentOptions {
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  userId: string;
  callType: string;
  callId: string;
  /** Fixed: no look-up of Stream's location hint (no network needed). */
  location: string;
  /** The emulator speaks plain http:// and ws:// on loopback. */
  allowInsecure: true;
  /** Its SFUs listen on loopback: gather nothing else. */
  iceLoopbackOnly: true;
}

/** What an emulator (or a handle to one in another process) must expose. */
export interface EmulatorAddress {
  readonly coordinatorUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export function emulatorAgentOptions(emulator: EmulatorAddress, userId: string, callId: string, callType = 'default'): EmulatorAgentOptions {
  return {
    baseUrl: emulator.coordinatorUrl,
    apiKey: emulator.apiKey,
    apiSecret: emulator.apiSecret,
    userId,
    callType,
    callId,
    location: EMULATOR_LOCATION,
    allowInsecure: true,
    iceLoopbackOnly: true,
  };
}
