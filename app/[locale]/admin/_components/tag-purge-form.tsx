'use client';

import { useId, useState } from 'react';
import { useTranslations } from 'next-intl';
import { useRouter } from '@/lib/i18n/navigation';
import { purgeTagAction } from '../actions';

/** Invalidates one tag (e.g. `rec:7`, vocabulary in lib/resources/tags.ts): O(1), so no progress or stop is needed. */
export function TagPurgeForm() {
  const t = useTranslations('Admin.tag');
  const tErr = useTranslations('Admin.errors');
  const router = useRouter();
  const id = useId();
  const [tag, setTag] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!tag.trim()) return;
    if (!window.confirm(t('confirm', { tag: tag.trim() }))) return;
    setBusy(true);
    try {
      const r = await purgeTagAction(tag);
      setResult(r.ok ? { ok: true, text: t('done', { tag: r.value.tag }) } : { ok: false, text: r.message ? `${tErr(r.error)} (${r.message})` : tErr(r.error) });
      if (r.ok) router.refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="tag-form">
      <div className="field">
        <label htmlFor={id}>{t('label')}</label>
        <input id={id} value={tag} onChange={(e) => setTag(e.target.value)} placeholder="rec:7" dir="ltr" autoComplete="off" spellCheck={false} aria-describedby={`${id}-hint`} />
        <span id={`${id}-hint`} className="hint">
          {t('hint')}
        </span>
      </div>
      <button type="submit" className="button button-danger" disabled={busy || !tag.trim()}>
        {t('submit')}
      </button>
      <p role="status" className={result ? (result.ok ? 'small status-ok' : 'small status-bad') : 'small'}>
        {result?.text}
      </p>
    </form>
  );
}
