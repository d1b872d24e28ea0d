import 'server-only';

export const SESSION_COOKIE = 'mizaj_session';

export type SessionCookieOptions = {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  expires: Date;
};

/**
 * httpOnly: scripts never see the token. SameSite=Lax: not sent on cross-site POSTs (CSRF), still sent when
 * following a link in. Secure in production only, so http://localhost works in development.
 */
export function sessionCookieOptions(expiresAt: Date, nodeEnv = process.env.NODE_ENV): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: nodeEnv === 'production', path: '/', expires: expiresAt };
}

/** Set-Cookie value for a Response (route handlers); with next/headers use `cookies().set(name, token, options)`. */
export function serializeSessionCookie(token: string, expiresAt: Date, nodeEnv = process.env.NODE_ENV): string {
  const o = sessionCookieOptions(expiresAt, nodeEnv);
  return [`${SESSION_COOKIE}=${token}`, `Path=${o.path}`, `Expires=${o.expires.toUTCString()}`, 'HttpOnly', 'SameSite=Lax', ...(o.secure ? ['Secure'] : [])].join('; ');
}

export function clearSessionCookie(nodeEnv = process.env.NODE_ENV): string {
  return serializeSessionCookie('', new Date(0), nodeEnv);
}

/** Reads one cookie from a Cookie header without decoding surprises (our token is base64url). */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
