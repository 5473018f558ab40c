/** HMAC-SHA256 signatures for cookies and tokens the server hands out. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmac(secret: string, purpose: string, value: string): string {
  // The purpose is mixed in so a signature minted for one use is useless for another.
  return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest('base64url');
}

export function sign(secret: string, purpose: string, value: string): string {
  return `${value}.${hmac(secret, purpose, value)}`;
}

/** The signed value, or null when the signature does not match. */
export function unsign(secret: string, purpose: string, signed: string): string | null {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  return safeEqual(signed.slice(dot + 1), hmac(secret, purpose, value)) ? value : null;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
