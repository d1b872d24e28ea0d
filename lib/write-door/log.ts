import 'server-only';
import { getLogger } from '@/lib/log';

/** Logger of the write path (outbox, coherence): one line per state change, never request bodies. */
export const writeLog = getLogger('writes');
