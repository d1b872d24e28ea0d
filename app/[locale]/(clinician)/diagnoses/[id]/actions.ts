'use server';

import { getLocale, getTranslations } from 'next-intl/server';
import { canAccess } from '@/lib/auth';
import { getCurrentUser } from '@/lib/auth/current-user';
import { IdempotencyKeyReusedError, ValidationError } from '@/lib/errors';
import { toAsciiDigits } from '@/lib/i18n/format';
import { redirect } from '@/lib/i18n/navigation';
import { fingerprint, parseIdempotencyKey, recordFeedback as writeFeedback } from '@/lib/write-door';
import { FEEDBACK_FIELDS, feedbackFormSchema, type FeedbackField, type FeedbackValues } from './_components/feedback-schema';

export type FeedbackState = {
  formError?: string;
  fieldErrors?: Partial<Record<FeedbackField, string>>;
  values?: FeedbackValues;
};

/**
 * Records feedback on a diagnosis: role check on the server, the form's zod check (messages in the UI
 * language), then the same write door as the API (the row and its invalidation commit together), then a
 * redirect so the page re-reads the fresh numbers. Each rendered form carries its own Idempotency-Key, so a
 * double click or a resubmitted page writes once.
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

  const input = { diagnosisId, ...parsed.data };
  let result;
  try {
    const key = parseIdempotencyKey(typeof data.get('idempotencyKey') === 'string' ? String(data.get('idempotencyKey')) : null);
    const idempotency = key ? { request: { credential: `user:${user.id}`, key, fingerprint: fingerprint('POST', 'form:feedback', input) }, status: 201 } : undefined;
    const out = await writeFeedback(input, idempotency ? { idempotency } : {});
    result = out.replayed ? (JSON.parse(out.answer.body) as { recommendationId: number }) : out.result;
  } catch (err) {
    if (err instanceof ValidationError) {
      // The form's check passed, so this is a recommendation that is not for this diagnosis (or a stale page).
      return { formError: t('summary'), fieldErrors: { recommendationId: t('recommendation') }, values };
    }
    if (err instanceof IdempotencyKeyReusedError) return { formError: t('alreadySaved'), values };
    return { formError: t('unavailable'), values };
  }

  redirect({
    href: {
      pathname: `/diagnoses/${diagnosisId}`,
      query: { saved: String(result.recommendationId) },
    },
    locale,
  });
  return {};
}
