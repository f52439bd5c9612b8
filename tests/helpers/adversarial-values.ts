/**
 * Generated values of any size in the shapes that made redaction
 * super-linear (issue 17: hex, `a://` runs, `=` runs, `eyJ-` runs) and in the
 * shapes each of its scans walks. Shared by the unit tests, the reliability
 * case and `npm run bench:redact`.
 */
import { randomBytes } from 'node:crypto';

export interface AdversarialShape {
  name: string;
  /** A value of exactly `size` characters. */
  make: (size: number) => string;
  /** Whether a config value of this shape counts as a secret (it carries a credential). */
  secret: boolean;
}

const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

export const ADVERSARIAL_SHAPES: readonly AdversarialShape[] = [
  { name: 'hex', make: (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n), secret: false },
  { name: 'random base64', make: (n) => randomBytes(n).toString('base64').slice(0, n), secret: true },
  { name: 'scheme runs', make: (n) => fill('a://', n), secret: false },
  { name: 'userinfo @ runs', make: (n) => `https://${fill('u:p@', n - 8)}`, secret: true },
  { name: '= runs', make: (n) => fill('=', n), secret: false },
  { name: 'password= pairs', make: (n) => fill('password=a=', n), secret: true },
  { name: 'JWT-like runs', make: (n) => fill('eyJ-', n), secret: false },
  { name: 'Go DSN runs', make: (n) => fill('a:b@tcp(', n), secret: true },
  { name: 'query pairs', make: (n) => `https://h/v?${fill('token=abc&x=1&', n - 12)}`, secret: true },
  { name: 'words', make: (n) => fill('PaymentServiceConfiguration ', n), secret: false },
];

export const MB = 1 << 20;
