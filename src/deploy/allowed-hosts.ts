// The Host names `ondevice serve` answers to (DNS-rebinding protection): localhost, plus this machine's addresses with --lan.
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** The names of the loopback interface a browser sends as Host. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether binding `address` serves this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return a === 'localhost' || a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** Whether binding `address` serves every interface (0.0.0.0, ::). */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '[::]';
}

/** A host name as it appears in a Host header: lower case, IPv6 in brackets. */
function asHostName(address: string): string {
  const a = address.toLowerCase();
  return isIP(a) === 6 ? `[${a}]` : a;
}

/** Every address of this machine's interfaces, and its host name (bare and `.local`), as Host names. */
function ownNames(): string[] {
  const addresses = Object.values(networkInterfaces()).flat().map((a) => a!.address);
  const name = hostname().toLowerCase();
  return [...addresses.map(asHostName), ...(name ? [name, `${name}.local`] : [])];
}

/**
 * Whether a request's Host (`name` or `name:port`, or the authority of an absolute-form target) names this server:
 * one of localhost, 127.0.0.1 and [::1] at `port` (no port only when `port` is the scheme's default); for a server
 * bound to anything but loopback also the bound address and this machine's own addresses and host name. Anything
 * else — a missing Host, another name (a DNS-rebinding page), another port — is refused.
 */
export function hostAllowed(host: string | undefined, server: { bound: string; port: number; https?: boolean }): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@?#]+)(?::(\d{1,5}))?$/i.exec(host ?? '');
  if (!m) return false;
  const port = m[2] === undefined ? (server.https ? 443 : 80) : Number(m[2]);
  if (port !== server.port) return false;
  const name = m[1].toLowerCase();
  if (LOOPBACK_NAMES.includes(name)) return true;
  if (isLoopback(server.bound)) return false;
  return (!isWildcard(server.bound) && name === asHostName(server.bound)) || ownNames().includes(name);
}
