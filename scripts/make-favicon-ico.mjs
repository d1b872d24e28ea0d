// Writes public/favicon.ico: the 32×32 raster of public/favicon.svg (an accent square with an M) for
// clients that ask for /favicon.ico and cannot use the SVG. No image tool needed: `node scripts/make-favicon-ico.mjs`.
import { writeFileSync } from 'node:fs';

const SIZE = 32;
const ACCENT = [0x8a, 0x3b, 0x12];
const PAPER = [0xf7, 0xf5, 0xf0];
// The SVG's geometry (64-unit viewBox) at half scale.
const S = SIZE / 64;
const RADIUS = 14 * S;
const STROKE = (6 * S) / 2;
const M = [[20, 46], [20, 18], [32, 34], [44, 18], [44, 46]].map(([x, y]) => [x * S, y * S]);

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function insideRoundedSquare(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), SIZE - RADIUS);
  const cy = Math.min(Math.max(y, RADIUS), SIZE - RADIUS);
  return Math.hypot(x - cx, y - cy) <= RADIUS;
}

// BGRA rows, bottom-up, as an ICO's BMP wants them.
const pixels = Buffer.alloc(SIZE * SIZE * 4);
for (let row = 0; row < SIZE; row++) {
  for (let x = 0; x < SIZE; x++) {
    const px = x + 0.5, py = SIZE - 1 - row + 0.5;
    const at = (row * SIZE + x) * 4;
    if (!insideRoundedSquare(px, py)) continue; // transparent
    let d = Infinity;
    for (let i = 1; i < M.length; i++) d = Math.min(d, segmentDistance(px, py, M[i - 1], M[i]));
    const [r, g, b] = d <= STROKE ? PAPER : ACCENT;
    pixels.set([b, g, r, 255], at);
  }
}
const andMask = Buffer.alloc((SIZE / 8) * SIZE); // all zero: the alpha channel decides
const info = Buffer.alloc(40);
info.writeUInt32LE(40, 0);
info.writeInt32LE(SIZE, 4);
info.writeInt32LE(SIZE * 2, 8); // colour + mask heights
info.writeUInt16LE(1, 12);
info.writeUInt16LE(32, 14);
info.writeUInt32LE(pixels.length + andMask.length, 20);
const image = Buffer.concat([info, pixels, andMask]);
const header = Buffer.alloc(6 + 16);
header.writeUInt16LE(1, 2); // icon
header.writeUInt16LE(1, 4); // one image
header.writeUInt8(SIZE, 6);
header.writeUInt8(SIZE, 7);
header.writeUInt16LE(1, 10);
header.writeUInt16LE(32, 12);
header.writeUInt32LE(image.length, 14);
header.writeUInt32LE(header.length, 18);
writeFileSync(new URL('../public/favicon.ico', import.meta.url), Buffer.concat([header, image]));
