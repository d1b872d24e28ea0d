import 'server-only';
import { AppError } from '@/lib/errors';

/** Errors that only exist at the HTTP boundary (services never throw these). */

export class MalformedBodyError extends AppError {
  constructor(message = 'The request body is not valid JSON') {
    super(message, 400, 'malformed_body');
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes`, 413, 'payload_too_large');
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(received: string | null) {
    super(
      received ? `Content-Type ${received} is not supported; send application/json` : 'A request body needs Content-Type: application/json',
      415,
      'unsupported_media_type',
    );
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super(`${method} is not allowed here; allowed: ${allow.join(', ')}`, 405, 'method_not_allowed');
  }
}
