// Compares two sets of screenshots the browser tests left (artifacts/screenshots of two commits), screen by screen,
// with pixelmatch (the comparison Playwright's own toHaveScreenshot uses): same size, the pixels that differ beyond
// pixelmatch's colour threshold (anti-aliased pixels not counted), and where they are. Writes a diff image for each
// screen that differs. Exit code 0 when every screen is in both sets and identical, 1 otherwise, 2 on bad arguments.
//
//   node tests/browser-tools/compare-screenshots.mjs BEFORE_DIR AFTER_DIR [DIFF_DIR]
//   make screenshots-compare BEFORE=… AFTER=…
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';

const [before, after, diffDir = 'artifacts/screenshots-diff'] = process.argv.slice(2);
if (!before || !after || !fs.existsSync(before) || !fs.existsSync(after)) {
  console.error('usage: compare-screenshots.mjs BEFORE_DIR AFTER_DIR [DIFF_DIR] (both directories must exist)');
  process.exit(2);
}

const pngs = dir => new Set(fs.readdirSync(dir).filter(f => f.endsWith('.png')));
const a = pngs(before);
const b = pngs(after);
const names = [...new Set([...a, ...b])].sort();
fs.mkdirSync(diffDir, { recursive: true });

let same = 0;
const rows = [];
for (const name of names) {
  if (!a.has(name) || !b.has(name)) {
    rows.push([name, a.has(name) ? 'only before' : 'only after', '', '']);
    continue;
  }
  const one = PNG.sync.read(fs.readFileSync(path.join(before, name)));
  const two = PNG.sync.read(fs.readFileSync(path.join(after, name)));
  if (one.width !== two.width || one.height !== two.height) {
    rows.push([name, 'size', `${one.width}x${one.height} -> ${two.width}x${two.height}`, '']);
    continue;
  }
  const { width, height } = one;
  const diff = new PNG({ width, height });
  const changed = pixelmatch(one.data, two.data, diff.data, width, height, { threshold: 0.1, diffColor: [255, 0, 0] });
  if (changed === 0) {
    same++;
    continue;
  }
  // Where the changed pixels are: the box around every pixel pixelmatch painted in its diff colour.
  let left = width, top = height, right = -1, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (diff.data[i] === 255 && diff.data[i + 1] === 0 && diff.data[i + 2] === 0) {
        left = Math.min(left, x); right = Math.max(right, x);
        top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
  }
  fs.writeFileSync(path.join(diffDir, name), PNG.sync.write(diff));
  const share = (100 * changed / (width * height)).toFixed(3);
  rows.push([name, `${changed} px (${share} %)`, `${width}x${height}`, `x ${left}-${right}, y ${top}-${bottom}`]);
}

console.log(`${names.length} screens: ${same} identical, ${rows.length} not`);
for (const [name, what, size, where] of rows) {
  console.log(`  ${name}: ${what}${size ? ` ${size}` : ''}${where ? `, ${where}` : ''}`);
}
if (rows.length > 0) {
  console.log(`diff images (changed pixels in red): ${diffDir}`);
}
process.exit(rows.length === 0 ? 0 : 1);
