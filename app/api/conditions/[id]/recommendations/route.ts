import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { conditionRecommendations } from '@/lib/resources/condition-recommendations';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(conditionRecommendations));
