import { apiNotFound } from '@/lib/http/methods';

/** Unknown API paths answer problem+json 404, never Next's HTML page. */
export const GET = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
