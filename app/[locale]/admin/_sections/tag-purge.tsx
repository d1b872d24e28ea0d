import { getTranslations } from 'next-intl/server';
import { TagPurgeForm } from '../_components/tag-purge-form';

/** Purge by tag. */
export async function TagPurgeSection() {
  const t = await getTranslations('Admin');
  return (
    <section aria-labelledby="tag-h" className="stack">
      <h2 id="tag-h">{t('tag.heading')}</h2>
      <TagPurgeForm />
    </section>
  );
}
