import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { trending } from '@/lib/resources/trending';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(trending));
