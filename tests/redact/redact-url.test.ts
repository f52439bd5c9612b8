import { describe, expect, it } from 'vitest';
import { looksLikeSecretValue } from '../../src/model/redact.ts';
import { hasConnectionCredentials, redactSecretsInText, redactUrl } from '../../src/model/redact-url.ts';
import { ADVERSARIAL_SHAPES, MB } from '../helpers/adversarial-values.ts';

describe('redactUrl', () => {
  it.each([
    // issue 17: the userinfo match used to stop at the first "@", and the query was never looked at
    ['http://admin:hunter@2secretpart@host/v?access_token=TOKEN', 'http://host/v?access_token=REDACTED'],
    ['https://deploy@payments.acme.example/v', 'https://payments.acme.example/v'],
    ['jdbc:postgresql://db/o?user=app&password=Pw', 'jdbc:postgresql://db/o?user=app&password=REDACTED'],
    ['mongodb+srv://u:pw12@c0.x.mongodb.net/db?retryWrites=true', 'mongodb+srv://c0.x.mongodb.net/db?retryWrites=true'],
    ['redis://:pw1234@cache:6379/0', 'redis://cache:6379/0'],
    ['amqps://u:p@mq:5671/vh', 'amqps://mq:5671/vh'],
    ['postgres://app:Pw@db.internal:5432/app?sslmode=require', 'postgres://db.internal:5432/app?sslmode=require'],
    [
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20200101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abcdef0123',
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED',
    ],
    ['https://a.blob.core.windows.net/c/b?sv=2020-01-01&sp=r&sig=abcdEFGH1234%2B%3D', 'https://a.blob.core.windows.net/c/b?sv=2020-01-01&sp=r&sig=REDACTED'],
    ['https://storage.googleapis.com/b/o?X-Goog-Signature=abc123&X-Goog-Date=2020', 'https://storage.googleapis.com/b/o?X-Goog-Signature=REDACTED&X-Goog-Date=2020'],
    ['https://maps.example/api?key=AbC123&q=x', 'https://maps.example/api?key=REDACTED&q=x'],
    ['https://app.example/cb#access_token=abc&state=1', 'https://app.example/cb#access_token=REDACTED&state=1'],
    ['https://ci.example/deploy/1?token=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'https://ci.example/deploy/1?token=REDACTED'],
    ['https://hooks.slack.com/services/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', 'https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/REDACTED'],
    ['https://u:p@{environment}.acme.example/{service}/version', 'https://{environment}.acme.example/{service}/version'],
    ['mysql://u:p@h:99999/db', 'mysql://h:99999/db'], // not a valid URL (port): the userinfo is still dropped
  ])('%s', (input, stored) => {
    expect(redactUrl(input)).toBe(stored);
    expect(redactUrl(stored)).toBe(stored); // idempotent
  });

  it.each([
    'https://github.com/acme/payments/pull/12',
    'https://github.com/acme/payments/deployments/activity_log?environment=prod',
    'https://payments.acme.example/version?x=a@b',
    'https://h/v?token=${TOKEN}',
    'https://{environment}.acme.example/version',
    'https://registry.example/v2/acme/api/manifests/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'not a url',
  ])('leaves %s as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('connection strings', () => {
  it.each([
    ['app:Pw@tcp(db:3306)/o', 'tcp(db:3306)/o'],
    ['Server=tcp:sql.acme.example,1433;Database=p;User Id=a;Password=abc;Encrypt=true', 'Server=tcp:sql.acme.example,1433;Database=p;User Id=a;Password=REDACTED;Encrypt=true'],
    ['Driver={ODBC Driver 18};Server=s;UID=a;PWD={a;b};', 'Driver={ODBC Driver 18};Server=s;UID=a;PWD=REDACTED;'],
    ['Data Source=s;Password="x;y";', 'Data Source=s;Password=REDACTED;'],
    ['Server=s;Password=#a,b)c%zz;Encrypt=true', 'Server=s;Password=REDACTED;Encrypt=true'],
    ['DefaultEndpointsProtocol=https;AccountName=a;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net'],
    ['jdbc:sqlserver://db:1433;databaseName=o;user=app;password=Pw1', 'jdbc:sqlserver://db:1433;databaseName=o;user=app;password=REDACTED'],
    ['--dsn postgres://u:pw@db/app --verbose', '--dsn postgres://db/app --verbose'],
  ])('%s', (input, stored) => {
    expect(hasConnectionCredentials(input)).toBe(true);
    expect(looksLikeSecretValue(input)).toBe(true);
    expect(redactSecretsInText(input)).toBe(stored);
  });

  it.each(['postgres://db.internal:5432/app', 'https://user@h/v', 'Password=${DB_PASSWORD};Server=s', 'sort_key=name', 'jdbc:postgresql://db/o?user=app', 'app@tcp(db:3306)/o'])(
    'no credential in %s',
    (text) => {
      expect(hasConnectionCredentials(text)).toBe(false);
    },
  );
});

// The 10 MB cases, with their MB/s, are in tests/reliability/secret-urls.test.ts; these keep the unit suite fast.
describe('redaction is linear: generated adversarial values of 1 MB complete', () => {
  it.each(ADVERSARIAL_SHAPES.map((shape) => [shape.name, shape] as const))('%s', (_, { make, secret }) => {
    for (const size of [64 * 1024, 1 * MB]) {
      const value = make(size);
      expect(value.length).toBe(size);
      expect(looksLikeSecretValue(value)).toBe(secret);
      const stored = redactUrl(value);
      expect(typeof stored).toBe('string');
    }
  });
});
