// One-time pairing codes and device tokens: a code pairs one device once; the device then holds a secret token (stored hashed).
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Characters of a pairing code: no 0/O, 1/I/L, so it can be read off a screen and typed. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Length of a pairing code (31^8 ≈ 8.5e11 codes). */
export const CODE_LENGTH = 8;
/** How long a code stays valid, ms. */
export const CODE_TTL_MS = 15 * 60_000;
/** Wrong codes tolerated per minute before pairing pauses (guessing). */
export const MAX_FAILED_PER_MINUTE = 20;

/** SHA-256 (hex) of a token: what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A fresh random secret (base64url, 256 bits). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether two strings are equal, in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A code as typed: upper case, spaces and dashes dropped. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** The live one-time codes of a hub (in memory: a restart invalidates unused codes, paired devices keep their tokens). */
export class PairingCodes {
  private readonly codes = new Map<string, number>();
  private failures: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** A new code, valid once for CODE_TTL_MS. */
  issue(): string {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    this.codes.set(code, this.now() + CODE_TTL_MS);
    return code;
  }

  /**
   * Uses up `code`: true once for a live code, false for an unknown, used or expired one. After
   * MAX_FAILED_PER_MINUTE wrong codes in a minute every attempt fails until the minute has passed.
   */
  redeem(code: string): boolean {
    const t = this.now();
    this.failures = this.failures.filter((f) => t - f < 60_000);
    if (this.failures.length >= MAX_FAILED_PER_MINUTE) return false;
    const key = normalizeCode(code);
    const expires = this.codes.get(key);
    for (const [k, e] of this.codes) if (e <= t) this.codes.delete(k);
    if (expires === undefined || expires <= t) {
      this.failures.push(t);
      return false;
    }
    this.codes.delete(key);
    return true;
  }

  /** Codes not yet used or expired. */
  get live(): number {
    const t = this.now();
    return [...this.codes.values()].filter((e) => e > t).length;
  }
}
