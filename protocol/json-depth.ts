/**
 * Nesting a JSON value may have where the mock keeps it or writes it back (the frame log, the
 * settings `session.updated` echoes, a token's locked settings): JSON.stringify and JSON.parse
 * of deeper values can overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of `[` and `{` in a JSON text, outside strings (one linear pass, no
 * recursion; stops as soon as it passes `stopAbove`). Not a validator: for text that
 * is not JSON the figure is only a bound, which is all a limit needs.
 */
export function nestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max && (max = depth) > stopAbove) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
