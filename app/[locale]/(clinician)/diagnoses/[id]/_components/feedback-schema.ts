import { z } from 'zod';

export const FEEDBACK_FIELDS = ['recommendationId', 'rating', 'adherence', 'sideEffects', 'comment'] as const;
export type FeedbackField = (typeof FEEDBACK_FIELDS)[number];

/** Form values as typed, echoed back after a failed submit so nothing the clinician entered is lost. */
export type FeedbackValues = Partial<Record<FeedbackField, string>>;

/**
 * The form's own check, with messages in the UI language, before the service's (which re-validates and
 * also checks the recommendation belongs to the diagnosis's condition). `t` maps a message key to text.
 */
export function feedbackFormSchema(t: (key: 'recommendation' | 'rating' | 'adherence' | 'sideEffects' | 'comment') => string) {
  const whole = (min: number, max: number, message: string) =>
    z
      .string({ error: message })
      .trim()
      .regex(/^-?\d+$/, message)
      .transform(Number)
      .pipe(z.number().int(message).min(min, message).max(max, message));
  return z.object({
    recommendationId: whole(1, 2_147_483_647, t('recommendation')),
    rating: whole(1, 5, t('rating')),
    adherence: whole(0, 100, t('adherence')),
    sideEffects: z.string().trim().max(500, t('sideEffects')).optional(),
    comment: z.string().trim().max(2000, t('comment')).optional(),
  });
}
