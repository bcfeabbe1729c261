// paperclip-error: how a Node application (Paperclip's own stack: drizzle on
// postgres.js, or node-postgres) turns the errors of the paperclip_locks
// extensions into HTTP answers. The Node twin of test/client/paperclip_error.hpp.
//
// The extension raises every rule violation with SQLSTATE PCnnn, upstream's
// message word for word and, where upstream returns details, a flat JSON
// object in the error's DETAIL (SPEC §4, §5). An HTTP layer answers
//
//     status nnn, body {"error": <message>, "details": <DETAIL object>}
//
// which is what upstream's errorHandler sends for its own HttpError(nnn,
// message, details): toHttpError() builds exactly that error, so an
// unchanged Paperclip errorHandler answers for the database.
//
// PostgreSQL's own SQLSTATEs (the choice an application makes):
//   40001, 40P01 serialization failure, deadlock   -> 503, retryable: run the
//                                                     whole transaction again
//   42501 insufficient privilege                    -> 403
//   55P03 lock not available (NOWAIT, lock_timeout) -> 409, retryable
//   57014 query canceled (statement_timeout)        -> 503, retryable
//   a lost connection                               -> 503, retryable after reconnecting
//   anything else                                   -> 500, not retryable
//
// No dependency: the HttpError class is passed in by the caller.

const SQLSTATE = /^[0-9A-Z]{5}$/;
// postgres.js and node-postgres codes for a connection that is gone.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "57P01", "57P02", "57P03", "08000", "08003", "08006",
]);

export function httpStatusForSqlstate(sqlstate) {
  if (typeof sqlstate !== "string") return 500;
  const pc = /^PC([0-9]{3})$/.exec(sqlstate);
  if (pc) {
    const n = Number(pc[1]);
    return n >= 400 && n <= 599 ? n : 500;
  }
  switch (sqlstate) {
    case "40001":
    case "40P01":
    case "57014":
      return 503;
    case "42501":
      return 403;
    case "55P03":
      return 409;
    default:
      return 500;
  }
}

export function isRetryableSqlstate(sqlstate) {
  return sqlstate === "40001" || sqlstate === "40P01" || sqlstate === "55P03" || sqlstate === "57014";
}

// The database error inside `err`: drizzle wraps the driver's error in
// DrizzleQueryError (`cause`); other layers may wrap it again.
export function findDatabaseError(err) {
  const seen = new Set();
  for (let e = err; e && typeof e === "object" && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (typeof e.code === "string" && (SQLSTATE.test(e.code) || CONNECTION_CODES.has(e.code))) return e;
  }
  return null;
}

// A DETAIL that is a flat JSON object becomes `details`; anything else (a
// PostgreSQL detail in prose, an array, a nested object) stays text only.
export function parseDetails(detail) {
  if (typeof detail !== "string" || !detail.startsWith("{")) return null;
  let value;
  try {
    value = JSON.parse(detail);
  } catch {
    return null;
  }
  // Text that starts with "{" and parses is an object.
  for (const v of Object.values(value)) {
    const flat = v === null || ["string", "number", "boolean"].includes(typeof v)
      || (Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (!flat) return null;
  }
  return value;
}

// What the application answers for any error: { status, sqlstate, message,
// detail, details, hint, retryable, isPaperclip, isDatabase }.
export function toAppError(err) {
  const db = findDatabaseError(err);
  if (!db) {
    return {
      status: 500, sqlstate: null, message: err instanceof Error ? err.message : String(err),
      detail: null, details: null, hint: null, retryable: false, isPaperclip: false, isDatabase: false,
    };
  }
  if (!SQLSTATE.test(db.code) || /^(57P0[123]|08...)$/.test(db.code)) {
    return {
      status: 503, sqlstate: SQLSTATE.test(db.code) ? db.code : null, message: db.message,
      detail: null, details: null, hint: null, retryable: true, isPaperclip: false, isDatabase: true,
    };
  }
  const detail = typeof db.detail === "string" && db.detail.length > 0 ? db.detail : null;
  return {
    status: httpStatusForSqlstate(db.code),
    sqlstate: db.code,
    message: db.message,
    detail,
    details: parseDetails(detail),
    hint: typeof db.hint === "string" && db.hint.length > 0 ? db.hint : null,
    retryable: isRetryableSqlstate(db.code),
    isPaperclip: db.code.startsWith("PC"),
    isDatabase: true,
  };
}

// The upstream HttpError for a database error the application should answer
// itself (every PCnnn, and the PostgreSQL codes of the table above); null for
// anything that is a 500 (left to the errorHandler as an internal error).
export function toHttpError(err, HttpError) {
  const app = toAppError(err);
  if (!app.isDatabase || app.status === 500) return null;
  if (app.isPaperclip) return new HttpError(app.status, app.message, app.details ?? undefined);
  const details = { sqlstate: app.sqlstate, retryable: app.retryable };
  return new HttpError(app.status, app.message, details);
}

// Express error middleware to mount right before the errorHandler.
export function databaseErrorMiddleware(HttpError) {
  return (err, _req, _res, next) => next(toHttpError(err, HttpError) ?? err);
}
