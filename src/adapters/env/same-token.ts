import crypto from 'node:crypto';

/** Compares a secret a client sent with the expected one in constant time (hashes first, so lengths leak nothing). */
export function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
