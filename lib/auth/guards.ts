import 'server-only';
import { ForbiddenError, UnauthorizedError } from '@/lib/errors';
import type { AccessLevel, Identity } from './scopes';

/**
 * The access policy in one place. Roles are ordered admin ⊇ clinician (an admin may also write clinical
 * data); API keys never reach admin, whatever their scopes.
 */
export function canAccess(identity: Identity | null, level: AccessLevel): boolean {
  if (level === 'public') return true;
  if (!identity) return false;
  switch (level) {
    case 'read':
      return identity.kind === 'user' || identity.scopes.includes('read');
    case 'write':
      return identity.kind === 'user' ? identity.role === 'clinician' || identity.role === 'admin' : identity.scopes.includes('write');
    case 'admin':
      return identity.kind === 'user' && identity.role === 'admin';
  }
}

/** Throws 401 without an identity, 403 with one that lacks the level. */
export function assertAccess(identity: Identity | null, level: AccessLevel, unauthenticatedDetail?: string): void {
  if (canAccess(identity, level)) return;
  if (!identity) throw new UnauthorizedError(unauthenticatedDetail);
  throw new ForbiddenError(
    level === 'admin' ? 'This needs an admin user' : identity.kind === 'apikey' ? `This API key lacks the ${level} scope` : 'This needs a clinician user',
  );
}

export const requireIdentity = (identity: Identity | null): Identity => {
  if (!identity) throw new UnauthorizedError();
  return identity;
};
