import 'server-only';
import pino from 'pino';
import { AppError } from '@/lib/errors';
import { sourceFrame } from './source-frames';

/**
 * The app's one logger (HTTP, cache, metrics sampler are children of it). Whatever a caller passes, a line
 * never carries SQL parameters, request bodies, emails, credentials or tokens:
 * - known keys are redacted (body, params, email, password, token, authorization, cookie);
 * - an error (`err`) becomes class, code and stack frames (at their place in the sources: ./source-frames.ts); its
 *   message only when it is one of ours or a known infrastructure message (driver messages can quote the failed
 *   SQL with its parameters);
 * - every string is scrubbed of `params: …` tails, email addresses, API keys and bearer tokens.
 * Level from LOG_LEVEL; silent under vitest unless asked (tests spy instead of reading stdout).
 */

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
const SECRET = /\bmz_[A-Za-z0-9_-]{20,}|\bBearer\s+[^\s"',]+|\bmizaj_session=[^\s;"',]+/gi;
const PARAMS = /\bparams:[\s\S]*/;
const SAFE_MESSAGE = /^(?:Command timed out|Connection is closed\.?|connect E[A-Z]+ [\d.:a-f[\]]+|read ECONNRESET|write EPIPE|.{0,80} timed out after \d+ ms|Redis not ready after \d+ ms|Stream isn't writeable.{0,80})$/;

/** A string with anything personal or secret masked. */
export function scrub(s: string): string {
  return s.replace(PARAMS, 'params: [redacted]').replace(EMAIL, '[email]').replace(SECRET, '[secret]');
}

type ErrorFields = { class: string; code?: string; message?: string; cause?: ErrorFields; stack?: string };

/** What a log line may say about an error. */
export function errorFields(error: unknown, depth = 0): ErrorFields {
  // Already reduced (the line formatter runs before pino's serializers).
  if (typeof error === 'object' && error !== null && !(error instanceof Error) && 'class' in error) return error as ErrorFields;
  if (!(error instanceof Error)) return { class: typeof error, message: typeof error === 'string' ? scrub(error.split('\n')[0]!.slice(0, 200)) : undefined };
  const code = (error as { code?: unknown }).code;
  const keepMessage = error instanceof AppError || SAFE_MESSAGE.test(error.message);
  const cause = (error as { cause?: unknown }).cause;
  return {
    class: error.name || error.constructor?.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(keepMessage ? { message: scrub(error.message) } : {}),
    ...(cause !== undefined && depth < 3 ? { cause: errorFields(cause, depth + 1) } : {}),
    // Frames only (the stack's first lines repeat the message), each where it is in the sources.
    ...(error.stack && depth === 0 ? { stack: error.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).map(sourceFrame).join('\n') } : {}),
  };
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) return errorFields(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

const SENSITIVE = ['body', 'params', 'email', 'password', 'token', 'authorization', 'cookie', 'comment', 'sideEffects'];

/** A logger with the app's redaction; `destination` lets a test read what a line really carries. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): pino.Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    redact: { paths: [...SENSITIVE, ...SENSITIVE.map((k) => `*.${k}`), 'headers', '*.headers'], censor: '[redacted]' },
    serializers: { err: (e: unknown) => errorFields(e), error: (e: unknown) => errorFields(e) },
    formatters: { log: (o) => scrubDeep(o) as Record<string, unknown> },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const root = createLogger();

export type Logger = pino.Logger;

/** A named child of the app's logger ('http', 'cache', 'metrics-sampler'…). */
export function getLogger(name: string): Logger {
  return root.child({ name });
}

/**
 * Next and libraries print errors with console.error (a page's failed query includes its parameters):
 * route those prints through the same scrubbing. Called once by the production server.
 */
export function scrubConsole(): void {
  const wrap = (write: (...a: unknown[]) => void) => (...args: unknown[]) =>
    write(...args.map((a) => (a instanceof Error ? JSON.stringify(errorFields(a)) : typeof a === 'string' ? scrub(a) : scrubDeep(a))));
  console.error = wrap(console.error.bind(console));
  console.warn = wrap(console.warn.bind(console));
  console.log = wrap(console.log.bind(console));
  console.info = wrap(console.info.bind(console));
}
