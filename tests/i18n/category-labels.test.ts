import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '@/lib/config/cache-categories';

// The dashboard names categories by these labels (falling back to the raw name): a category added to the
// table, or one renamed, must get a label in every language, and no label may outlive its category.
describe('admin category labels', () => {
  it.each(['fa', 'en', 'ar'])('%s labels exactly the categories of the cache table', (locale) => {
    const file = path.join(import.meta.dirname, '../../messages/admin', `${locale}.json`);
    const labels = (JSON.parse(readFileSync(file, 'utf8')) as { Admin: { category: Record<string, string> } }).Admin.category;
    expect(Object.keys(labels).sort()).toEqual([...CATEGORY_NAMES].sort());
    for (const label of Object.values(labels)) expect(label.trim()).not.toBe('');
  });
});
