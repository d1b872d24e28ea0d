import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { getCurrentUser, isSafeReturnTo } from '@/lib/auth/current-user';
import { redirect } from '@/lib/i18n/navigation';
import { pageLocale } from '../_components/page-locale';
import { SignInForm } from './sign-in-form';

type Props = { params: Promise<{ locale: string }>; searchParams: Promise<{ next?: string | string[]; forbidden?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'SignIn' }))('title') };
}

export default async function SignInPage({ params, searchParams }: Props) {
  const locale = await pageLocale(params);
  const sp = await searchParams;
  const next = typeof sp.next === 'string' && isSafeReturnTo(sp.next) ? sp.next : undefined;
  const user = await getCurrentUser();
  // Already signed in: go on, unless sent here for lacking a role (then show the form to switch user).
  if (user && !sp.forbidden) redirect({ href: next ?? '/patients', locale });
  const t = await getTranslations('SignIn');
  return (
    <div className="narrow">
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      {sp.forbidden ? (
        <p role="alert" className="alert alert-error">
          {t('forbidden')}
        </p>
      ) : null}
      <SignInForm next={next} />
    </div>
  );
}
