import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { CACHED } from '@/lib/api/cached-routes';

export const { GET, POST, PUT, PATCH, DELETE } = cachedGetHandlers(CACHED.feedbackSummary);
