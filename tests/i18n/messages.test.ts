import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';

const LOCALES = ['fa', 'en', 'ar'] as const;
type Tree = { [k: string]: string | Tree };

const load = (locale: string): Tree => JSON.parse(readFileSync(path.join(import.meta.dirname, '../../messages', `${locale}.json`), 'utf8')) as Tree;

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

/** ICU argument names ({name}, {kind, select, …}): a translation must use the ones the code passes.
 *  Parsing with next-intl's own ICU parser also proves every message is valid ICU. */
function argsOf(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (nodes: MessageFormatElement[]) => {
    for (const n of nodes) {
      if ('value' in n && typeof n.value === 'string' && n.type !== TYPE.literal) names.add(n.value);
      if ('options' in n) for (const o of Object.values(n.options)) walk(o.value);
      if ('children' in n) walk(n.children);
    }
  };
  walk(parse(message));
  return names;
}

const catalogs = Object.fromEntries(LOCALES.map((l) => [l, leaves(load(l))])) as Record<(typeof LOCALES)[number], Map<string, string>>;

describe('message catalogs (messages/{fa,en,ar}.json)', () => {
  it('have exactly the same keys in all three languages', () => {
    const en = [...catalogs.en.keys()].sort();
    for (const l of LOCALES) expect([...catalogs[l].keys()].sort(), `keys of ${l}`).toEqual(en);
  });

  it('have no empty message', () => {
    for (const l of LOCALES) {
      const empty = [...catalogs[l]].filter(([, v]) => v.trim() === '').map(([k]) => k);
      expect(empty, `empty messages in ${l}`).toEqual([]);
    }
  });

  it('use the same ICU arguments in every language', () => {
    expect(argsOf(catalogs.en.get('Home.cacheKind')!)).toEqual(new Set(['kind']));
    expect(argsOf(catalogs.en.get('Patients.results')!)).toEqual(new Set(['from', 'to', 'total']));
    for (const [key, en] of catalogs.en) {
      for (const l of ['fa', 'ar'] as const) expect(argsOf(catalogs[l].get(key) ?? ''), `${l}: ${key}`).toEqual(argsOf(en));
    }
  });

  it('keep the namespaces the app shell relies on', () => {
    for (const key of ['App.name', 'App.tagline', 'Home.title', 'Home.patients', 'Locale.label', 'Locale.fa', 'Locale.en', 'Locale.ar']) {
      expect(catalogs.fa.has(key), key).toBe(true);
    }
  });

  it('translate Persian and Arabic rather than copying English', () => {
    // Codes and names the same in every language (PostgreSQL, "n", dashes, language names) are few.
    for (const l of ['fa', 'ar'] as const) {
      const same = [...catalogs.en].filter(([k, v]) => catalogs[l].get(k) === v && /[A-Za-z]{3}/.test(v.replace(/\{[^}]*\}/g, '')) && !k.startsWith('Locale.'));
      expect(same.map(([k]) => k), `${l} copies English`).toEqual([]);
    }
  });
});
