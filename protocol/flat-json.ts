/**
 * A shortcut past `JSON.parse` for the frames a realtime session is made of: an audio append
 * (`{"type":"input_audio_buffer.append","event_id":"…","audio":"<6 400 characters of base64>"}`)
 * is a flat object of short strings and one long base64 string. `JSON.parse` copies that long
 * string character by character; here it becomes a slice of the frame's text (V8 shares the
 * characters), and the base64 check the codec runs anyway proves what `JSON.parse` would have
 * checked of it.
 *
 * The contract is narrow on purpose: {@link parseFlatObject} returns what `JSON.parse` would, or
 * `undefined` whenever it is not certain (nesting, whitespace, escapes, numbers other than plain
 * integers, a repeated key, `__proto__`, …), and the caller then takes the general path. It never
 * reports an error: the general path finds and words those.
 */

/** A flat object read from JSON text, and the long strings whose characters are not yet checked. */
export interface FlatObject {
  readonly value: Record<string, unknown>;
  /**
   * Keys of string values longer than `deferAbove` (see {@link parseFlatObject}) whose characters
   * were not checked for what JSON forbids in a string (control characters): the caller must
   * prove them (the strict base64 check does: it admits only the base64 alphabet) or fall back.
   */
  readonly unchecked: readonly string[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Integers of up to 15 digits are exact as doubles; longer ones take the general path. */
const MAX_DIGITS = 15;

/**
 * The object `JSON.parse(text)` returns, when `text` is a JSON object written without whitespace
 * whose values are strings, integers, `true`, `false` or `null`; otherwise `undefined`.
 *
 * @param text JSON text that holds **no backslash** (the codec knows this of a frame whose bytes
 *   it checked: `TextFrame.ascii`): no string in it has an escape, so a string ends at the next
 *   quote. Text with a backslash may be misread: never pass it.
 * @param deferAbove string values longer than this are not scanned for control characters; their
 *   keys are listed in `unchecked` (default: every string is scanned).
 *
 * @example
 * parseFlatObject('{"type":"response.cancel"}')?.value; // { type: 'response.cancel' }
 * parseFlatObject('{"type": "response.cancel"}'); // undefined: whitespace, take JSON.parse
 */
export function parseFlatObject(text: string, deferAbove = Infinity): FlatObject | undefined {
  const length = text.length;
  if (length < 2 || text.charCodeAt(0) !== OPEN || text.charCodeAt(length - 1) !== CLOSE) {
    return undefined;
  }
  const value: Record<string, unknown> = {};
  const unchecked: string[] = [];
  if (length === 2) return { value, unchecked };
  let at = 1;
  for (;;) {
    // "key":
    if (text.charCodeAt(at) !== QUOTE) return undefined;
    const keyEnd = text.indexOf('"', at + 1);
    if (keyEnd === -1 || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    const key = text.slice(at + 1, keyEnd);
    if (hasControl(key, 0, key.length) || key === '__proto__' || Object.hasOwn(value, key)) {
      return undefined;
    }
    at = keyEnd + 2;
    // value
    const first = text.charCodeAt(at);
    if (first === QUOTE) {
      const end = text.indexOf('"', at + 1);
      if (end === -1) return undefined;
      if (end - at - 1 > deferAbove) unchecked.push(key);
      else if (hasControl(text, at + 1, end)) return undefined;
      value[key] = text.slice(at + 1, end);
      at = end + 1;
    } else {
      const end = literalEnd(text, at);
      const literal = end === -1 ? undefined : literalValue(text, at, end);
      if (literal === undefined) return undefined;
      value[key] = literal.value;
      at = end;
    }
    // , or the closing brace (which must be the last character)
    const next = text.charCodeAt(at);
    if (next === COMMA) at += 1;
    else if (next === CLOSE && at === length - 1) return { value, unchecked };
    else return undefined;
  }
}

/** Whether `text[from, to)` holds a character JSON forbids unescaped in a string. */
function hasControl(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Where a non-string value starting at `from` ends (the next `,` or `}`), or -1. */
function literalEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE) return i;
  }
  return -1;
}

/** `true`, `false`, `null` or a plain integer (`-?(0|[1-9][0-9]*)`, up to 15 digits). */
function literalValue(text: string, from: number, to: number): { value: unknown } | undefined {
  const token = text.slice(from, to);
  if (token === 'true') return { value: true };
  if (token === 'false') return { value: false };
  if (token === 'null') return { value: null };
  const digitsFrom = token.charCodeAt(0) === MINUS ? 1 : 0;
  const digits = token.length - digitsFrom;
  if (digits < 1 || digits > MAX_DIGITS) return undefined;
  if (digits > 1 && token.charCodeAt(digitsFrom) === ZERO) return undefined;
  for (let i = digitsFrom; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < ZERO || c > NINE) return undefined;
  }
  return { value: Number(token) };
}
