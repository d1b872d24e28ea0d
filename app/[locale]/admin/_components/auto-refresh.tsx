'use client';

import { useEffect, useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { useRouter } from '@/lib/i18n/navigation';

const EVERY_MS = 10_000;
const STORAGE_KEY = 'mizaj.admin.autoRefresh';

/**
 * Re-renders the server page every 10 s (router.refresh keeps client state such as an open dialog).
 * Pausing is remembered in this browser so a reload does not restart a refresh the admin turned off.
 */
export function AutoRefresh({ generatedAt, intlLocale }: { generatedAt: number; intlLocale: string }) {
  const t = useTranslations('Admin.refresh');
  const router = useRouter();
  const [paused, setPaused] = useState(false);
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    // Read after mount: the server render cannot know this browser's choice.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setPaused(window.localStorage.getItem(STORAGE_KEY) === 'paused');
  }, []);

  useEffect(() => {
    if (paused) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') startTransition(() => router.refresh());
    }, EVERY_MS);
    return () => window.clearInterval(timer);
  }, [paused, router]);

  const toggle = () => {
    const next = !paused;
    setPaused(next);
    window.localStorage.setItem(STORAGE_KEY, next ? 'paused' : 'on');
  };
  const time = new Intl.DateTimeFormat(intlLocale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(generatedAt));

  return (
    <div className="auto-refresh">
      <span className="muted small" aria-live="polite">
        {pending ? t('refreshing') : t('updated', { time })} · {paused ? t('paused') : t('every')}
      </span>
      <button type="button" className="button button-secondary" aria-pressed={paused} onClick={toggle}>
        {paused ? t('resume') : t('pause')}
      </button>
      <button type="button" className="button-link" onClick={() => startTransition(() => router.refresh())}>
        {t('now')}
      </button>
    </div>
  );
}
