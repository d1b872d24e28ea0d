import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeInvalidation, encodeMessage } from '@/lib/write-door/messages';

describe('encodeInvalidation: the message the database completes with its outbox row id', () => {
  it.each([
    ['plain', { p: 'mizaj', from: 'a1', tags: ['rec:1:feedback'], categories: [] }],
    ['names that look like the ref slot', { p: `x"ref":"${'0'.repeat(20)}"`, from: '"ref":"', tags: [`"ref":"${'0'.repeat(20)}"`], categories: ['c'] }],
    ['too long for NOTIFY: announced by id alone', { p: 'mizaj', from: 'a1', tags: Array.from({ length: 2_000 }, (_, i) => `patient:${i}`), categories: [] }],
  ])('%s: before + id + after is the message with that ref', (_, m) => {
    const [before, after] = encodeInvalidation({ t: 'inv', ...m });
    const text = `${before}9007199254740991${after}`;
    expect(text).toBe(encodeMessage({ t: 'inv', ...m, ref: '9007199254740991' }));
    expect(decodeMessage(text)).toMatchObject({ t: 'inv', p: m.p, from: m.from, ref: '9007199254740991' });
  });
});
