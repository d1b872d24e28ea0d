import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { feedback } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { feedbackInputSchema, submitFeedback } from '@/lib/domain';
import { useTestDb } from '@/tests/support/test-db';
import { loadFixture } from './fixture';

// useTestDb() inside describe: eslint's react-hooks rule mistakes a top-level use* call for a React hook.
describe('feedback submission on the fixture', () => {
const t = useTestDb();
beforeAll(async () => {
  await loadFixture(t.db);
});

const countFeedback = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(feedback))[0]!.n;
const valid = { recommendationId: 2, diagnosisId: 2, rating: 5, adherence: 100 };

async function rejected(input: unknown): Promise<ValidationError> {
  const before = await countFeedback();
  const err = await submitFeedback(t.db, input).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect(await countFeedback()).toBe(before);
  return err as ValidationError;
}

describe('submitFeedback', () => {
  it.each([0, 6, 3.5])('rejects rating %s with an issue on rating and writes nothing', async (rating) => {
    const err = await rejected({ ...valid, rating });
    expect(err.issues.map((i) => i.path)).toEqual(['rating']);
  });

  it('rejects an unknown recommendation', async () => {
    const err = await rejected({ ...valid, recommendationId: 999 });
    expect(err.issues).toEqual([{ path: 'recommendationId', message: 'recommendation 999 does not exist' }]);
  });

  it('rejects an unknown diagnosis', async () => {
    expect((await rejected({ ...valid, diagnosisId: 999 })).issues.map((i) => i.path)).toEqual(['diagnosisId']);
  });

  it('rejects a missing field, naming it', async () => {
    const { adherence: _omitted, ...missing } = valid;
    void _omitted;
    expect((await rejected(missing)).issues.map((i) => i.path)).toEqual(['adherence']);
  });

  it('rejects adherence out of range, unknown keys and non-objects', async () => {
    expect((await rejected({ ...valid, adherence: 101 })).issues.map((i) => i.path)).toEqual(['adherence']);
    expect((await rejected({ ...valid, patientName: 'x' })).issues.length).toBe(1);
    await rejected(null);
  });

  it('rejects a recommendation that is not for the diagnosis condition', async () => {
    // rec 3 is for migraine; diagnosis 2 is dyspepsia.
    const err = await rejected({ ...valid, recommendationId: 3 });
    expect(err.issues[0]?.path).toBe('recommendationId');
    expect(err.issues[0]?.message).toMatch(/not for the condition/);
  });

  it('rejects a patient that does not own the diagnosis', async () => {
    expect((await rejected({ ...valid, patientId: 1 })).issues.map((i) => i.path)).toEqual(['patientId']);
  });

  it('stores valid feedback in one go and says what it touched', async () => {
    const before = await countFeedback();
    const result = await submitFeedback(t.db, { ...valid, patientId: 2, comment: '  felt lighter  ', sideEffects: '' });
    expect(result).toMatchObject({ recommendationId: 2, diagnosisId: 2, patientId: 2, conditionId: 1 });
    expect(await countFeedback()).toBe(before + 1);
    const [row] = await t.db.select().from(feedback).where(eq(feedback.id, result.feedbackId));
    expect(row).toMatchObject({ rating: 5, adherence: 100, patientId: 2, comment: 'felt lighter', sideEffects: null });
  });

  it('exports the input schema for the API', () => {
    expect(feedbackInputSchema.safeParse(valid).success).toBe(true);
    expect(feedbackInputSchema.safeParse({ ...valid, rating: '5' }).success).toBe(false);
  });
});
});
