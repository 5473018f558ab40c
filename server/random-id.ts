/**
 * Random ids drawn from a pooled CSPRNG buffer. randomBytes() per id is one
 * synchronous call into OpenSSL each time; a join needs two ids (guest and
 * participant), and at 5,000 participants per process those calls were 1.7%
 * of the server's CPU. Node's own randomUUID() pools the same way. Every
 * byte is handed out once, so ids stay as unpredictable as randomBytes'.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` random bytes as base64url (16 bytes → 22 characters). */
export function randomId(bytes: number): string {
  if (bytes > pool.length) return randomBytes(bytes).toString('base64url');
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return id;
}
