import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeader, decodeValue, encodeEntry, encodeValue, headerTagsJson, RawValue, versionsMatch } from '@/lib/cache/codec';

const meta = (versions: string[], tags: string[]) => ({ storedAt: 1_700_000_000_123, freshUntil: 1_700_000_060_123, graceUntil: 1_700_000_090_123, id: 'abc-_1', versions, tagsJson: JSON.stringify(tags) });

describe('entry codec', () => {
  it('round-trips header fields, versions, tags and the value', () => {
    const raw = encodeEntry(meta(['c1', 't1', 't2'], ['a', 'b|c\n']), encodeValue({ x: [1, 'y\nz|'] }));
    const h = decodeHeader(raw)!;
    expect(h).toMatchObject({ enc: 'j', storedAt: 1_700_000_000_123, freshUntil: 1_700_000_060_123, graceUntil: 1_700_000_090_123, id: 'abc-_1' });
    expect(versionsMatch(raw, h, ['c1', 't1', 't2'])).toBe(true);
    expect(JSON.parse(headerTagsJson(raw, h))).toEqual(['a', 'b|c\n']);
    expect(decodeValue(h, raw)).toEqual({ x: [1, 'y\nz|'] });
  });

  it('versionsMatch: the versions read equal the ones stamped, exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 }), fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 }), (stored, read) => {
        const raw = encodeEntry(meta(stored, []), encodeValue(1));
        const h = decodeHeader(raw)!;
        expect(versionsMatch(raw, h, read)).toBe(stored.join('|') === read.join('|') && stored.length === read.length);
      }),
    );
    const raw = encodeEntry(meta(['ab', 'c'], []), encodeValue(1));
    const h = decodeHeader(raw)!;
    expect(versionsMatch(raw, h, ['ab', 'c'])).toBe(true);
    expect(versionsMatch(raw, h, ['a', 'bc'])).toBe(false);
    expect(versionsMatch(raw, h, ['ab', null])).toBe(false);
    expect(versionsMatch(raw, h, ['ab'])).toBe(false);
  });

  it('rejects foreign values', () => {
    const of = (text: string) => decodeHeader(Buffer.from(text));
    expect(of('{"a":1}')).toBeUndefined();
    expect(of('')).toBeUndefined();
    expect(of('m4|j|1|2')).toBeUndefined();
    expect(of('m4|j|1|2|3|id\n\n[]\n1')).toBeDefined();
    expect(of('m4|j|1|2||id\n\n[]\n1')?.graceUntil).toBeNaN();
    expect(of('m3|j|1|2|3|id\n\n[]\n1')).toBeUndefined(); // the format before, with base128 text payloads
    expect(of('m1|j|1700000000123|1700000060123|1700000090123|id\n\n[]\n1')).toBeUndefined();
  });

  it('raw values keep their body byte for byte', () => {
    const body = '{"a":"\\u0000\\n|m3|"}\n\nend';
    const raw = encodeEntry(meta([], []), encodeValue(new RawValue(body, { etag: 'W/"1"' })));
    const v = decodeValue(decodeHeader(raw)!, raw) as RawValue;
    expect(v.body).toBe(body);
    expect(v.meta).toEqual({ etag: 'W/"1"' });
    const bytes = Buffer.from([0, 10, 124, 255, 128, 13, 0]);
    const rawBytes = encodeEntry(meta([], []), encodeValue(new RawValue(bytes, { db: '2' })));
    const b = decodeValue(decodeHeader(rawBytes)!, rawBytes) as RawValue;
    expect(b.body).toEqual(bytes);
    expect(b.meta).toEqual({ db: '2' });
  });

  it('stores bytes as they are, after an empty meta line when there is no meta', () => {
    const bytes = Buffer.from([255, 0, 10, 10, 128]);
    const raw = encodeEntry(meta([], []), encodeValue(new RawValue(bytes)));
    const h = decodeHeader(raw)!;
    expect(raw.subarray(h.payloadStart).equals(Buffer.concat([Buffer.from('\n'), bytes]))).toBe(true);
    const back = decodeValue(h, raw) as RawValue;
    expect(back.body).toEqual(bytes);
    expect(back.meta).toEqual({});
    // The body is the reader's own: a read buffer reused afterwards does not change it.
    raw.fill(0);
    expect(back.body).toEqual(bytes);
  });

  it('keeps bytes in a buffer of their own size, never a view that holds a larger buffer alive', () => {
    // What Node's sync zlib answers: a few bytes of its 16 KB output chunk.
    const chunk = Buffer.alloc(16 * 1024, 7);
    const view = new RawValue(chunk.subarray(100, 250));
    expect((view.body as Uint8Array).buffer.byteLength).toBe(150);
    expect(view.body).toEqual(chunk.subarray(100, 250));
    // Bytes that are their buffer's whole are handed over as they are, without a copy.
    const own = new Uint8Array(150);
    expect(new RawValue(own).body).toBe(own);
    // A read from the store: the body is a slice of the reply.
    const raw = encodeEntry(meta([], []), encodeValue(new RawValue(Buffer.alloc(150, 1))));
    const read = decodeValue(decodeHeader(raw)!, Buffer.concat([raw, Buffer.alloc(16 * 1024)]).subarray(0, raw.length)) as RawValue;
    expect((read.body as Uint8Array).buffer.byteLength).toBe(150);
  });

  it('writes times compactly: storedAt in base 36, then how long fresh and how long in grace', () => {
    const raw = encodeEntry(meta([], []), encodeValue(1));
    expect(raw.toString().split('\n')[0]).toBe(`m4|j|${(1_700_000_000_123).toString(36)}|${(60_000).toString(36)}|${(30_000).toString(36)}|abc-_1`);
  });
});
