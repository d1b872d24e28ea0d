import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { profile } from '@/lib/resources/profile';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(profile));
