#!/usr/bin/env python3
"""Reference PSNR and SSIM values for codecs/tests/metrics.rs, from scikit-image.

The test images are built here and in the Rust test by the same integer
formulas (a xorshift64 generator), and both print the SHA-256 of the B,G,R,X
bytes, so the two sides provably compare the same pixels.

Re-run (from the repository root):
    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-image
    /tmp/skvenv/bin/python corpora/metrics/reference.py
then copy the printed lines into the doc comment and constants of
codecs/tests/metrics.rs (it names the scikit-image and numpy versions used).

The calls, exactly:
    peak_signal_noise_ratio(a, b, data_range=255)            per channel, and
                                                              on [..., :3] combined
    structural_similarity(ya, yb, data_range=255,
                          gaussian_weights=False, win_size=7) on the float64 luma
                          0.299 R + 0.587 G + 0.114 B (not rounded), and on the
                          uint8 G plane for ssim_plane
"""
import hashlib

import numpy as np
import skimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

MASK = (1 << 64) - 1


def xorshift(seed):
    """The generator of codecs/src/simd/tests.rs (13, 7, 17), seed | 1."""
    s = seed | 1
    while True:
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        yield s


def source(w, h, seed):
    """B,G,R,X: a gradient, a noisy checker, a product pattern; X is junk."""
    rnd = xorshift(seed)
    img = np.zeros((h, w, 4), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            n = next(rnd) >> 58  # 0..=63
            img[y, x, 0] = (3 * x + y) % 256
            img[y, x, 1] = (96 if (x // 8 + y // 8) % 2 else 160) + n - 32
            img[y, x, 2] = (x * y // 16 + 2 * n) % 256
            img[y, x, 3] = next(rnd) >> 56
    return img


def distorted(img, seed):
    """Rows 0..20: noise in -12..=12 (clipped); rows 20..40: a 3x3 box blur
    (edges clamped, rounded); rows 40..: the mean of each 4x4 block (rounded,
    blocks clipped at the image's edge). X: new junk."""
    rnd = xorshift(seed)
    h, w, _ = img.shape
    out = img.copy()
    src = img.astype(np.int64)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                if y < 20:
                    d = (next(rnd) >> 40) % 25 - 12
                    v = min(255, max(0, int(src[y, x, c]) + d))
                elif y < 40:
                    s = 0
                    for dy in (-1, 0, 1):
                        for dx in (-1, 0, 1):
                            s += int(src[min(h - 1, max(0, y + dy)), min(w - 1, max(0, x + dx)), c])
                    v = (s + 4) // 9
                else:
                    x0, y0 = x // 4 * 4, y // 4 * 4
                    block = src[y0:min(h, y0 + 4), x0:min(w, x0 + 4), c]
                    v = (int(block.sum()) + block.size // 2) // block.size
                out[y, x, c] = v
            out[y, x, 3] = next(rnd) >> 56
    return out


def shifted(img):
    """The picture moved one pixel right (the first column repeated)."""
    out = img.copy()
    out[:, 1:, :3] = img[:, :-1, :3]
    return out


def luma(img):
    """BT.601 luma in float64, not rounded."""
    b, g, r = (img[:, :, c].astype(np.float64) for c in range(3))
    return 0.299 * r + 0.587 * g + 0.114 * b


def ssim(a, b):
    return float(structural_similarity(a, b, data_range=255, gaussian_weights=False, win_size=7))


def report(name, a, b):
    per = [float(peak_signal_noise_ratio(a[:, :, c], b[:, :, c], data_range=255)) for c in range(3)]
    comb = float(peak_signal_noise_ratio(a[:, :, :3], b[:, :, :3], data_range=255))
    print(f"{name}: {a.shape[1]}x{a.shape[0]}")
    print(f"  sha256 a {hashlib.sha256(a.tobytes()).hexdigest()}")
    print(f"  sha256 b {hashlib.sha256(b.tobytes()).hexdigest()}")
    print(f"  psnr b {per[0]!r} g {per[1]!r} r {per[2]!r} combined {comb!r}")
    print(f"  ssim luma {ssim(luma(a), luma(b))!r}")
    g_psnr = float(peak_signal_noise_ratio(a[:, :, 1], b[:, :, 1], data_range=255))
    print(f"  plane G: psnr {g_psnr!r} ssim {ssim(a[:, :, 1], b[:, :, 1])!r}")


print(f"scikit-image {skimage.__version__}, numpy {np.__version__}")
a = source(97, 61, 0x5151)
report("mixed", a, distorted(a, 0xD157))
report("shifted", a, shifted(a))
t = source(7, 9, 0x7E57)
report("tiny", t, distorted(t, 0x7E58))
