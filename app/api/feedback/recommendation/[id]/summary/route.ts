import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { cachedRoute } from '@/lib/api/cached-routes';
import { feedbackSummary } from '@/lib/resources/feedback-summary';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(cachedRoute(feedbackSummary));
