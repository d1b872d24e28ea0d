'use server';

import { getLocale, getTranslations } from 'next-intl/server';
import { canAccess } from '@/lib/auth';
import { getCurrentUser } from '@/lib/auth/current-user';
import { invalidateTags } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { ServiceUnavailableError, ValidationError } from '@/lib/errors';
import { toAsciiDigits } from '@/lib/i18n/format';
import { redirect } from '@/lib/i18n/navigation';
import { feedbackTags } from '@/lib/reads/invalidations';
import { submitFeedback } from '@/lib/services';
import { FEEDBACK_FIELDS, feedbackFormSchema, type FeedbackField, type FeedbackValues } from './_components/feedback-schema';

export type FeedbackState = {
  formError?: string;
  fieldErrors?: Partial<Record<FeedbackField, string>>;
  values?: FeedbackValues;
};

/**
 * Records feedback on a diagnosis: role check on the server, the form's zod check (messages in the UI
 * language), the service's transaction, then invalidation of exactly the tags that row changed, then a
 * redirect so the page re-reads the fresh numbers.
 */
export async function recordFeedback(_prev: FeedbackState, data: FormData): Promise<FeedbackState> {
  const locale = await getLocale();
  const t = await getTranslations('Feedback.errors');
  const values: FeedbackValues = Object.fromEntries(
    FEEDBACK_FIELDS.map((f) => [f, typeof data.get(f) === 'string' ? String(data.get(f)) : '']),
  );
  const diagnosisId = Number(data.get('diagnosisId'));

  const user = await getCurrentUser();
  if (!user) return redirect({ href: { pathname: '/sign-in', query: { next: `/diagnoses/${diagnosisId}` } }, locale });
  if (!canAccess({ kind: 'user', ...user }, 'write')) return { formError: t('forbidden'), values };

  // Persian and Arabic keyboards type their own digits; the numbers mean the same.
  const numeric = (v: string | undefined) => (v === undefined ? v : toAsciiDigits(v));
  const parsed = feedbackFormSchema((k) => t(k)).safeParse({
    recommendationId: values.recommendationId,
    rating: numeric(values.rating),
    adherence: numeric(values.adherence),
    sideEffects: values.sideEffects,
    comment: values.comment,
  });
  if (!parsed.success) {
    const fieldErrors: FeedbackState['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FeedbackField;
      fieldErrors[field] ??= issue.message;
    }
    return { formError: t('summary'), fieldErrors, values };
  }

  let result;
  try {
    result = await submitFeedback(await getDb(), { diagnosisId, ...parsed.data });
  } catch (err) {
    if (err instanceof ValidationError) {
      // The form's check passed, so this is a recommendation that is not for this diagnosis (or a stale page).
      return { formError: t('summary'), fieldErrors: { recommendationId: t('recommendation') }, values };
    }
    return { formError: t('unavailable'), values };
  }

  let lagging = false;
  try {
    await invalidateTags(feedbackTags(result));
  } catch (err) {
    // The row is written; only the cache could not be told. Say so instead of failing the request.
    if (!(err instanceof ServiceUnavailableError)) throw err;
    lagging = true;
  }
  redirect({
    href: {
      pathname: `/diagnoses/${diagnosisId}`,
      query: { saved: String(result.recommendationId), ...(lagging ? { lag: '1' } : {}) },
    },
    locale,
  });
  return {};
}
