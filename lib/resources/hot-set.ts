import 'server-only';
import { desc } from 'drizzle-orm';
import { diagnoses } from '@/lib/db/schema';
import type { Db } from '@/lib/db/types';
import { listTopRecommendations } from '@/lib/domain';

/** What warmers fill: the top recommendations by effectiveness and the most recent diagnoses. */
const HOT_RECOMMENDATIONS = 50;
const RECENT_DIAGNOSES = 200;

export const hotRecommendations = (db: Db) => listTopRecommendations(db, HOT_RECOMMENDATIONS);

export const recentDiagnoses = (db: Db) =>
  db.select({ id: diagnoses.id }).from(diagnoses).orderBy(desc(diagnoses.createdAt)).limit(RECENT_DIAGNOSES);
