#!/usr/bin/env node
// Drive spice-html5's own QUIC and LZ_RGB decoders (npm @spice-project/spice-html5 0.2.1,
// same code as Debian's spice-html5 0.3.0-2) from node.js, outside a browser.
//
// Usage:
//   node decode.mjs [--framing raw|spiceimage|auto] in.(quic|lz|img) out.rgba
//   node decode.mjs --batch LIST
//
// Batch mode decodes many streams in one node process (starting node and loading the client
// takes ~100 ms, decoding a small stream well under 1 ms). LIST is a text file with one job per
// line, three TAB-separated fields: FRAMING, IN, OUT (FRAMING as for --framing; empty lines are
// skipped). For each job, in order, it prints one line: "OK W H CODEC TYPE" or "ERR message";
// one failing job does not stop the others. Exit status 0 if every job is OK, else 1.
// In both modes the client's own diagnostics (it console.log()s decode errors) go to stderr,
// so stdout carries only the result lines.
//
// Input framings accepted:
//   raw        : a bare codec stream exactly as SPICE's C encoders emit it
//                - QUIC: starts with bytes "QUIC" (u32 LE 0x43495551), version u32 LE = 0,
//                  type u32 LE (3=RGB24, 4=RGB32, 5=RGBA), width u32 LE, height u32 LE, then coded words.
//                  (= what spice-common quic_encode() writes; the payload of SpiceQUICData after its u32 data_size)
//                - LZ:   starts with bytes "  ZL" (LZ_MAGIC written big-endian), then big-endian u32s
//                  version, type (8=RGB32, 9=RGBA, 10=XXXA), width, height, stride, top_down, then LZ data.
//                  (= what spice-common lz_encode() writes; the payload of SpiceLZRGBData after its u32 data_size)
//   spiceimage : a marshalled SpiceImage as carried in a DrawCopy: SpiceImageDescriptor
//                (id u64 LE, type u8 [1=QUIC, 101=LZ_RGB], flags u8, width u32 LE, height u32 LE)
//                followed by u32 LE data_size and the raw stream above.
//   auto (default): raw QUIC/LZ by magic, else spiceimage.
//
// Output: raw RGBA bytes (R,G,B,A), top-down, stride 4*W. Prints "W H CODEC TYPE" on stdout.
// Note the pixel order/alpha conventions are spice-html5's own (see README.md beside this file):
//   QUIC RGB32/RGB24 -> A=255; QUIC RGBA -> A = 255 - decoded alpha (spice-html5 quirk, reproduced as is).
//   LZ RGB32 -> A=255; LZ RGBA/XXXA -> A from stream; bottom-up LZ images are flipped to top-down,
//   but only the RGB pass: the alpha of bottom-up RGBA and all of bottom-up XXXA stay upside down
//   (quirk, reproduced as is); XXXA gives R=G=B=0.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// $SPICE_HTML5_DIR overrides (and must then hold quic.js); else an npm copy next to this script,
// else the repository's git-ignored .interop/ copy (what .ci/setup and the interop test install),
// else the Debian package (apt install spice-html5).
const npmSrc = 'node_modules/@spice-project/spice-html5/src';
const candidates = process.env.SPICE_HTML5_DIR
  ? [process.env.SPICE_HTML5_DIR]
  : [path.join(here, npmSrc), path.join(here, '../../.interop', npmSrc), '/usr/share/spice-html5'];
const srcDir = candidates.find((d) => existsSync(path.join(d, 'quic.js')));
if (!srcDir) {
  console.error(`spice-html5 sources not found (looked for quic.js in: ${candidates.join(', ')}); ` +
    'run .ci/setup or set SPICE_HTML5_DIR to the client\'s src/ folder');
  process.exit(2);
}
// The client console.log()s its decode errors; keep stdout for our result lines.
console.log = (...a) => console.error(...a);
const imp = (f) => import(pathToFileURL(path.join(srcDir, f)).href);

// quic.js / lz.js / spicetype.js / enums.js use no browser globals at module level.
// The only browser API touched by the decoders is CanvasRenderingContext2D.createImageData:
const ctx = {
  createImageData(w, h) { return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }; },
};

const { SpiceQuic, convert_spice_quic_to_web } = await imp('quic.js');
const { convert_spice_lz_to_web } = await imp('lz.js');
const { SpiceImage } = await imp('spicetype.js');
const { Constants } = await imp('enums.js');
const { SpiceDataView } = await imp('spicedataview.js'); // DataView + getUint64, as the real client uses

function toArrayBuffer(u8) { return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength); }

function decodeQuicRaw(u8) {
  // SpiceQuic.from_dv expects: u32 LE data_size, then the quic stream.
  const ab = new ArrayBuffer(4 + u8.length);
  new DataView(ab).setUint32(0, u8.length, true);
  new Uint8Array(ab, 4).set(u8);
  const q = new SpiceQuic();
  q.from_dv(new DataView(ab), 0, ab);
  return finishQuic(q);
}

function finishQuic(q) {
  if (!q.outptr) throw new Error('quic decode failed (bad magic/version, or unsupported type: GRAY/RGB16 are not supported)');
  const img = convert_spice_quic_to_web(ctx, q);
  return { w: img.width, h: img.height, codec: 'QUIC', type: q.type, rgba: img.data };
}

function parseLzHeader(u8) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  let magic = '';
  for (let i = 3; i >= 0; i--) magic += String.fromCharCode(u8[i]);
  return {
    magic,
    version: dv.getUint32(4), type: dv.getUint32(8), width: dv.getUint32(12),
    height: dv.getUint32(16), stride: dv.getUint32(20), top_down: dv.getUint32(24),
    data: toArrayBuffer(u8.subarray(28)),
  };
}

function finishLz(lz) {
  if (lz.magic !== 'LZ  ') throw new Error(`bad LZ magic ${JSON.stringify(lz.magic)}`);
  const img = convert_spice_lz_to_web(ctx, lz);
  if (!img) throw new Error(`LZ type ${lz.type} unsupported by spice-html5 (only RGB32=8, RGBA=9, XXXA=10)`);
  return { w: img.width, h: img.height, codec: 'LZ', type: lz.type, rgba: img.data };
}

function decodeSpiceImage(u8) {
  const ab = toArrayBuffer(u8);
  const img = new SpiceImage();
  img.from_dv(new SpiceDataView(ab), 0, ab);
  switch (img.descriptor.type) {
    case Constants.SPICE_IMAGE_TYPE_QUIC: return finishQuic(img.quic);
    case Constants.SPICE_IMAGE_TYPE_LZ_RGB: return finishLz(img.lz_rgb);
    default: throw new Error(`SpiceImage type ${img.descriptor.type} not handled by this script`);
  }
}

function decodeFile(framing, inPath, outPath) {
  const input = new Uint8Array(readFileSync(inPath));
  const isQuic = input[0] === 0x51 && input[1] === 0x55 && input[2] === 0x49 && input[3] === 0x43;
  const isLz = input[0] === 0x20 && input[1] === 0x20 && input[2] === 0x5a && input[3] === 0x4c;
  let res;
  if (framing === 'spiceimage' || (framing === 'auto' && !isQuic && !isLz)) res = decodeSpiceImage(input);
  else if (framing !== 'raw' && framing !== 'auto') throw new Error(`unknown framing ${JSON.stringify(framing)}`);
  else if (isQuic) res = decodeQuicRaw(input);
  else if (isLz) res = finishLz(parseLzHeader(input));
  else throw new Error('raw framing: unknown magic');
  writeFileSync(outPath, res.rgba);
  return `${res.w} ${res.h} ${res.codec} ${res.type}`;
}

const say = (line) => process.stdout.write(line + '\n');
const args = process.argv.slice(2);
if (args.length === 2 && args[0] === '--batch') {
  let failed = false;
  for (const line of readFileSync(args[1], 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    try {
      if (f.length !== 3) throw new Error(`bad list line (want FRAMING<TAB>IN<TAB>OUT): ${JSON.stringify(line)}`);
      say(`OK ${decodeFile(f[0], f[1], f[2])}`);
    } catch (e) {
      failed = true;
      say(`ERR ${String(e && e.message ? e.message : e).replace(/\s+/g, ' ')}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
let framing = 'auto';
if (args[0] === '--framing') { framing = args[1]; args.splice(0, 2); }
if (args.length !== 2) {
  console.error('usage: node decode.mjs [--framing raw|spiceimage|auto] in.(quic|lz|img) out.rgba\n' +
    '       node decode.mjs --batch LIST   (LIST: lines of FRAMING<TAB>IN<TAB>OUT)');
  process.exit(2);
}
try {
  say(decodeFile(framing, args[0], args[1]));
} catch (e) {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
}
