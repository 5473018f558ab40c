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

// A zero-width joiner between two pictographs (an optional VS16 after the
// first) is part of one emoji (👩‍💻); everywhere else it is an invisible.
const EMOJI_ZWJ = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/u;

// Tag characters draw nothing and can carry hidden text; they are kept only
// where they spell a subdivision flag after a black flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
const STRAY_TAGS = /(?<!\u{1F3F4}[\u{E0020}-\u{E007E}]*)[\u{E0000}-\u{E007F}]/gu;

// Half a surrogate pair is not text: it would go out as a \ud800 escape that
// some JSON decoders (Redis's cjson among them) refuse. It becomes U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Applies a character filter to everything but the joiners inside emoji sequences, on well-formed text. */
function keepingEmojiJoiners(s: string, filter: (s: string) => string): string {
  return s
    .replace(LONE_SURROGATE, '\ufffd')
    .split(EMOJI_ZWJ)
    .map((part) => filter(part.replace(STRAY_TAGS, '')))
    .join('\u200D');
}

// Characters that draw nothing yet are not whitespace to a plain \s: Hangul
// fillers, the braille blank, and format characters outside the control set
// above (soft hyphen, word joiner, invisible operators, Mongolian vowel separator,
// Arabic letter mark). Names treat them as spaces.
const BLANKS =
  /\u034f|[\u115f\u1160\u3164\uffa0\u2800\u00ad\u061c\u180e\u2060-\u2064\u206a-\u206f\u{1d173}-\u{1d17a}]/gu;

// What cannot make a name visible by itself: separators and spaces, controls,
// format, surrogate, private-use and unassigned code points, combining marks
// and variation selectors, and the blanks above.
const INVISIBLE = /[\p{Z}\p{White_Space}\p{C}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** Whether a name has at least one character that draws something on its own. */
export function hasVisibleChar(s: string): boolean {
  for (const ch of s) if (!INVISIBLE.test(ch)) return true;
  return false;
}

/**
 * Display names: NFC, control and bidi characters removed, blank-looking
 * characters turned into spaces, whitespace collapsed and trimmed; 1–64
 * characters of which at least one is visible. Null when invalid.
 */
export function normalizeDisplayName(raw: string): string | null {
  const name = keepingEmojiJoiners(raw.normalize('NFC'), (s) => stripControlChars(s).replace(BLANKS, ' '))
    .replace(/\s+/gu, ' ')
    .trim();
  if (!hasVisibleChar(name) || [...name].length > LIMITS.displayName) return null;
  return name;
}

// Chat keeps line breaks and tabs; every other control character goes.
const CHAT_CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Chat text and kick reasons: CRLF → LF, controls and bidi/zero-width removed (emoji joiners kept), trimmed. */
export function cleanChatText(raw: string): string {
  return keepingEmojiJoiners(raw.replace(/\r\n?/g, '\n'), (s) => s.replace(CHAT_CONTROL_CHARS, '')).trim();
}
