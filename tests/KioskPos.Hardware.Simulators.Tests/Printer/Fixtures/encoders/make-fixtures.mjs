// Makes the ESC/POS fixture streams of the printer emulator's tests with two third-party encoders nobody here
// wrote (versions pinned in package.json / package-lock.json):
//   ../receipt-printer-encoder-4.0.1-wpc1258.bin  @point-of-sale/receipt-printer-encoder 4.0.1
//   ../node-thermal-printer-4.6.1-wpc1258.bin     node-thermal-printer 4.6.1
// Run: npm ci && node make-fixtures.mjs. What each stream holds (text, barcodes, QR) is in expected.json, which the
// tests (Printing/ThirdPartyStreamTests.cs) compare with what the emulator prints.
//
// Both encoders write Vietnamese in Windows-1258 (Epson's ESC t 52, WPC1258) from single code points, and neither
// knows that Windows-1258 has no precomposed toned letters (ế, ộ...): given "ế" they print "?". So the text is
// handed to them as Windows-1258 wants it, the way a program using them must: the letter with its circumflex, breve
// or horn composed (ê, ô, ơ, ư, ă, â exist in the table), the tone mark as its own combining character.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';

const require = createRequire(import.meta.url);
const { ThermalPrinter, PrinterTypes, CharacterSet } = require('node-thermal-printer');
const { PNG } = require('pngjs'); // node-thermal-printer's own dependency: it takes images as PNG files

const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);

/** Vietnamese text as Windows-1258 spells it: base letters composed, tone marks combining after them. */
export function windows1258Form(text) {
  let out = '';
  for (const cluster of text.normalize('NFD').match(/\P{M}\p{M}*/gu) ?? []) {
    const marks = [...cluster.slice(1)];
    const tone = marks.filter((m) => TONE_MARKS.has(m)).join('');
    const rest = marks.filter((m) => !TONE_MARKS.has(m)).join('');
    out += (cluster[0] + rest).normalize('NFC') + tone;
  }
  return out;
}

const expected = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(new URL('./expected.json', import.meta.url), 'utf8')));

// A 64 x 32 test card: a black frame and a diagonal, as RGBA.
function testImage(width = 64, height = 32) {
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const black = x < 2 || y < 2 || x >= width - 2 || y >= height - 2 || Math.abs(x - 2 * y) < 2;
      if (black) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return { width, height, data };
}

function receiptPrinterEncoder() {
  const e = expected['receipt-printer-encoder-4.0.1-wpc1258.bin'];
  const encoder = new ReceiptPrinterEncoder({ language: 'esc-pos', columns: 48, imageMode: 'raster' });
  encoder.initialize().codepage('windows1258');
  encoder.align('center').bold(true).size(2, 2).line(windows1258Form(e.text[0])).size(1, 1).bold(false);
  for (const line of e.text.slice(1)) encoder.align('left').line(windows1258Form(line));
  encoder.underline(true).line('Underlined').underline(false);
  encoder.invert(true).line('Inverted').invert(false);
  encoder.italic(true).line('Italic').italic(false);
  encoder.align('center');
  for (const b of e.barcodes) encoder.barcode(b.data, b.symbology, { height: 60, width: 2, text: 'below' }).newline();
  encoder.qrcode(e.qr[0], { model: 2, size: 6, errorlevel: 'm' }).newline();
  encoder.image(testImage(), { width: 64, height: 32, algorithm: 'threshold', mode: 'raster' }); // GS v 0
  encoder.image(testImage(), { width: 64, height: 32, algorithm: 'threshold', mode: 'column' }); // ESC * 33, 24-dot stripes
  encoder.pulse(0, 100, 500);
  encoder.cut('partial');
  return encoder.encode();
}

async function nodeThermalPrinter() {
  const e = expected['node-thermal-printer-4.6.1-wpc1258.bin'];
  const printer = new ThermalPrinter({
    type: PrinterTypes.EPSON,
    interface: 'tcp://127.0.0.1:9100', // never opened: the buffer is taken, nothing is sent
    characterSet: CharacterSet.WPC1258_VIETNAMESE,
    width: 48,
  });
  printer.alignCenter();
  printer.bold(true);
  printer.setTextDoubleHeight();
  printer.println(windows1258Form(e.text[0]));
  printer.setTextNormal();
  printer.bold(false);
  printer.alignLeft();
  for (const line of e.text.slice(1)) printer.println(windows1258Form(line));
  printer.underline(true);
  printer.println('Underlined');
  printer.underline(false);
  printer.invert(true);
  printer.println('Inverted');
  printer.invert(false);
  printer.upsideDown(true);
  printer.println('Upside down');
  printer.upsideDown(false);
  printer.drawLine();
  printer.leftRight('Left', 'Right');
  printer.alignCenter();
  for (const b of e.barcodes) {
    if (b.type === 73) printer.code128(b.data, { hriPos: 2, width: 2, height: 60 });
    else printer.printBarcode(b.data, b.type, { hriPos: 2, width: 2, height: 60 });
    printer.newLine();
  }
  printer.printQR(e.qr[0], { cellSize: 6, correction: 'M', model: 2 });
  printer.newLine();
  const image = testImage();
  await printer.printImageBuffer(PNG.sync.write({ width: image.width, height: image.height, data: Buffer.from(image.data) }));
  printer.beep(2, 3);
  // Not printer.openCashDrawer(): in 4.6.1 it sends "ESC p 0" and "ESC p 1" without their t1 t2 bytes, so a
  // printer takes the next command's first bytes as the pulse times and the rest as stray bytes. The drawer pulse of
  // this stream is appended whole instead: ESC p 0 t1 t2, 50 ms on, 500 ms off.
  printer.append(Buffer.from([0x1b, 0x70, 0x00, 25, 250]));
  printer.partialCut();
  return printer.getBuffer();
}

writeFileSync(new URL('../receipt-printer-encoder-4.0.1-wpc1258.bin', import.meta.url), receiptPrinterEncoder());
writeFileSync(new URL('../node-thermal-printer-4.6.1-wpc1258.bin', import.meta.url), await nodeThermalPrinter());
