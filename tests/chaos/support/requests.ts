import type { LoadRequest } from '../load/protocol';
import type { AppInstance } from './app-instance';
import type { Target } from './stack';

/** Reads whose answer carries the recommendation's feedback `count` (what a stale read gets wrong). */
export type CountedRead = 'summary' | 'analytics';

const PATHS: Record<CountedRead | 'recommendation', (rec: number) => string> = {
  summary: (rec) => `/api/feedback/recommendation/${rec}/summary`,
  analytics: (rec) => `/api/analytics/recommendation/${rec}`,
  recommendation: (rec) => `/api/recommendations/${rec}`,
};

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** GET of one recommendation's summary/analytics/record on one instance; tag `kind:rec:instance`. */
export function read(app: AppInstance, key: string, kind: CountedRead | 'recommendation', rec: number): LoadRequest {
  return { method: 'GET', url: app.url + PATHS[kind](rec), headers: auth(key), tag: `${kind}:${rec}:${app.name}`, capture: kind === 'recommendation' ? ['code'] : ['count', 'code'] };
}

const MIXED: (CountedRead | 'recommendation')[] = ['summary', 'analytics', 'recommendation'];

/** The n-th read of a mix cycling through both instances × summary/analytics/record × the recommendations. */
export function mixedRead(apps: AppInstance[], key: string, targets: Target[], n: number): LoadRequest {
  return read(apps[n % apps.length]!, key, MIXED[n % MIXED.length]!, targets[Math.floor(n / (apps.length * MIXED.length)) % targets.length]!.rec);
}

/**
 * POST /api/feedback/submit whose comment is a unique token, so the database says how many rows each
 * request left (0, 1 or more). Tag `write:rec:instance:token`.
 */
export function write(app: AppInstance, key: string, target: Target, token: string, opts: { idempotencyKey?: string } = {}): LoadRequest {
  return {
    method: 'POST',
    url: `${app.url}/api/feedback/submit`,
    headers: { ...auth(key), 'content-type': 'application/json', ...(opts.idempotencyKey && { 'idempotency-key': opts.idempotencyKey }) },
    body: JSON.stringify({ recommendationId: target.rec, diagnosisId: target.diag, rating: 4, adherence: 80, comment: token }),
    tag: `write:${target.rec}:${app.name}:${token}`,
    capture: ['feedbackId'],
  };
}

/** A GET whose answer no cache holds (each patient's profile is read once): it needs the database. */
export function uncachedRead(app: AppInstance, key: string, patientId: number): LoadRequest {
  return { method: 'GET', url: `${app.url}/api/patients/${patientId}/profile`, headers: auth(key), tag: `profile:${patientId}:${app.name}` };
}

export const tokenFor = (scenario: string, n: number) => `chaos:${scenario}:${n}`;
