import { getTranslations } from 'next-intl/server';
import { getCurrentUser } from '@/lib/auth/current-user';
import { Link } from '@/lib/i18n/navigation';
import { signOut } from '../sign-out/actions';
import { LocaleSwitcher } from './locale-switcher';

export async function SiteHeader() {
  const [t, tApp, user] = await Promise.all([getTranslations('Nav'), getTranslations('App'), getCurrentUser()]);
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          {tApp('name')}
        </Link>
        <nav aria-label={t('main')} className="main-nav">
          <ul>
            <li>
              <Link href="/">{t('home')}</Link>
            </li>
            <li>
              <Link href="/patients">{t('patients')}</Link>
            </li>
            {user?.role === 'admin' && (
              <li>
                <Link href="/admin">{t('admin')}</Link>
              </li>
            )}
          </ul>
        </nav>
        <div className="session">
          {user ? (
            <form action={signOut} className="sign-out">
              <span className="who">{t('signedInAs', { name: user.name })}</span>
              <button type="submit" className="button-link">
                {t('signOut')}
              </button>
            </form>
          ) : (
            <Link href="/sign-in">{t('signIn')}</Link>
          )}
        </div>
        <LocaleSwitcher />
      </div>
    </header>
  );
}
