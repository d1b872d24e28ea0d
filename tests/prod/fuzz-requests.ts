import fc from 'fast-check';

/**
 * fast-check generators for hostile HTTP requests: odd paths (escapes, unicode, dot segments, double
 * slashes, very long), methods, headers, query strings and bodies (NUL, deep nesting, huge arrays, duplicate
 * keys, BOM, wrong content types, 70 KB and 10 MB). A request is plain data so a seed replays it exactly.
 */

export type Who = 'anonymous' | 'read' | 'write' | 'admin' | 'unknown' | 'junk';
export type FuzzRequest = {
  method: string;
  target: string;
  who: Who;
  headers: Record<string, string>;
  body?: { kind: 'text'; text: string } | { kind: 'big'; bytes: number };
  /** Set on plausible feedback: the sender puts the n-th real (recommendation, diagnosis) pair in the body. */
  pair?: number;
};

const TEMPLATES = [
  '/api/recommendations/{id}',
  '/api/analytics/recommendation/{id}',
  '/api/feedback/recommendation/{id}/summary',
  '/api/predictions/diagnosis/{id}/predict',
  '/api/patients/{id}/profile',
  '/api/cache/jobs/{id}',
  '/api/trending',
  '/api/health',
  '/api/cache/health',
  '/api/cache/stats',
  '/api/openapi.json',
  '/api/feedback/submit',
  '/api/cache/warm',
  '/api/cache/invalidate',
  '/metrics',
  '/{locale}',
  '/{locale}/patients',
  '/{locale}/patients/{id}',
  '/{locale}/diagnoses/{id}',
  '/{locale}/recommendations/{id}',
  '/{locale}/admin',
  '/{locale}/sign-in',
  '/',
  '/api',
  '/api/{id}',
];

const ESCAPES = ['%', '%zz', '%ff', '%FF%FE', '%C0%AE', '%00', '%2F', '%2e%2e', '%2E', '%5C', '%25', '%E2%80%AE', '%F0%9F%98%80', '%ED%A0%80', '%0A', '%20'];
const WEIRD = ['..', '.', '', '~', '\\', ';', ';x=1', '*', '%', '@', ':', '+', "'", '"', '<script>', '{id}', 'null', 'NaN', '-1', '0', '1e3', '0x1f', ' 7', '007', '2147483648', '99999999999999999999'];

const unicode = fc.string({ unit: 'grapheme', maxLength: 12 });
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 400 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...WEIRD) },
  { weight: 2, arbitrary: fc.constantFrom(...ESCAPES) },
  { weight: 2, arbitrary: unicode.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: unicode }, // sent as raw UTF-8 bytes
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...ESCAPES, 'a', '1'), { maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => 'x'.repeat(n * 100)) },
);

const path: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...TEMPLATES), segment, fc.constantFrom('fa', 'en', 'ar', 'de', 'FA', '%66a'))
      .map(([t, id, locale]) => t.replace('{id}', id).replace('{locale}', locale)),
  },
  { weight: 2, arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/api/${s.join('/')}`) },
  { weight: 1, arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TEMPLATES), fc.constantFrom('//', '/./', '/../', '/%2e%2e/', '///')).map(([t, sep]) => t.replace('/', sep).replace('{id}', '1').replace('{locale}', 'en')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((k) => `/en/${'p'.repeat(k * 1_000)}`) },
);

const queryValue = fc.oneof(segment, fc.constantFrom('7', '30', '10', '100', '101', '-1', '', '%00', '%zz', '1&days=7'));
const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('days', 'limit', 'q', 'page', 'mizaj', 'x', '', '%00', 'q[]'), queryValue), { maxLength: 5 })
      .map((kv) => (kv.length ? `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}` : '?')),
  },
);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('GET') },
  { weight: 4, arbitrary: fc.constant('POST') },
  { weight: 2, arbitrary: fc.constant('PUT') },
  { weight: 3, arbitrary: fc.constantFrom('HEAD', 'PATCH', 'DELETE', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('TRACE', 'FOO', 'PROPFIND', 'get', 'CONNECT', 'M-SEARCH') },
);

const junkValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, '')) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('', ' ', 'null', '*', 'W/"x"', '"\u00ff"', 'gzip;q=0, br, zstd, *', 'application/json; charset=latin1', 'text/plain', 'multipart/form-data; boundary=x'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 24 }).map((k) => 'h'.repeat(k * 1_000)) },
);

const headers: fc.Arbitrary<Record<string, string>> = fc
  .array(fc.tuple(fc.constantFrom('Accept', 'Accept-Encoding', 'If-None-Match', 'X-Request-Id', 'Accept-Language', 'Content-Type', 'Cookie', 'Range', 'Origin', 'Sec-Fetch-Site', 'X-Forwarded-For', 'Idempotency-Key'), junkValue), { maxLength: 4 })
  .map((pairs) => Object.fromEntries(pairs));

const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\ufeff', '\u202e', 'Robert"); drop table feedback;--', '%00', '\\u0000'),
  fc.integer({ min: 1, max: 3 }).map((k) => 'c'.repeat(k * 1_000)),
);
const hostileNumber = fc.oneof(
  fc.integer({ min: -3, max: 400 }),
  fc.constantFrom(1e-320, 5e-324, -0, 1e308, 2147483648, 0.5, 3.7, Number.MAX_SAFE_INTEGER),
  fc.double(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 })),
})).value;

const FIELDS = ['recommendationId', 'diagnosisId', 'patientId', 'rating', 'adherence', 'comment', 'sideEffects', 'effectivenessScore', 'dosage', 'nameFa', 'nameEn', 'nameAr', 'conditionId', 'category', 'tag', '__proto__', 'constructor'];

const jsonBody: fc.Arbitrary<string> = fc.oneof(
  // Mostly-plausible objects with hostile values.
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)) },
  // A valid-looking feedback (sometimes stored: rows are counted against 201s).
  {
    weight: 2,
    arbitrary: fc
      .record({ recommendationId: fc.integer({ min: 1, max: 40 }), diagnosisId: fc.integer({ min: 1, max: 300 }), rating: fc.integer({ min: 1, max: 5 }), adherence: fc.integer({ min: 0, max: 100 }), comment: hostileString })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: fc.constantFrom('{"category":"predictions"}', '{"category":"feedback"}', '{"tag":"rec:1"}', '{"tag":"\\u0000"}', '{"effectivenessScore":1e-320}', '{"dosage":"\\u0000"}') },
  // Duplicate keys, BOM, deep nesting, huge arrays, not JSON at all.
  { weight: 1, arbitrary: fc.constantFrom('{"rating":1,"rating":5,"rating":"x"}', '\ufeff{"dosage":"x"}', '[]', 'null', '"x"', '{', '{"a":', 'true', '1e999', '{"dosage":"\\ud800"}') },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 5_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 15_000 }).map((n) => JSON.stringify({ comment: 'x', tags: Array.from({ length: n }, (_, i) => i) })) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ comment: 'y'.repeat(70 * 1024) })) },
);

const body: fc.Arbitrary<FuzzRequest['body']> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: jsonBody.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom(10 * 1024 * 1024, 70 * 1024).map((bytes) => ({ kind: 'big' as const, bytes })) },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/problem+json', 'APPLICATION/JSON', '', 'application/json, text/plain') },
);

/** Feedback that may well be stored (ids filled in at send time), with hostile comments now and then. */
const plausibleFeedback: fc.Arbitrary<FuzzRequest> = fc
  .record({
    pair: fc.nat(),
    rating: fc.oneof(fc.integer({ min: 1, max: 5 }), hostileNumber),
    adherence: fc.integer({ min: 0, max: 100 }),
    comment: fc.oneof(fc.constant(undefined), hostileString),
    sideEffects: fc.oneof(fc.constant(undefined), fc.constant(null), hostileString),
  })
  .map(({ pair, ...body }) => ({
    method: 'POST',
    target: '/api/feedback/submit',
    who: 'write' as const,
    headers: { 'Content-Type': 'application/json' },
    body: { kind: 'text' as const, text: JSON.stringify(body) },
    pair,
  }));

const hostileRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method,
    path,
    query,
    who: fc.constantFrom<Who>('anonymous', 'anonymous', 'anonymous', 'anonymous', 'read', 'read', 'write', 'write', 'admin', 'unknown', 'junk'),
    headers,
    body,
    contentType,
  })
  .map(({ method, path: p, query: q, who, headers: h, body: b, contentType: ct }) => ({
    method,
    target: p + q,
    who,
    headers: b ? { ...h, 'Content-Type': ct } : h,
    body: b,
  }));

/** Page POSTs with multipart bodies, sound and broken: Next parses them as server-action forms. */
const multipartPart = fc.oneof(
  fc.string({ maxLength: 12 }).map((v) => `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${v}\r\n`),
  fc.constantFrom('--x\r\n\r\nno headers\r\n', '--x\r\nContent-Disposition: form-da', '--x\r\nContent-Disposition: form-data; name="$ACTION_ID_x"\r\n\r\n\r\n', '--y\r\n', '\r\n', 'garbage'),
);
const pageMultipart: fc.Arbitrary<FuzzRequest> = fc
  .record({
    target: fc.constantFrom('/en', '/fa', '/fa/sign-in', '/ar/patients', '/en/sign-out'),
    parts: fc.array(multipartPart, { minLength: 1, maxLength: 3 }),
    close: fc.boolean(),
    fetchAction: fc.boolean(),
  })
  .map(({ target, parts, close, fetchAction }) => ({
    method: 'POST',
    target,
    who: 'anonymous' as const,
    headers: { 'Content-Type': 'multipart/form-data; boundary=x', ...(fetchAction && { 'Next-Action': '0'.repeat(42) }) },
    body: { kind: 'text' as const, text: parts.join('') + (close ? '--x--\r\n' : '') },
  }));

export const requestArb: fc.Arbitrary<FuzzRequest> = fc.oneof({ weight: 12, arbitrary: hostileRequest }, { weight: 1, arbitrary: plausibleFeedback }, { weight: 1, arbitrary: pageMultipart });
