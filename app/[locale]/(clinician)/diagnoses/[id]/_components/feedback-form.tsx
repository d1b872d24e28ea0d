'use client';

import { useActionState } from 'react';
import { useTranslations } from 'next-intl';
import { recordFeedback, type FeedbackState } from '../actions';
import type { FeedbackField } from './feedback-schema';

type Option = { id: number; label: string };

/**
 * Browser validation is off (noValidate) so every check, and its message in the UI language, comes from
 * the server action: one set of rules, readable by screen readers through aria-describedby.
 */
export function FeedbackForm({ diagnosisId, idempotencyKey, options }: { diagnosisId: number; idempotencyKey: string; options: Option[] }) {
  const t = useTranslations('Feedback');
  const [state, action, pending] = useActionState<FeedbackState, FormData>(recordFeedback, {});
  const err = (f: FeedbackField) => state.fieldErrors?.[f];
  const described = (f: FeedbackField, hint?: string) => [hint, err(f) ? `${f}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const v = state.values ?? {};
  // A new key after each answer remounts the fields so their defaults show the echoed values.
  const formKey = JSON.stringify(v);

  return (
    <form action={action} noValidate className="stack form" key={formKey} data-testid="feedback-form">
      {state.formError ? (
        <div role="alert" className="alert alert-error" data-testid="feedback-error">
          <p>{state.formError}</p>
          {state.fieldErrors ? (
            <ul>
              {Object.entries(state.fieldErrors).map(([f, m]) => (
                <li key={f}>
                  <a href={`#fb-${f}`}>{m}</a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <input type="hidden" name="diagnosisId" value={diagnosisId} />
      {/* One per rendered form: a double click or a resubmitted page records the feedback once. */}
      <input type="hidden" name="idempotencyKey" value={idempotencyKey} />

      <div className="field">
        <label htmlFor="fb-recommendationId">{t('recommendation')}</label>
        <select
          id="fb-recommendationId"
          name="recommendationId"
          defaultValue={v.recommendationId ?? ''}
          aria-invalid={err('recommendationId') ? true : undefined}
          aria-describedby={described('recommendationId')}
        >
          <option value="">{t('choose')}</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
        <FieldError id="recommendationId-error" message={err('recommendationId')} />
      </div>

      <div className="field-row">
        <div className="field">
          <label htmlFor="fb-rating">{t('rating')}</label>
          <input
            id="fb-rating"
            name="rating"
            inputMode="numeric"
            defaultValue={v.rating ?? ''}
            aria-invalid={err('rating') ? true : undefined}
            aria-describedby={described('rating', 'rating-hint')}
          />
          <p id="rating-hint" className="hint">
            {t('ratingHint')}
          </p>
          <FieldError id="rating-error" message={err('rating')} />
        </div>
        <div className="field">
          <label htmlFor="fb-adherence">{t('adherence')}</label>
          <input
            id="fb-adherence"
            name="adherence"
            inputMode="numeric"
            defaultValue={v.adherence ?? ''}
            aria-invalid={err('adherence') ? true : undefined}
            aria-describedby={described('adherence', 'adherence-hint')}
          />
          <p id="adherence-hint" className="hint">
            {t('adherenceHint')}
          </p>
          <FieldError id="adherence-error" message={err('adherence')} />
        </div>
      </div>

      <div className="field">
        <label htmlFor="fb-sideEffects">{t('sideEffects')}</label>
        <input
          id="fb-sideEffects"
          name="sideEffects"
          defaultValue={v.sideEffects ?? ''}
          aria-invalid={err('sideEffects') ? true : undefined}
          aria-describedby={described('sideEffects')}
        />
        <FieldError id="sideEffects-error" message={err('sideEffects')} />
      </div>

      <div className="field">
        <label htmlFor="fb-comment">{t('comment')}</label>
        <textarea
          id="fb-comment"
          name="comment"
          rows={3}
          defaultValue={v.comment ?? ''}
          aria-invalid={err('comment') ? true : undefined}
          aria-describedby={described('comment')}
        />
        <FieldError id="comment-error" message={err('comment')} />
      </div>

      <button type="submit" className="button" disabled={pending}>
        {pending ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}
