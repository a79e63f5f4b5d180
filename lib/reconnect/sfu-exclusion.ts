/**
 * R5: which SFUs the next attempts ask the coordinator to avoid (`migrating_from_list`), per episode.
 */
import type { RxsfuError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';

/** Failures per SFU in this episode, and the SFUs to avoid, in the order they were added. */
export interface SfuExclusion {
  readonly failures: Readonly<Record<string, number>>;
  readonly migratingFromList: readonly string[];
}

export const NO_EXCLUSION: SfuExclusion = { failures: {}, migratingFromList: [] };

/** SFU answers that mean "do not come back here now". */
const REFUSING_CODES: ReadonlySet<number> = new Set([
  ErrorCode.ERROR_CODE_SFU_FULL,
  ErrorCode.ERROR_CODE_SFU_SHUTTING_DOWN,
  ErrorCode.ERROR_CODE_CALL_PARTICIPANT_LIMIT_REACHED,
]);

/**
 * Count a failed attempt against `sfuId`; list it on its second failure or on a refusing answer.
 *
 * ```
 * failures on:  A(500) ── B(700) ── A(500) ── A(500)
 * list:         []       [B]       [B, A]    [B, A]
 * ```
 */
export function blameSfu(state: SfuExclusion, sfuId: string | undefined, error: RxsfuError): SfuExclusion {
  if (sfuId === undefined) return state;
  const count = (state.failures[sfuId] ?? 0) + 1;
  const failures = { ...state.failures, [sfuId]: count };
  const refused = error.sfuErrorCode !== undefined && REFUSING_CODES.has(error.sfuErrorCode);
  return { failures, migratingFromList: count >= 2 || refused ? addSfu(state.migratingFromList, sfuId) : state.migratingFromList };
}

/** List `sfuId` at once (a `go_away` from it during an episode, R3). */
export function excludeSfu(state: SfuExclusion, sfuId: string | undefined): SfuExclusion {
  return sfuId === undefined ? state : { ...state, migratingFromList: addSfu(state.migratingFromList, sfuId) };
}

function addSfu(list: readonly string[], sfuId: string): readonly string[] {
  return list.includes(sfuId) ? list : [...list, sfuId];
}
