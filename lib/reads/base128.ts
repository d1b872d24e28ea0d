/**
 * Bytes as a string of 7-bit characters (8 characters per 7 bytes, +14 %), for binary payloads in cache
 * entries: the cache codec and its stores carry strings, and ioredis sends strings as UTF-8, where a byte
 * above 0x7f written as one latin1 character would cost two (+50 % on compressed data) and base64 costs +33 %.
 * Redis strings are binary-safe, so control characters (NUL, newline) are stored as they are.
 */

export function toBase128(bytes: Uint8Array): string {
  const out = new Uint16Array(Math.ceil((bytes.length * 8) / 7));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = (acc << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 7) {
      bits -= 7;
      out[o++] = (acc >>> bits) & 0x7f;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[o++] = (acc << (7 - bits)) & 0x7f;
  return chars(out.subarray(0, o));
}

export function fromBase128(text: string): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((text.length * 7) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new RangeError('not base128 text');
    acc = (acc << 7) | c;
    bits += 7;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return out.subarray(0, o);
}

/** String.fromCharCode over chunks: one call per character would be far slower, one call for all may overflow the stack. */
function chars(codes: Uint16Array): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode(...codes.subarray(i, i + 8192));
  return s;
}
