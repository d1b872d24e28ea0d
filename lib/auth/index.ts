import 'server-only';

export { createApiKey, listApiKeys, markApiKeyRevoked, verifyApiKey, type ApiKeyInfo } from './api-keys';
export { DEMO_USERS, demoSignInRefused, ensureDemoUsers } from './demo-users';
export { assertAccess, canAccess, requireIdentity } from './guards';
export { authenticate, getIdentity, headerValue, type AuthResult, type HeaderSource } from './identity';
export { loginWithPassword, signInWithPassword, type LoginResult } from './login';
export { hashPassword, needsRehash, verifyPassword } from './password';
export { createLoginRateLimiter, getLoginRateLimiter, type LoginRateLimiter } from './rate-limit';
export { API_KEY_SCOPES, type AccessLevel, type ApiKeyScope, type Identity } from './scopes';
export { clearSessionCookie, readCookie, serializeSessionCookie, SESSION_COOKIE, sessionCookieOptions } from './session-cookie';
export { createSession, deleteExpiredSessions, deleteSession, getSessionUser, SESSION_TTL_MS, type SessionUser } from './sessions';
export { createUser, findUserByEmail, normalizeEmail, newUserSchema } from './users';
