import { resourceRoutes } from '@/lib/json-api/resource-routes';

/** Declared cached resources without a route folder of their own; other unknown API paths answer problem+json 404, never Next's HTML page. */
export const { GET, POST, PUT, PATCH, DELETE } = resourceRoutes;
