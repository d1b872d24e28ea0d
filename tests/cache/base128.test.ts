import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase128, toBase128 } from '@/lib/cache/base128';

describe('base128', () => {
  it('round-trips any bytes as 7-bit text: 8 characters per 7 bytes, one UTF-8 byte each', () => {
    for (const n of [0, 1, 6, 7, 8, 13, 14, 15, 255, 1000, 20_000]) {
      const bytes = randomBytes(n);
      const text = toBase128(bytes);
      expect(text.length).toBe(Math.ceil((n * 8) / 7));
      expect(Buffer.byteLength(text, 'utf8')).toBe(text.length);
      expect(fromBase128(text).equals(bytes)).toBe(true);
    }
  });

  it('refuses text that is not base128', () => {
    expect(() => fromBase128('abc\u00e9')).toThrow(RangeError);
  });
});
