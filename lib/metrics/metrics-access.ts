import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { getConfig } from '@/lib/config';
import { AppError, UnauthorizedError } from '@/lib/errors';

/**
 * /metrics names routes, categories and error rates: for the scraper only. Off (404) until METRICS_TOKEN
 * is set; then `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time.
 */
export function assertMetricsAccess(authorization: string | null, token = getConfig().METRICS_TOKEN): void {
  if (!token) throw new AppError('/metrics is off: set METRICS_TOKEN and send it as a bearer token', 404, 'not_found');
  const sent = Buffer.from(/^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new UnauthorizedError('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
}
