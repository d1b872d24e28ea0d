import { ops } from '@/lib/json-api/operations';
import { getConfig } from '@/lib/config';
import { buildOpenApiDocument } from '@/lib/http/openapi';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

let document: unknown;

export const GET = route(ops.openapi, () => {
  document ??= buildOpenApiDocument({ serverUrl: getConfig().PUBLIC_URL });
  return Response.json(document, { headers: { 'Cache-Control': 'public, max-age=300' } });
});
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
