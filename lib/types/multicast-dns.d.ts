/**
 * werift's own declarations import `multicast-dns`, which ships no types; without this a consumer
 * type-checking rxsfu under `strict` and without `skipLibCheck` fails inside werift (TS7016).
 * Only what werift's declarations name is declared (its instance type). Referenced from each entry
 * point's declarations, so no devDependency is needed.
 */
declare module 'multicast-dns' {
  namespace mdns {
    /** A multicast DNS instance (werift's mDNS lookup holds one). */
    interface MulticastDNS {
      query(query: unknown, callback?: (error: Error | null) => void): void;
      destroy(callback?: () => void): void;
      on(event: string, listener: (...args: unknown[]) => void): MulticastDNS;
    }
  }
  function mdns(options?: Record<string, unknown>): mdns.MulticastDNS;
  export default mdns;
}
