import type { ComponentProps } from 'react';
import { Link } from '@/lib/i18n/navigation';

type Href = ComponentProps<typeof Link>['href'];

/** Previous/next links around "page x of y"; the arrows follow the reading direction through CSS. */
export function Pagination({
  page,
  pages,
  hrefFor,
  labels,
}: {
  page: number;
  pages: number;
  hrefFor: (page: number) => Href;
  labels: { nav: string; prev: string; next: string; status: string };
}) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={labels.nav} className="pagination">
      {page > 1 ? (
        <Link href={hrefFor(page - 1)} rel="prev" className="button button-secondary">
          {labels.prev}
        </Link>
      ) : (
        <span className="button button-secondary" aria-disabled="true">
          {labels.prev}
        </span>
      )}
      <span aria-current="page">{labels.status}</span>
      {page < pages ? (
        <Link href={hrefFor(page + 1)} rel="next" className="button button-secondary">
          {labels.next}
        </Link>
      ) : (
        <span className="button button-secondary" aria-disabled="true">
          {labels.next}
        </span>
      )}
    </nav>
  );
}
