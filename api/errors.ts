/**
 * Typed errors → HTTP. The body is always `{ error: <code>, message, field?, retryAfter? }`,
 * built from the taxonomy's codes and messages, which are secret-free by rule; anything outside
 * the taxonomy is a 500 `internal_error` whose message is not passed on.
 */
import type { ErrorRequestHandler } from 'express';
import {
  errorCodeOf,
  FleetError,
  NeedsHumanError,
  TransientError,
  ValidationError,
} from '../shared/errors';
import type { Logger } from '../shared/logger';

/** Status per error code; codes not listed fall back by class (see statusOf). */
const STATUS: Readonly<Record<string, number>> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  account_not_found: 404,
  job_not_found: 404,
  snapshot_not_found: 404,
  not_found: 404,
  account_exists: 409,
  account_not_active: 409,
  toggle_cooldown: 409,
  key_already_active: 409,
  no_active_key: 409,
  owner_code_mismatch: 422,
  owner_copy_required: 409,
  two_factor_busy: 409,
  qr_reveal_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
};

/** An HTTP-level refusal raised by the API itself (auth, unknown route, bad body). */
export class HttpError extends FleetError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const byCode = STATUS[errorCodeOf(err)];
  if (byCode) return byCode;
  if (err instanceof TransientError) return 503;
  if (err instanceof NeedsHumanError) return 409;
  if (err instanceof FleetError) return 422;
  return 500;
}

/** The JSON body and headers of an error response. */
export function errorResponse(err: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const status = statusOf(err);
  const headers: Record<string, string> = {};
  if (!(err instanceof FleetError)) {
    return { status, headers, body: { error: 'internal_error', message: 'internal error' } };
  }
  const body: Record<string, unknown> = { error: err.code, message: err.message };
  if (err instanceof ValidationError && err.field) body['field'] = err.field;
  if (err instanceof NeedsHumanError && err.instruction) body['instruction'] = err.instruction;
  const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
  if (retryAfter instanceof Date) {
    body['retryAfter'] = retryAfter.toISOString();
    headers['Retry-After'] = String(
      Math.max(1, Math.ceil((retryAfter.getTime() - Date.now()) / 1000)),
    );
  }
  return { status, headers, body };
}

/** Express's error middleware: typed body, one log line (5xx as errors, with the cause). */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (raw: unknown, req, res, next) => {
    if (res.headersSent) {
      next(raw);
      return;
    }
    const err = bodyParserError(raw) ?? raw;
    const { status, body, headers } = errorResponse(err);
    const reqLog = (req as { log?: Logger }).log ?? log;
    if (status >= 500) reqLog.error({ err, status }, 'request failed');
    else reqLog.info({ status, code: body['error'] }, 'request refused');
    res.status(status).set(headers).json(body);
  };
}

/** body-parser's errors (too large, malformed JSON) as typed ones, without echoing the body. */
function bodyParserError(err: unknown): HttpError | null {
  const e = err as { type?: unknown; status?: unknown };
  if (e?.type === 'entity.too.large') {
    return new HttpError(413, 'payload_too_large', 'the request body is too large');
  }
  if (e?.type === 'entity.parse.failed') {
    return new HttpError(400, 'invalid_input', 'the request body is not valid JSON');
  }
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new HttpError(415, 'unsupported_media_type', 'unsupported body encoding');
  }
  return null;
}
