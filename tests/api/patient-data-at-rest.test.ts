import { randomBytes } from 'node:crypto';
import { isNotNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { diagnoses, feedback, patients } from '@/lib/db/schema';
import { call, useApi } from './support';

process.env.CACHE_ENCRYPTION_KEYS = randomBytes(32).toString('base64');
const api = useApi({ patients: 30 });

describe('patient data at rest in Redis', () => {
  it('after browsing patients, no key holds a patient name, a diagnosis note or a feedback comment in clear', async () => {
    const db = api.db.db;
    const ps = await db.select().from(patients);
    const ds = await db.select().from(diagnoses).where(isNotNull(diagnoses.notes));
    const comments = (await db.select({ c: feedback.comment, r: feedback.recommendationId }).from(feedback).where(isNotNull(feedback.comment))).filter((f) => f.c);
    for (const p of ps) expect((await call('GET', `/api/patients/${p.id}/profile`, { headers: api.as.clinician })).status).toBe(200);
    for (const d of ds.slice(0, 20)) expect((await call('GET', `/api/predictions/diagnosis/${d.id}/predict`, { headers: api.as.readKey })).status).toBe(200);
    for (const r of new Set(comments.map((f) => f.r))) await call('GET', `/api/feedback/recommendation/${r}/summary`, { headers: api.as.readKey });

    const values: string[] = [];
    for await (const keys of api.redis.scanStream({ match: `${api.prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      for (const k of keys) if ((await api.redis.type(k)) === 'string') values.push((await api.redis.get(k)) ?? '');
    }
    const dump = values.join('\n');
    expect(values.filter((v) => v.startsWith('m4|e.')).length).toBeGreaterThan(ps.length); // the entries are there, sealed
    const secrets = [...ps.map((p) => p.name), ...ds.map((d) => d.notes!).filter((n) => n.length > 8), ...comments.map((f) => f.c!).filter((c) => c.length > 8)];
    expect(secrets.length).toBeGreaterThan(ps.length);
    expect(secrets.filter((s) => dump.includes(s))).toEqual([]);
    // Pages read the same entries: a profile read back through the cache still has the name.
    const again = await (await call('GET', `/api/patients/${ps[0]!.id}/profile`, { headers: api.as.clinician })).json();
    expect(again.patient.name).toBe(ps[0]!.name);
  });
});
