import 'server-only';
import pino from 'pino';

/**
 * The HTTP layer's logger. Level from LOG_LEVEL; silent under vitest unless asked, so test output stays
 * readable (tests spy on it instead of reading stdout).
 */
export const httpLog = pino({
  name: 'mizaj-http',
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
});
