import 'server-only';
import pino from 'pino';

/** Logger of the write path (outbox, coherence): one line per state change, never request bodies. */
export const writeLog = pino({
  name: 'mizaj-writes',
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
});
