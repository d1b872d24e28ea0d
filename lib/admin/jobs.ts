import 'server-only';
import { randomUUID } from 'node:crypto';
import { getCache, type CategoryName } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { invalidateDurably } from '@/lib/write-door';
import { purgeCategory, warmCategory, type Actor } from './cache-admin';
import { refreshKeyspace } from './sampler';

export type JobKind = 'purge' | 'warm';
export type JobStatus = 'running' | 'done' | 'stopped' | 'failed';

/** Plain data, sent as is to the dashboard's polling client. */
export interface JobView {
  id: string;
  kind: JobKind;
  category: string;
  status: JobStatus;
  startedAt: number;
  finishedAt?: number;
  /** purge: keys scanned/deleted; warm: tasks done/total/failed. */
  progress: { scanned: number; deleted: number; done: number; total: number; failed: number };
  error?: string;
}

interface Job extends JobView {
  controller: AbortController;
}

const KEEP_FINISHED_MS = 10 * 60_000;
const HOLDER = Symbol.for('mizaj.admin-jobs');
type Holder = { [HOLDER]?: Map<string, Job> };

/**
 * Long admin operations run here, outside the request that starts them: the action returns a job id at
 * once and the page polls it for progress and may stop it. Jobs live in the process that started them
 * (documented in docs/dashboard.md: behind a load balancer, polls need sticky sessions to see progress;
 * the work itself and its audit row do not depend on that).
 */
function jobs(): Map<string, Job> {
  const holder = globalThis as Holder;
  return (holder[HOLDER] ??= new Map());
}

function prune(now: number): void {
  for (const [id, job] of jobs()) if (job.finishedAt && now - job.finishedAt > KEEP_FINISHED_MS) jobs().delete(id);
}

const view = ({ controller: _c, ...job }: Job): JobView => ({ ...job, progress: { ...job.progress } });

function start(kind: JobKind, category: CategoryName, run: (job: Job) => Promise<void>): JobView {
  prune(Date.now());
  // One purge and one warm per category at a time: a second click joins the running job.
  for (const job of jobs().values()) if (job.kind === kind && job.category === category && job.status === 'running') return view(job);
  const job: Job = {
    id: randomUUID(),
    kind,
    category,
    status: 'running',
    startedAt: Date.now(),
    progress: { scanned: 0, deleted: 0, done: 0, total: 0, failed: 0 },
    controller: new AbortController(),
  };
  jobs().set(job.id, job);
  void (async () => {
    let status: JobStatus;
    try {
      await run(job);
      status = job.controller.signal.aborted ? 'stopped' : 'done';
    } catch (err) {
      status = job.controller.signal.aborted ? 'stopped' : 'failed';
      job.error = err instanceof Error ? err.message : String(err);
    }
    // Fresh key counts before the job reads as finished: the page reloads then (a failed scan keeps the last one).
    try {
      await refreshKeyspace(getCache(), await getDb());
    } catch {
      /* the sampler's next scan catches up */
    }
    job.status = status;
    job.finishedAt = Date.now();
  })();
  return view(job);
}

export function startPurgeJob(actor: Actor, category: CategoryName): JobView {
  return start('purge', category, async (job) => {
    const report = await purgeCategory(await getDb(), actor, category, {
      signal: job.controller.signal,
      onProgress: (p) => Object.assign(job.progress, { scanned: p.scanned, deleted: p.deleted }),
    });
    Object.assign(job.progress, { scanned: report.scanned, deleted: report.keysDeleted });
  });
}

/**
 * The API's category purge: the O(1) invalidation is recorded before the caller gets its 202 (no read
 * after that returns an old entry); the job then frees the keys in batches.
 */
export async function startCategoryPurge(actor: Actor, category: CategoryName): Promise<JobView> {
  await invalidateDurably({ categories: [category] });
  return startPurgeJob(actor, category);
}

export function startWarmJob(actor: Actor, category: CategoryName): JobView {
  return start('warm', category, async (job) => {
    const report = await warmCategory(await getDb(), actor, category, {
      signal: job.controller.signal,
      onProgress: (p) => Object.assign(job.progress, { done: p.done, total: p.total, failed: p.failed }),
    });
    Object.assign(job.progress, { done: report.warmed, total: report.total, failed: report.failed });
  });
}

export function getJob(id: string): JobView | undefined {
  const job = jobs().get(id);
  return job ? view(job) : undefined;
}

export function stopJob(id: string): JobView | undefined {
  const job = jobs().get(id);
  if (job?.status === 'running') job.controller.abort();
  return job ? view(job) : undefined;
}
