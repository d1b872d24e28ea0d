import { getTranslations } from 'next-intl/server';
import type { NodeRow } from '@/lib/admin/dashboard';
import { formatNumber } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';

/** One row per Redis Cluster master, from each node's own INFO. */
export async function ClusterNodes({ nodes, locale, bytes }: { nodes: NodeRow[]; locale: Locale; bytes: (n: number) => string }) {
  const t = await getTranslations('Admin.cluster');
  const pct = (v: number | null) => (v === null ? '—' : formatNumber(locale, v, { style: 'percent', maximumFractionDigits: 1 }));
  return (
    <section aria-labelledby="cluster-h" className="stack" data-section="cluster">
      <h2 id="cluster-h">{t('heading')}</h2>
      <p className="small muted">{t('intro')}</p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('node')}</th>
              <th scope="col">{t('memory')}</th>
              <th scope="col">{t('max')}</th>
              <th scope="col">{t('frag')}</th>
              <th scope="col">{t('keys')}</th>
              <th scope="col">{t('ops')}</th>
              <th scope="col">{t('hitRate')}</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((node) => (
              <tr key={node.address} data-node={node.address}>
                <td dir="ltr">{node.address}</td>
                <td className="num" data-field="memory">{bytes(node.usedMemory)}</td>
                <td className="num">{node.maxmemory > 0 ? bytes(node.maxmemory) : t('noLimit')}</td>
                <td className="num">{formatNumber(locale, node.fragmentationRatio, { maximumFractionDigits: 2 })}</td>
                <td className="num" data-field="keys" data-value={node.keys}>{formatNumber(locale, node.keys)}</td>
                <td className="num">{formatNumber(locale, node.opsPerSec)}</td>
                <td className="num">{pct(node.hitRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
