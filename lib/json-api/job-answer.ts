import 'server-only';
import type { JobView } from '@/lib/admin/jobs';

/** 202 Accepted for a background cache job, pointing at the resource that reports its progress. */
export const jobAccepted = (job: JobView): Response => Response.json(job, { status: 202, headers: { Location: `/api/cache/jobs/${job.id}` } });
