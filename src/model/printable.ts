/**
 * Text from outside shown as what it is: control characters and bidi
 * overrides (U+202A–U+202E, U+2066–U+2069) written as `\u202e`, so a branch
 * named with a right-to-left override cannot read as another name, on the
 * terminal or on a page (Unicode TR #9, "Explicit Directional Overrides").
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
