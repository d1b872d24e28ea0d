'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { JobView } from '@/lib/admin/jobs';
import { useRouter } from '@/lib/i18n/navigation';
import { jobStatus, startPurge, startWarm, stopJobAction, type ActionResult } from '../actions';

type Props = {
  category: string;
  label: string;
  /** Formatted key count and memory estimate for the confirm text ('?' before the first scan). */
  keys: string;
  bytes: string;
  typedConfirm: boolean;
  intlLocale: string;
};

const POLL_MS = 400;

/** Warm and Purge for one category: both run as server-side jobs polled for progress; a purge can be stopped. */
export function CategoryActions({ category, label, keys, bytes, typedConfirm, intlLocale }: Props) {
  const t = useTranslations('Admin');
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [job, setJob] = useState<JobView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const ids = { title: useId(), body: useId(), input: useId() };
  const nf = new Intl.NumberFormat(intlLocale);
  const running = job !== null && job.finishedAt === undefined;

  useEffect(() => {
    if (!job || job.finishedAt !== undefined) return;
    const timer = window.setTimeout(async () => {
      const r = await jobStatus(job.id).catch(() => null);
      if (r?.ok) {
        setJob(r.value);
        if (r.value.finishedAt !== undefined) router.refresh();
      } else setError(t('errors.notFound'));
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [job, router, t]);

  const take = (r: ActionResult<JobView>) => {
    if (r.ok) {
      setJob(r.value);
      setError(null);
    } else setError(t(`errors.${r.error}`));
  };

  const warm = async () => {
    setBusy(true);
    try {
      take(await startWarm(category));
    } finally {
      setBusy(false);
    }
  };

  const purge = async () => {
    setBusy(true);
    try {
      const r = await startPurge(category, typed);
      take(r);
      if (r.ok) dialog.current?.close();
    } finally {
      setBusy(false);
    }
  };

  const stop = async () => {
    if (!job) return;
    const r = await stopJobAction(job.id);
    if (r.ok) setJob(r.value);
  };

  const p = job?.progress;
  let status: string | null = null;
  if (job && p) {
    const n = { done: nf.format(p.done), total: nf.format(p.total), failed: nf.format(p.failed), deleted: nf.format(p.deleted), scanned: nf.format(p.scanned) };
    status = t(`jobs.${job.kind}.${job.finishedAt === undefined ? 'running' : job.status}`, n);
  }
  const confirmReady = !typedConfirm || typed.trim() === category;

  return (
    <div className="category-actions">
      <div className="button-row">
        <button type="button" className="button button-secondary" onClick={warm} disabled={busy || running} aria-label={t('warm.aria', { category: label })}>
          {t('warm.button')}
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={busy || running}
          aria-label={t('purge.aria', { category: label })}
          onClick={() => {
            setTyped('');
            setError(null);
            dialog.current?.showModal();
          }}
        >
          {t('purge.button')}
        </button>
        {running && job?.kind === 'purge' ? (
          <button type="button" className="button-link" onClick={stop}>
            {t('purge.stop')}
          </button>
        ) : null}
      </div>
      {running && p ? (
        <progress max={job.kind === 'warm' ? Math.max(1, p.total) : undefined} value={job.kind === 'warm' ? p.done : undefined} aria-label={status ?? ''} />
      ) : null}
      <p role="status" className="small job-status" data-job-status={job?.status ?? 'idle'}>
        {status}
      </p>
      {error ? (
        <p role="alert" className="small status-bad">
          {error}
        </p>
      ) : null}

      <dialog ref={dialog} aria-labelledby={ids.title} aria-describedby={ids.body} className="confirm-dialog">
        <form
          method="dialog"
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (confirmReady) void purge();
          }}
        >
          <h2 id={ids.title}>{t('purge.title', { category: label })}</h2>
          <p id={ids.body}>{t('purge.body', { category: label, keys, bytes })}</p>
          <p className="small muted">{t('purge.how')}</p>
          {typedConfirm ? (
            <div className="field">
              <label htmlFor={ids.input}>{t('purge.typeName', { name: category })}</label>
              <input id={ids.input} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} dir="ltr" />
            </div>
          ) : null}
          {error ? (
            <p role="alert" className="small status-bad">
              {error}
            </p>
          ) : null}
          <div className="button-row">
            <button type="submit" className="button button-danger" disabled={!confirmReady || busy}>
              {t('purge.confirm', { category: label })}
            </button>
            <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()}>
              {t('purge.cancel')}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
