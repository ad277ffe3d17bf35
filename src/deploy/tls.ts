// A throwaway self-signed certificate for `serve --https`: phones grant camera access only to https pages (or localhost).
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** PEM key and certificate, plus the certificate's SHA-1 fingerprint (to compare with what the phone shows). */
export interface Certificate {
  key: string;
  cert: string;
  fingerprint: string;
}

/**
 * A self-signed EC P-256 / SHA-256 certificate valid for 30 days for `hosts` (IP addresses or DNS names) and
 * localhost. Browsers warn once about it; after accepting, the page is a secure context and can open the camera.
 */
export async function selfSignedCertificate(hosts: readonly string[]): Promise<Certificate> {
  const names = [...new Set(['localhost', '127.0.0.1', ...hosts])];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'ondevice serve' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: pems.fingerprint };
}
