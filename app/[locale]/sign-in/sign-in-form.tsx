'use client';

import { useActionState } from 'react';
import { useTranslations } from 'next-intl';
import { signIn, type SignInState } from './actions';

export function SignInForm({ next }: { next: string | undefined }) {
  const t = useTranslations('SignIn');
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, {});
  return (
    <form action={action} className="stack form" aria-describedby={state.error ? 'sign-in-error' : undefined}>
      {state.error ? (
        <p id="sign-in-error" role="alert" className="alert alert-error">
          {t(`errors.${state.error}`)}
        </p>
      ) : null}
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <div className="field">
        <label htmlFor="email">{t('email')}</label>
        <input id="email" name="email" type="email" autoComplete="username" required dir="ltr" defaultValue={state.email} />
      </div>
      <div className="field">
        <label htmlFor="password">{t('password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required dir="ltr" />
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}
