/**
 * One leak check for every spec: count what `process.getActiveResourcesInfo()` lists, per type,
 * before a test, and after it ask only "is anything ABOVE the baseline?".
 *
 * Why growth, not equality: resources opened by EARLIER tests (werift keeps DTLS retransmit timers
 * for ~30 s, sockets finish their FIN a few turns late) may expire while a test runs, so the count
 * can go DOWN. That is not a leak and must not fail the test; only a count left above its baseline
 * is something this test left behind.
 *
 * Usage:
 *   const before = await resourceBaseline();            // or resourceBaseline(['UDPWrap'])
 *   ... open and close things ...
 *   expect(await resourceGrowth(before)).to.deep.equal({}); // failure shows e.g. { Timeout: 1 }
 */

/** The resource types the specs watch, as `process.getActiveResourcesInfo()` names them. */
export type ResourceType = 'TCPServerWrap' | 'TCPSocketWrap' | 'UDPWrap' | 'Timeout' | 'Immediate';

/** Count per watched type; every watched type is present (0 when none is alive). */
export type ResourceCounts = Readonly<Partial<Record<ResourceType, number>>>;

/** What a leak check watches unless told otherwise: sockets, servers, UDP ports and timers. */
export const DEFAULT_RESOURCE_TYPES: readonly ResourceType[] = ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout'];

/**
 * How many resources of each of `types` are alive right now.
 * @param types the types to count (@default DEFAULT_RESOURCE_TYPES)
 */
export function resourceCounts(types: readonly ResourceType[] = DEFAULT_RESOURCE_TYPES): ResourceCounts {
  const counts: Partial<Record<ResourceType, number>> = Object.fromEntries(types.map((type) => [type, 0]));
  for (const type of process.getActiveResourcesInfo()) {
    if (Object.hasOwn(counts, type)) counts[type as ResourceType]! += 1;
  }
  return counts;
}

/**
 * The counts at the start of a test, taken one `setImmediate` turn in: mocha arms its own test
 * timer only after the test function has started, and that timer must be in the baseline.
 * @param types the types the later check watches (@default DEFAULT_RESOURCE_TYPES)
 */
export async function resourceBaseline(types: readonly ResourceType[] = DEFAULT_RESOURCE_TYPES): Promise<ResourceCounts> {
  await nextTurn();
  return resourceCounts(types);
}

/**
 * What is alive above `baseline`, per type (`{}` when nothing is), for the types in `baseline`.
 * Closing returns before every FIN, UDP close or timer clear has been processed, so this polls, up
 * to `limitMs`, until nothing is above the baseline. Not a timing assertion: a leak never goes away,
 * so it still fails after the limit. The poll waits with `setImmediate` and, between rounds, a short
 * timer that has fired (and left the list) before the next count.
 * @param limitMs how long to wait for late closes (@default 3000)
 */
export async function resourceGrowth(baseline: ResourceCounts, limitMs = 3000): Promise<ResourceCounts> {
  const types = Object.keys(baseline) as ResourceType[];
  const giveUpAt = performance.now() + limitMs;
  for (let round = 0; ; round++) {
    await nextTurn();
    const excess = growthOver(baseline, resourceCounts(types));
    if (Object.keys(excess).length === 0 || performance.now() >= giveUpAt) return excess;
    // spin on setImmediate first (most closes finish in a turn or two), then back off a little
    if (round >= 20) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The per-type counts in `now` above `baseline`, sorted by type so failure messages are stable. */
function growthOver(baseline: ResourceCounts, now: ResourceCounts): ResourceCounts {
  const excess: Partial<Record<ResourceType, number>> = {};
  for (const type of (Object.keys(baseline) as ResourceType[]).sort()) {
    const grown = (now[type] ?? 0) - (baseline[type] ?? 0);
    if (grown > 0) excess[type] = grown;
  }
  return excess;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
