import { describe, expect, it } from 'vitest';
import { judge, MAX_PAGE_BODY_BYTES, MAX_URL_BYTES } from '@/lib/json-api/request-gate';

/** The gate's decisions alone; tests/prod/hostile-input.test.ts checks the answers through the real server. */
describe('request gate', () => {
  it.each([
    ['GET', '/api/recommendations/7', undefined],
    ['PUT', '/api/recommendations/7', undefined],
    ['GET', '/en/patients?q=%zz', undefined],
    ['POST', '/en/sign-in', undefined],
    ['GET', '/.well-known/x', undefined],
    ['GET', '/api/recommendations/%zz', 400],
    ['GET', '/api/recommendations/%C0%AE', 400],
    ['GET', '/en/%ff', 400],
    ['GET', '/api/recommendations/../trending', 400],
    ['GET', '/en/%2e%2e/admin', 400],
    ['GET', '/api%00/x', 400],
    ['GET', '/api', 404],
    ['GET', '/api%2Frecommendations%2F7', 404],
    ['DELETE', '/api/recommendations/7', 405],
    ['GET', '/api/cache/warm', 405],
    ['TRACE', '/api/trending', 501],
    ['PROPFIND', '/en', 501],
    ['OPTIONS', '/api/trending', 204],
    ['OPTIONS', '*', 204],
    ['GET', '*', 400],
    ['GET', 'http://example.org/api/trending', 400],
    ['GET', `/api/trending?x=${'a'.repeat(MAX_URL_BYTES)}`, 414],
  ] as const)('%s %s → %s', (method, url, status) => {
    expect(judge(method, url).refusal?.status).toBe(status);
  });

  it('405 and OPTIONS name the same methods', () => {
    const options = judge('OPTIONS', '/api/recommendations/7').refusal;
    const refused = judge('PATCH', '/api/recommendations/7').refusal;
    expect(options?.allow).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT']);
    expect(refused?.allow).toEqual(options?.allow);
  });

  it('refuses a page body larger than a server action may send, not an API one (the route caps those)', () => {
    expect(judge('POST', '/en/sign-in', { length: MAX_PAGE_BODY_BYTES + 1 }).refusal?.status).toBe(413);
    expect(judge('POST', '/api/feedback/submit', { length: MAX_PAGE_BODY_BYTES + 1 }).refusal).toBeUndefined();
  });

  it('bounds a page request\'s headers below what Next\'s proxy can copy, not an API one', () => {
    expect(judge('GET', '/fa', { headerBytes: 16_000 }).refusal?.status).toBe(431);
    expect(judge('GET', '/api/trending', { headerBytes: 16_000 }).refusal).toBeUndefined();
  });

  it('refuses a page multipart POST without a boundary or a body (Next would fail on it), not a real form', () => {
    const type = 'multipart/form-data; boundary=----x';
    expect(judge('POST', '/en', { type }).refusal?.status).toBe(400);
    expect(judge('POST', '/en', { type: 'multipart/form-data', length: 10 }).refusal?.status).toBe(400);
    expect(judge('POST', '/en/sign-in', { type, length: 300 }).refusal).toBeUndefined();
    expect(judge('POST', '/en/sign-in', { type, chunked: true }).refusal).toBeUndefined();
  });
});
