#!/usr/bin/env python3
"""The PWLD workload format in Python: exact damage, a writer, a reader, PNG previews.

The layout is specified in README.md beside this file; the Rust reader is
adapt/src/sim/workload.rs. Frames come in as Pillow RGB images; the writer
stores frame 0 whole and every later frame as the rectangles that changed
(`diff_rects`, the same rectangles as the Rust `diff_rects`), checking before
it writes that the rectangles rebuild the frame exactly, and `verify` re-reads
a finished file and compares every frame's digest.

    python3 pwld.py info FILE...
    python3 pwld.py png FILE OUTDIR [--frames 0,10,20]   # frames as PNG, to look at
"""
import hashlib
import os
import struct
import sys
import tempfile
import zlib

from PIL import Image, ImageChops

MAGIC = b"PWLD"
VERSION = 1
HEADER = struct.Struct("<4sIIIIIQ")  # magic, version, width, height, frames, reserved, duration_us
INDEX = struct.Struct("<QQII")  # timestamp_us, offset, rect count, reserved
RECT = struct.Struct("<IIIIB3xI")  # x, y, w, h, encoding, reserved, payload length
RAW, ZLIB = 0, 1
TILE = 64


def bgrx(img):
    """B, G, R, 255 per pixel, rows top-down."""
    return img.convert("RGBA").tobytes("raw", "BGRA")


def diff_rects(prev, cur):
    """Rectangles (x, y, w, h) covering every pixel where `cur` differs from `prev`.

    Per row of 64-pixel tiles: each run of changed tiles gives the bounding box
    of its changed pixels; a rectangle that reaches the bottom of its tile row
    and one with the same columns starting at the top of the next merge.
    """
    w, h = cur.size
    d = ImageChops.difference(prev, cur)  # RGB: getbbox sees any channel
    if d.getbbox() is None:
        return []
    out, open_ = [], []
    for ty in range(0, h, TILE):
        y_end = min(ty + TILE, h)
        band = d.crop((0, ty, w, y_end)).getbbox()
        still_open = []
        if band is not None:
            boxes = []
            for tx in range((band[0] // TILE) * TILE, band[2], TILE):
                b = d.crop((tx, ty, min(tx + TILE, w), y_end)).getbbox()
                boxes.append(None if b is None else (tx + b[0], tx + b[2], ty + b[1], ty + b[3], tx // TILE))
            i = 0
            while i < len(boxes):
                if boxes[i] is None:
                    i += 1
                    continue
                x0, x1, y0, y1, t = boxes[i]
                i += 1
                while i < len(boxes) and boxes[i] is not None:
                    a0, a1, b0, b1, _ = boxes[i]
                    x0, x1, y0, y1 = min(x0, a0), max(x1, a1), min(y0, b0), max(y1, b1)
                    i += 1
                k = None
                if y0 == ty:
                    k = next((j for j in open_ if out[j][0] == x0 and out[j][0] + out[j][2] == x1), None)
                if k is not None:
                    x, y, rw, _ = out[k]
                    out[k] = (x, y, rw, y1 - y)
                else:
                    out.append((x0, y0, x1 - x0, y1 - y0))
                    k = len(out) - 1
                if y1 == y_end:
                    still_open.append(k)
        open_ = still_open
    return out


def apply_rects(prev, cur, rects):
    out = prev.copy()
    for x, y, w, h in rects:
        out.paste(cur.crop((x, y, x + w, y + h)), (x, y))
    return out


class Writer:
    """Writes a workload: `add(t_us, image)` for each frame, then `close(duration_us)`.

    Frames whose pixels did not change are skipped (only changes are stored).
    Payloads are deflated (`level`) and kept raw where that is not smaller.
    """

    def __init__(self, path, width, height, level=9):
        self.path, self.width, self.height, self.level = path, width, height, level
        self.index = []  # (timestamp, relative offset, rect count)
        self.digests = []  # SHA-256 of each stored frame's BGRX screen
        self.prev = None
        self.body = tempfile.TemporaryFile(dir=os.path.dirname(os.path.abspath(path)))
        self.body_len = 0
        self.rect_count = 0

    def add(self, t_us, img):
        assert img.mode == "RGB" and img.size == (self.width, self.height), (img.mode, img.size)
        if self.prev is None:
            assert t_us == 0, "frame 0 is at 0 µs"
            rects = [(0, 0, self.width, self.height)]
        else:
            assert t_us > self.index[-1][0], f"timestamps must increase ({t_us} after {self.index[-1][0]})"
            rects = diff_rects(self.prev, img)
            if not rects:
                return False
            # The promise of the format: the rectangles rebuild the frame exactly.
            if apply_rects(self.prev, img, rects).tobytes() != img.tobytes():
                raise AssertionError(f"damage at {t_us} µs is not exact")
        headers, payloads = [], []
        for x, y, w, h in rects:
            raw = bgrx(img.crop((x, y, x + w, y + h)))
            z = zlib.compress(raw, self.level)
            enc, data = (ZLIB, z) if len(z) < len(raw) else (RAW, raw)
            headers.append(RECT.pack(x, y, w, h, enc, len(data)))
            payloads.append(data)
        blob = b"".join(headers) + b"".join(payloads)
        self.index.append((t_us, self.body_len, len(rects)))
        self.body.write(blob)
        self.body_len += len(blob)
        self.rect_count += len(rects)
        self.digests.append(hashlib.sha256(bgrx(img)).hexdigest())
        self.prev = img.copy()
        return True

    def close(self, duration_us):
        assert self.index and duration_us >= self.index[-1][0]
        n = len(self.index)
        base = HEADER.size + n * INDEX.size
        with open(self.path + ".part", "wb") as f:
            f.write(HEADER.pack(MAGIC, VERSION, self.width, self.height, n, 0, duration_us))
            for t, off, count in self.index:
                f.write(INDEX.pack(t, base + off, count, 0))
            self.body.seek(0)
            while True:
                chunk = self.body.read(1 << 24)
                if not chunk:
                    break
                f.write(chunk)
        self.body.close()
        os.replace(self.path + ".part", self.path)


def read(path):
    """Yields (timestamp_us, rects, screen) for every frame; checks the layout as it goes."""
    with open(path, "rb") as f:
        data = f.read()
    magic, version, w, h, n, reserved, duration = HEADER.unpack_from(data, 0)
    assert magic == MAGIC and version == VERSION and reserved == 0 and n >= 1
    screen = Image.new("RGB", (w, h))
    expected = HEADER.size + n * INDEX.size
    last = None
    for i in range(n):
        t, off, count, res = INDEX.unpack_from(data, HEADER.size + i * INDEX.size)
        assert res == 0 and off == expected and (t == 0 if last is None else t > last)
        last = t
        at, pay = off, off + count * RECT.size
        rects = []
        for _ in range(count):
            x, y, rw, rh, enc, length = RECT.unpack_from(data, at)
            at += RECT.size
            assert rw > 0 and rh > 0 and x + rw <= w and y + rh <= h
            payload = data[pay:pay + length]
            assert len(payload) == length
            pay += length
            raw = payload if enc == RAW else zlib.decompress(payload)
            assert enc in (RAW, ZLIB) and len(raw) == rw * rh * 4
            screen.paste(Image.frombytes("RGB", (rw, rh), raw, "raw", "BGRX"), (x, y))
            rects.append((x, y, rw, rh))
        expected = pay
        yield t, rects, screen
    assert expected == len(data), "bytes after the last frame"
    assert duration >= last


def header(path):
    with open(path, "rb") as f:
        magic, version, w, h, n, _, duration = HEADER.unpack(f.read(HEADER.size))
    return w, h, n, duration


def verify(path, digests):
    """Re-reads `path` and checks every frame against the digests taken when writing."""
    k = 0
    for k, (_, _, screen) in enumerate(read(path), 1):
        if hashlib.sha256(bgrx(screen)).hexdigest() != digests[k - 1]:
            raise AssertionError(f"{path}: frame {k - 1} differs after reading back")
    assert k == len(digests), (k, len(digests))


def main(argv):
    if len(argv) >= 2 and argv[0] == "info":
        for p in argv[1:]:
            w, h, n, d = header(p)
            print(f"{p}: {w}x{h}, {n} frames, {d / 1e6:.3f} s, {os.path.getsize(p)} bytes")
        return 0
    if len(argv) >= 3 and argv[0] == "png":
        path, out = argv[1], argv[2]
        want = None
        if len(argv) >= 5 and argv[3] == "--frames":
            want = {int(x) for x in argv[4].split(",")}
        os.makedirs(out, exist_ok=True)
        stem = os.path.splitext(os.path.basename(path))[0]
        for i, (t, rects, screen) in enumerate(read(path)):
            if want is None or i in want:
                screen.save(os.path.join(out, f"{stem}_{i:04d}_{t // 1000}ms.png"))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
