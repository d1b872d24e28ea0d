import { ops } from '@/lib/json-api/operations';
import { assertMetricsAccess } from '@/lib/metrics/metrics-access';
import { getMetricsRegistry } from '@/lib/metrics/prometheus';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const GET = route(ops.metrics, async ({ req }) => {
  assertMetricsAccess(req.headers.get('authorization'));
  const registry = getMetricsRegistry();
  return new Response(await registry.metrics(), { headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' } });
});
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
