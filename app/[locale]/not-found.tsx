import { useTranslations } from 'next-intl';
import { Link } from '@/lib/i18n/navigation';

export default function NotFound() {
  const t = useTranslations('Errors');
  return (
    <div className="stack narrow">
      <h1>{t('notFoundTitle')}</h1>
      <p>{t('notFoundText')}</p>
      <p>
        <Link href="/patients">{t('toPatients')}</Link>
      </p>
    </div>
  );
}
