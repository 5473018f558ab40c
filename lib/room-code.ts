/**
 * Room codes look like `abc-defg-hij`: 10 lowercase letters, 26^10 ≈ 1.4e14
 * codes. Generation needs a CSPRNG (`crypto.getRandomValues` exists in Node 20
 * and browsers), so the module stays isomorphic.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const ROOM_CODE_PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

export function generateRoomCode(): string {
  const out: string[] = [];
  // Rejection sampling keeps every letter exactly uniform (256 is not a multiple of 26).
  const limit = 256 - (256 % LETTERS.length);
  while (out.length < 10) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    for (const b of bytes) {
      if (b < limit && out.length < 10) out.push(LETTERS[b % LETTERS.length]!);
    }
  }
  const s = out.join('');
  return `${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7)}`;
}

/**
 * Accepts a code typed by a person (`ABC DEFG HIJ`, `abcdefghij`) or pasted as
 * a full meeting link, and returns the canonical form, or null.
 */
export function normalizeRoomCode(input: string): string | null {
  if (input.length > 2048) return null;
  let candidate = input.trim();
  try {
    if (/^https?:\/\//i.test(candidate)) candidate = new URL(candidate).pathname.split('/').filter(Boolean).pop() ?? '';
  } catch {
    return null;
  }
  const letters = candidate.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[a-z]{10}$/.test(letters)) return null;
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}
