/** Length limits shared by the server's schemas and the UI's inputs. */
export const LIMITS = {
  displayName: 64,
  chatText: 2000,
  title: 120,
  kickReason: 200,
} as const;

// C0/C1 controls, DEL, and the bidi/zero-width format characters that let a
// name impersonate another or break layouts.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripControlChars(s: string): string {
  return s.replace(CONTROL_CHARS, '');
}

/** Display names: control characters removed, trimmed, 1–64 characters. Null when invalid. */
export function normalizeDisplayName(raw: string): string | null {
  const name = stripControlChars(raw).replace(/\s+/g, ' ').trim();
  if (name.length < 1 || [...name].length > LIMITS.displayName) return null;
  return name;
}

// Chat keeps line breaks and tabs; every other control character goes.
const CHAT_CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function cleanChatText(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(CHAT_CONTROL_CHARS, '').trim();
}
