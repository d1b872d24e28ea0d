import 'server-only';
import { z } from 'zod';

const ms = (name: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${name} must be a number of milliseconds` })
    .int(`${name} must be a whole number of milliseconds`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const schema = z.object({
  METRICS_SAMPLE_INTERVAL_MS: ms('METRICS_SAMPLE_INTERVAL_MS', 500, 3_600_000).default(10_000),
  /** How often the lease holder walks the keyspace (one SCAN pass); purges and warms also trigger one. */
  METRICS_KEYSCAN_INTERVAL_MS: ms('METRICS_KEYSCAN_INTERVAL_MS', 1_000, 86_400_000).default(60_000),
  METRICS_RETENTION_DAYS: z.coerce
    .number({ message: 'METRICS_RETENTION_DAYS must be a number of days' })
    .positive('METRICS_RETENTION_DAYS must be > 0')
    .max(366, 'METRICS_RETENTION_DAYS must be at most 366')
    .default(7),
  METRICS_SAMPLER: z.enum(['on', 'off'], { message: 'METRICS_SAMPLER must be on or off' }).default('on'),
});

export type SamplerConfig = { intervalMs: number; keyscanIntervalMs: number; retentionMs: number; enabled: boolean };

/**
 * The sampler's settings from the environment. lib/config.ts belongs to the core; these live beside the
 * sampler and fail the same way: one line naming the variable (thrown at start-up, from lib/startup.ts).
 */
export function parseSamplerConfig(env: Record<string, string | undefined> = process.env): SamplerConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('METRICS_') && v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) throw new Error(`Invalid environment: ${result.error.issues[0]!.message}`);
  const d = result.data;
  return {
    intervalMs: d.METRICS_SAMPLE_INTERVAL_MS,
    keyscanIntervalMs: d.METRICS_KEYSCAN_INTERVAL_MS,
    retentionMs: d.METRICS_RETENTION_DAYS * 86_400_000,
    enabled: d.METRICS_SAMPLER === 'on',
  };
}
