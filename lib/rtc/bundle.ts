/**
 * max-bundle (our rtcConfiguration) means one transport for every media section. An offer whose
 * `a=group:BUNDLE` does not name each of its live media sections makes werift open a transport (a
 * UDP socket) per stray section, which a later normal re-offer and even close() leave behind; such an
 * offer is refused (issue 9 item 6). A section with port 0 is rejected and needs no transport.
 */

/** Why `sdp` breaks max-bundle, or undefined when every live media section is in one BUNDLE group. */
export function bundleProblem(sdp: string): string | undefined {
  const sections = sdp.split(/\r?\nm=/).slice(1);
  const live = sections
    .filter((section) => !/^\S+ 0 /.test(section))
    .map((section) => /\r?\na=mid:(\S+)/.exec(section)?.[1] ?? '');
  if (live.length <= 1) return undefined;
  const group = /\r?\na=group:BUNDLE((?: \S+)*)/.exec(sdp);
  if (!group) return `no BUNDLE group for ${live.length} media sections`;
  const bundled = new Set(group[1]!.trim().split(' '));
  const stray = live.filter((mid) => !bundled.has(mid));
  return stray.length === 0 ? undefined : `BUNDLE group leaves out media section(s) ${stray.map((m) => m || '(no mid)').join(', ')}`;
}
