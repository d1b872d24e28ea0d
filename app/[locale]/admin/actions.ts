'use server';

import { z } from 'zod';
import { adminActor, checkAdmin } from '@/lib/admin/access';
import { isCategory, purgeTag } from '@/lib/admin/cache-admin';
import { getJob, startPurgeJob, startWarmJob, stopJob, type JobView } from '@/lib/admin/jobs';
import { storableText } from '@/lib/domain/shared/validation';

/**
 * The dashboard's server actions. Each checks the admin role itself: a server action is a public POST
 * endpoint whatever the page around its button does.
 */

export type ActionResult<T> = { ok: true; value: T } | { ok: false; error: 'forbidden' | 'invalid' | 'confirm' | 'notFound' | 'failed'; message?: string };

const category = z.string().max(32).refine(isCategory);
const tag = storableText().trim().min(1).max(200);
const jobId = z.uuid();

export async function startPurge(rawCategory: string, typedName: string): Promise<ActionResult<JobView>> {
  const admin = await checkAdmin();
  if (!admin) return { ok: false, error: 'forbidden' };
  const parsed = category.safeParse(rawCategory);
  if (!parsed.success || !isCategory(parsed.data)) return { ok: false, error: 'invalid' };
  // In production the admin types the category's name; a bare "OK" is too easy to click at night.
  if (process.env.NODE_ENV === 'production' && typedName.trim() !== parsed.data) return { ok: false, error: 'confirm' };
  return { ok: true, value: startPurgeJob(adminActor(admin), parsed.data) };
}

export async function startWarm(rawCategory: string): Promise<ActionResult<JobView>> {
  const admin = await checkAdmin();
  if (!admin) return { ok: false, error: 'forbidden' };
  const parsed = category.safeParse(rawCategory);
  if (!parsed.success || !isCategory(parsed.data)) return { ok: false, error: 'invalid' };
  return { ok: true, value: startWarmJob(adminActor(admin), parsed.data) };
}

export async function jobStatus(id: string): Promise<ActionResult<JobView>> {
  if (!(await checkAdmin())) return { ok: false, error: 'forbidden' };
  const parsed = jobId.safeParse(id);
  const job = parsed.success ? getJob(parsed.data) : undefined;
  return job ? { ok: true, value: job } : { ok: false, error: 'notFound' };
}

export async function stopJobAction(id: string): Promise<ActionResult<JobView>> {
  if (!(await checkAdmin())) return { ok: false, error: 'forbidden' };
  const parsed = jobId.safeParse(id);
  const job = parsed.success ? stopJob(parsed.data) : undefined;
  return job ? { ok: true, value: job } : { ok: false, error: 'notFound' };
}

export async function purgeTagAction(rawTag: string): Promise<ActionResult<{ tag: string; receivers: number }>> {
  const admin = await checkAdmin();
  if (!admin) return { ok: false, error: 'forbidden' };
  const parsed = tag.safeParse(rawTag);
  if (!parsed.success) return { ok: false, error: 'invalid' };
  try {
    const report = await purgeTag(adminActor(admin), parsed.data);
    return { ok: true, value: { tag: parsed.data, receivers: report.receivers } };
  } catch (err) {
    return { ok: false, error: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}
