import { createHash, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, RTCCertificate, RTCDtlsTransport, SignatureAlgorithm } from 'werift';
import { memoizeCertificateFingerprints } from '../../lib/rtc/certificate-fingerprints.js';

/** The fingerprint as RFC 8122 writes it, computed here from the certificate's DER, not by werift. */
function expectedFingerprint(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

describe('memoizeCertificateFingerprints (werift re-parsed the PEM on every getStats)', () => {
  let certificate: RTCCertificate;

  before(async () => {
    memoizeCertificateFingerprints();
    certificate = await RTCDtlsTransport.SetupCertificate();
  });

  it('returns the certificate\'s sha-256 fingerprint', () => {
    const [fingerprint] = certificate.getFingerprints();
    expect(fingerprint!.algorithm).to.equal('sha-256');
    expect(fingerprint!.value.toUpperCase()).to.equal(expectedFingerprint(certificate.certPem));
  });

  it('computes it once per certificate: later calls return the same value without parsing again', () => {
    const first = certificate.getFingerprints();
    expect(certificate.getFingerprints()).to.equal(first);
  });

  it('is installed once: a second call does not wrap the memo again', () => {
    const installed = RTCCertificate.prototype.getFingerprints;
    memoizeCertificateFingerprints();
    expect(RTCCertificate.prototype.getFingerprints).to.equal(installed);
  });

  it('a certificate whose PEM is replaced gets the new PEM\'s fingerprint, not the remembered one', async () => {
    const { certPem } = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23);
    const remembered = certificate.getFingerprints()[0]!.value;
    const replaced = Object.assign(Object.create(RTCCertificate.prototype) as RTCCertificate, { certPem: certificate.certPem });
    expect(replaced.getFingerprints()[0]!.value).to.equal(remembered);
    replaced.certPem = certPem;
    expect(replaced.getFingerprints()[0]!.value.toUpperCase()).to.equal(expectedFingerprint(certPem)).and.not.equal(remembered.toUpperCase());
  });
});
