import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { prediction } from '@/lib/resources/prediction';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(prediction));
