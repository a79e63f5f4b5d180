/**
 * werift's `RTCCertificate.getFingerprints()` parses the certificate's PEM and hashes it on every
 * call: every `getStats()` (twice per stats report: publisher and subscriber) and every offer or
 * answer. Measured in bench:media, one report's `getStats()` pair blocked the event loop for about
 * 20 ms, which the agent's media hears as late frames. A certificate's fingerprint never changes, so
 * each certificate's is computed once and kept (a WeakMap: the certificate's lifetime, not ours).
 */
import { RTCCertificate } from 'werift';

type Fingerprints = ReturnType<RTCCertificate['getFingerprints']>;

let installed = false;

/** Installs the memo on werift's certificates once per process; later calls do nothing. */
export function memoizeCertificateFingerprints(): void {
  if (installed) return;
  installed = true;
  const compute = RTCCertificate.prototype.getFingerprints;
  const known = new WeakMap<RTCCertificate, { certPem: string; fingerprints: Fingerprints }>();
  RTCCertificate.prototype.getFingerprints = function getFingerprints(this: RTCCertificate): Fingerprints {
    const hit = known.get(this);
    // certPem is checked too: a field reassigned by hand must not keep an old fingerprint.
    if (hit && hit.certPem === this.certPem) return hit.fingerprints;
    const fingerprints = compute.call(this);
    known.set(this, { certPem: this.certPem, fingerprints });
    return fingerprints;
  };
}
