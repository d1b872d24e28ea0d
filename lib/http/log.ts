import 'server-only';
import { getLogger } from '@/lib/log';

/** The HTTP layer's logger: a child of the app's one logger (lib/log), with its redaction. */
export const httpLog = getLogger('http');
