// Next's ceiling for a JSON answer (npm run bench): a route handler at the product's URL that returns constant bytes, so every
// request pays Next's router, request/response objects and AsyncLocalStorage, and nothing of ours.
// A separate app, not a route of the product: every product route must be in the OpenAPI document.
import { readFileSync } from 'node:fs';

export const dynamic = 'force-dynamic';

let body;

export function GET() {
  // Read once, on the first request: the bench writes the product's own answer to this file before starting.
  body ??= readFileSync(process.env.BENCH_BODY_FILE);
  return new Response(body, { headers: { 'content-type': 'application/json' } });
}
