/**
 * Hostile free text for fields a source copies from outside (refs, logins,
 * reasons, patterns): markup, quotes, bidi and control characters, a
 * credential, path pieces and non-ASCII, mixed with generated text.
 */
import fc from 'fast-check';

/** A credential that must never be stored or shown. */
export const HOSTILE_TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';

export const HOSTILE_PIECES = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'", '&amp;', '\u202e', '\u2066', '\u2069', '\u202a', '\u0007', '\u001b[31m', `token=${HOSTILE_TOKEN}`, 'feature/', 'release/', '../', ' ', 'é', '😀'];

/** A raw bidi override or control character: a page must never carry one. */
export const BIDI_OR_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** One to six hostile pieces or short generated strings, joined. */
export const hostileText = fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
