import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { analytics } from '@/lib/resources/analytics';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(analytics));
