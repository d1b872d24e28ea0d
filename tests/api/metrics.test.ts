import { describe, expect, it } from 'vitest';
import { call, useApi } from './support';

process.env.METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const api = useApi({ patients: 30 });
const scrape = () => call('GET', '/metrics', { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } });

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('GET /metrics', () => {
  it('exports cache counters per category, factory durations, HTTP durations by route and status, and Node metrics', async () => {
    const first = await scrape();
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    await first.text();

    const path = '/api/analytics/recommendation/2';
    await call('GET', path, { headers: api.as.readKey });
    await call('GET', path, { headers: api.as.readKey });
    await call('GET', '/api/analytics/recommendation/abc', { headers: api.as.readKey });

    const text = await (await scrape()).text();
    expect(value(text, 'mizaj_cache_misses_total{category="analytics"}')).toBe(1);
    expect(value(text, 'mizaj_cache_hits_l1_total{category="analytics"}')! + value(text, 'mizaj_cache_hits_l2_total{category="analytics"}')!).toBe(1);
    expect(value(text, 'mizaj_cache_sets_total{category="analytics"}')).toBe(1);
    expect(value(text, 'mizaj_cache_factory_duration_seconds_count{category="analytics"}')).toBe(1);
    const route = 'route="/api/analytics/recommendation/{id}"';
    expect(value(text, `mizaj_http_request_duration_seconds_count{method="GET",${route},status="200"}`)).toBe(2);
    expect(value(text, `mizaj_http_request_duration_seconds_count{method="GET",${route},status="400"}`)).toBe(1);
    expect(text).toMatch(/^mizaj_cache_breaker_open 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    // Keys, tags and credentials never appear as labels.
    expect(text).not.toMatch(/mz_|Bearer|rec:\d/);
  });
});
