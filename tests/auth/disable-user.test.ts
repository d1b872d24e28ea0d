import { describe, expect, it } from 'vitest';
import { loginWithPassword } from '@/lib/auth/login';
import { createSession } from '@/lib/auth/sessions';
import { patients } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { createUser, disableUser } from '@/lib/write-door';
import { call, useApi } from '../api/support';

const api = useApi({ patients: 60 });

describe('disabling a user (npm run user:disable)', () => {
  it('ends their sessions at once, although their identity and a profile were cached, and refuses their sign-in', async () => {
    const password = 'a-long-enough-password';
    const user = await createUser({ email: 'leaving@test.local', name: 'Leaving', role: 'clinician', password });
    const cookie = { cookie: `mizaj_session=${(await createSession(api.db.db, user.id)).token}` };
    const [p] = await api.db.db.select().from(patients).limit(1);
    const path = `/api/patients/${p!.id}/profile`;
    expect((await call('GET', path, { headers: cookie })).status).toBe(200);
    expect((await call('GET', path, { headers: cookie })).headers.get('x-cache')).toBe('HIT');

    expect(await disableUser('Leaving@test.local')).toBe(true);
    expect((await call('GET', path, { headers: cookie })).status).toBe(401);
    await expect(loginWithPassword(api.db.db, { email: 'leaving@test.local', password, ip: '10.9.9.9' })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await disableUser('nobody@test.local')).toBe(false);
  });
});
