import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Temperament codes shared by patients (their mizaj) and remedies (their nature). */
export const MIZAJ_TYPES = ['garm_tar', 'garm_khoshk', 'sard_tar', 'sard_khoshk', 'motadel'] as const;
export type MizajType = (typeof MIZAJ_TYPES)[number];
export const RECOMMENDATION_KINDS = ['herbal', 'dietary', 'lifestyle'] as const;
export const USER_ROLES = ['admin', 'clinician'] as const;
export type UserRole = (typeof USER_ROLES)[number];

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const patients = pgTable(
  'patients',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    mizajType: text('mizaj_type', { enum: MIZAJ_TYPES }).notNull(),
    birthYear: smallint('birth_year').notNull(),
    sex: text('sex', { enum: ['f', 'm'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_patient_mizaj_type').on(t.mizajType),
    // Substring search on names (ILIKE '%q%') needs trigrams; a btree cannot serve a leading wildcard.
    index('idx_patient_name_trgm').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const healthRecords = pgTable(
  'health_records',
  {
    id: serial('id').primaryKey(),
    patientId: integer('patient_id')
      .notNull()
      .references(() => patients.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    data: jsonb('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_health_record_created').on(t.createdAt),
    index('idx_health_record_patient_created').on(t.patientId, t.createdAt),
  ],
);

export const conditions = pgTable('conditions', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  nameFa: text('name_fa').notNull(),
  nameEn: text('name_en').notNull(),
  nameAr: text('name_ar').notNull(),
});

export const recommendations = pgTable(
  'recommendations',
  {
    id: serial('id').primaryKey(),
    conditionId: integer('condition_id')
      .notNull()
      .references(() => conditions.id),
    /** The remedy this recommendation applies (one remedy serves several conditions). */
    remedyCode: text('remedy_code').notNull(),
    kind: text('kind', { enum: RECOMMENDATION_KINDS }).notNull(),
    nameFa: text('name_fa').notNull(),
    nameEn: text('name_en').notNull(),
    nameAr: text('name_ar').notNull(),
    dosage: text('dosage').notNull(),
    temperament: text('temperament', { enum: MIZAJ_TYPES }).notNull(),
    effectivenessScore: real('effectiveness_score').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_recommendation_effectiveness').on(t.effectivenessScore),
    index('idx_recommendation_condition').on(t.conditionId),
    uniqueIndex('uq_recommendation_condition_remedy').on(t.conditionId, t.remedyCode),
  ],
);

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: USER_ROLES }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
  /** A disabled user signs in no more and their sessions are refused (revocation is final). */
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export const diagnoses = pgTable(
  'diagnoses',
  {
    id: serial('id').primaryKey(),
    patientId: integer('patient_id')
      .notNull()
      .references(() => patients.id, { onDelete: 'cascade' }),
    conditionId: integer('condition_id')
      .notNull()
      .references(() => conditions.id),
    clinicianId: integer('clinician_id').references(() => users.id, { onDelete: 'set null' }),
    notes: text('notes'),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_diagnosis_condition_patient').on(t.conditionId, t.patientId),
    index('idx_diagnosis_patient').on(t.patientId, t.conditionId),
    index('idx_diagnosis_created').on(t.createdAt),
  ],
);

export const feedback = pgTable(
  'feedback',
  {
    id: serial('id').primaryKey(),
    recommendationId: integer('recommendation_id')
      .notNull()
      .references(() => recommendations.id),
    diagnosisId: integer('diagnosis_id')
      .notNull()
      .references(() => diagnoses.id, { onDelete: 'cascade' }),
    patientId: integer('patient_id')
      .notNull()
      .references(() => patients.id, { onDelete: 'cascade' }),
    rating: smallint('rating').notNull(),
    /** Share of the prescribed course the patient followed, 0–100 %. */
    adherence: smallint('adherence').notNull(),
    sideEffects: text('side_effects'),
    comment: text('comment'),
    createdAt: createdAt(),
    /**
     * The patient's mizaj when they rated, copied by the trigger feedback_set_mizaj (migration 0004) on every
     * insert, whoever writes: analytics groups by it without a patients lookup per rating.
     */
    mizajType: text('mizaj_type', { enum: MIZAJ_TYPES }),
  },
  (t) => [
    index('idx_feedback_recommendation_created').on(t.recommendationId, t.createdAt),
    // Lets counts, means and histograms per recommendation run as index-only scans.
    index('idx_feedback_recommendation_rating').on(t.recommendationId, t.rating),
    index('idx_feedback_diagnosis').on(t.diagnosisId),
    index('idx_feedback_created').on(t.createdAt),
    check('feedback_rating_range', sql`${t.rating} between 1 and 5`),
    check('feedback_adherence_range', sql`${t.adherence} between 0 and 100`),
  ],
);

/**
 * The patients who can inform a prediction for a condition: diagnosed with it and rated a remedy for that
 * diagnosis, with their current mizaj and birth year. Derived, never written by the app: triggers on feedback,
 * diagnoses and patients keep it equal to its definition (migration 0005), whoever writes. A prediction walks
 * its key outwards from a birth year and stops after 20 rows, where walking patients and probing each for a
 * rated diagnosis read many times as many.
 */
export const conditionRaters = pgTable(
  'condition_raters',
  {
    conditionId: integer('condition_id').notNull(),
    mizajType: text('mizaj_type', { enum: MIZAJ_TYPES }).notNull(),
    birthYear: smallint('birth_year').notNull(),
    patientId: integer('patient_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conditionId, t.mizajType, t.birthYear, t.patientId] }), index('idx_condition_raters_patient').on(t.patientId, t.conditionId)],
);

/** What a recommendation's analytics are grouped by: one row per value of each, and one `total` row. */
export const FEEDBACK_STATS_DIMENSIONS = ['total', 'rating', 'mizaj', 'month', 'bucket'] as const;

/**
 * A recommendation's feedback counted once per dimension and value (rating 1–5, the rater's mizaj, the month
 * as 'YYYY-MM' in UTC, the adherence bucket; `total` with the value ''), with the sums that give its means.
 * Derived, never written by the app: triggers on feedback keep it equal to its definition (migration 0006),
 * whoever writes. Analytics reads a recommendation's few dozen rows instead of aggregating every rating it has.
 */
export const feedbackStats = pgTable(
  'feedback_stats',
  {
    recommendationId: integer('recommendation_id').notNull(),
    dimension: text('dimension', { enum: FEEDBACK_STATS_DIMENSIONS }).notNull(),
    value: text('value').notNull(),
    n: integer('n').notNull(),
    ratingSum: bigint('rating_sum', { mode: 'number' }).notNull(),
    adherenceSum: bigint('adherence_sum', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.recommendationId, t.dimension, t.value] })],
);

export const apiKeys = pgTable('api_keys', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** First characters of the key, shown in lists so a key can be recognised without revealing it. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key; the key itself is shown once at creation and never stored. */
  hash: text('hash').notNull().unique(),
  scopes: text('scopes').array().notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the session token held in the cookie. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('idx_session_user').on(t.userId)],
);

export const adminAudit = pgTable(
  'admin_audit',
  {
    id: serial('id').primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    ok: boolean('ok').notNull(),
    result: jsonb('result'),
    createdAt: createdAt(),
  },
  (t) => [index('idx_admin_audit_created').on(t.createdAt)],
);

export const METRIC_KINDS = ['category', 'redis', 'keyspace'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

export const cacheMetricSamples = pgTable(
  'cache_metric_samples',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull().defaultNow(),
    /** Which app instance took it; Redis-wide samples use 'redis'. */
    instance: text('instance').notNull(),
    /** 'category' rows carry one category's counters; 'redis' rows carry INFO figures; 'keyspace' rows a key scan. */
    kind: text('kind', { enum: METRIC_KINDS }).notNull(),
    category: text('category'),
    data: jsonb('data').notNull(),
  },
  (t) => [index('idx_cache_metric_samples_taken').on(t.takenAt, t.kind)],
);

/**
 * Downsampled copies of cache_metric_samples for the long dashboard ranges (24 h reads 1-minute buckets,
 * 7 d reads 10-minute ones). Counters are cumulative, so the last sample of a bucket loses nothing for
 * rates between buckets; gauges keep their max/mean over the bucket in `data`.
 */
export const cacheMetricRollups = pgTable(
  'cache_metric_rollups',
  {
    /** Bucket width in seconds. */
    resolution: integer('resolution').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    /** Time of the sample kept for the bucket (its last one). */
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    instance: text('instance').notNull(),
    kind: text('kind', { enum: METRIC_KINDS }).notNull(),
    /** '' for rows without a category, so the primary key stays total. */
    category: text('category').notNull().default(''),
    data: jsonb('data').notNull(),
  },
  (t) => [
    uniqueIndex('uq_cache_metric_rollups').on(t.resolution, t.bucket, t.instance, t.kind, t.category),
    index('idx_cache_metric_rollups_bucket').on(t.resolution, t.bucket),
  ],
);

/**
 * The invalidation outbox: what each write drops from the cache, written in the write's own transaction so
 * an invalidation can never be lost to a cache fault or a process restart (lib/write-door, docs/reliability.md).
 * Rows are applied to Redis in id (commit) order by whichever instance can, then pruned.
 */
export const cacheOutbox = pgTable(
  'cache_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [
    index('idx_cache_outbox_unapplied').on(t.id).where(sql`${t.appliedAt} is null`),
    index('idx_cache_outbox_created').on(t.createdAt),
  ],
);

/**
 * Idempotency-Key records (IETF httpapi draft): the first answer to a write, per credential and key, stored in
 * the write's transaction so a retry replays it instead of writing again. Kept 24 h.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** Who sent it: 'key:<id>' or 'user:<id>', never the secret itself. */
    credential: text('credential').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: smallint('status').notNull(),
    /** The body exactly as first sent (text, not jsonb: a replay must be byte-identical). */
    body: text('body'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.credential, t.key] }),
    index('idx_idempotency_keys_created').on(t.createdAt),
  ],
);

/**
 * The identity (run_id per master) of the Redis each cache prefix last applied invalidations to. When an
 * instance connects to a Redis with another identity (restart from a snapshot, failover to a replica that
 * missed writes), it re-applies the outbox rows still young enough to matter before reading from it.
 */
export const cacheStoreEpochs = pgTable('cache_store_epochs', {
  prefix: text('prefix').primaryKey(),
  serverId: text('server_id').notNull(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Sign-in attempt counters (lib/auth/rate-limit.ts): in PostgreSQL because the cache Redis evicts
 * (allkeys-lru) and forgets on restart, and an evicted counter is a reset limit. Keys are HMACs.
 */
export const loginLimits = pgTable(
  'login_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull(),
    resetAt: timestamp('reset_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('idx_login_limits_reset').on(t.resetAt)],
);

export const PATIENT_ACCESS_VIAS = ['api', 'fast-path', 'page'] as const;
export type PatientAccessVia = (typeof PATIENT_ACCESS_VIAS)[number];

/** Who looked at which patient's data, when and how (kept 1 year; lib/audit/patient-access.ts). */
export const patientAccessAudit = pgTable(
  'patient_access_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** 'user:<id>' or 'key:<id>'. */
    viewer: text('viewer').notNull(),
    /** The user's email or the API key's name at the time. */
    viewerLabel: text('viewer_label').notNull(),
    patientId: integer('patient_id').notNull(),
    /** What was viewed: 'profile' or 'diagnosis:<id>'. */
    resource: text('resource').notNull(),
    via: text('via', { enum: PATIENT_ACCESS_VIAS }).notNull(),
    viewedAt: timestamp('viewed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('idx_patient_access_viewed').on(t.viewedAt), index('idx_patient_access_patient').on(t.patientId, t.viewedAt)],
);
