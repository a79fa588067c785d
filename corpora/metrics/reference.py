#!/usr/bin/env python3
"""Reference PSNR and SSIM values for codecs/tests/metrics.rs, from scikit-image.

The test images are made here and in the Rust test by the same formulas (a
xorshift64 generator and integer arithmetic), so both sides see the same bytes.
Run:  python3 -m venv /tmp/skenv && /tmp/skenv/bin/pip install scikit-image
      /tmp/skenv/bin/python corpora/metrics/reference.py
and copy the printed numbers into the test (it names the scikit-image version).
"""
import numpy as np
import skimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

MASK = (1 << 64) - 1


def xorshift(seed):
    s = seed | 1
    while True:
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        yield s


def source(w, h):
    """BGRX: smooth gradients, a checker pattern and some noise."""
    rnd = xorshift(0x5151)
    img = np.zeros((h, w, 4), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            n = next(rnd) >> 58  # 0..63
            img[y, x, 0] = (3 * x + y) % 256
            img[y, x, 1] = (96 if (x // 8 + y // 8) % 2 else 160) + n - 32
            img[y, x, 2] = (x * y // 16 + 2 * n) % 256
            img[y, x, 3] = 255
    return img


def distorted(img):
    """Adds noise in -12..=12 to every B, G, R sample (clipped), X untouched."""
    rnd = xorshift(0xd157)
    out = img.copy()
    h, w, _ = img.shape
    for y in range(h):
        for x in range(w):
            for c in range(3):
                d = (next(rnd) >> 40) % 25 - 12
                out[y, x, c] = min(255, max(0, int(img[y, x, c]) + d))
    return out


def shifted(img):
    """The picture moved one pixel right (the first column repeated)."""
    out = img.copy()
    out[:, 1:] = img[:, :-1]
    return out


def luma(img):
    """JFIF Y as libjpeg computes it (16-bit fixed point, rounded)."""
    b, g, r = (img[:, :, c].astype(np.int64) for c in range(3))
    return ((19595 * r + 38470 * g + 7471 * b + 32768) >> 16).astype(np.uint8)


def report(name, a, b):
    per = [peak_signal_noise_ratio(a[:, :, c], b[:, :, c], data_range=255) for c in range(3)]
    comb = peak_signal_noise_ratio(a[:, :, :3], b[:, :, :3], data_range=255)
    ssim = structural_similarity(luma(a), luma(b), data_range=255)
    print(f"{name}: psnr b {float(per[0])!r} g {float(per[1])!r} r {float(per[2])!r} combined {float(comb)!r} ssim {float(ssim)!r}")


print(f"scikit-image {skimage.__version__}, numpy {np.__version__}")
a = source(97, 61)
report("noisy", a, distorted(a))
report("shifted", a, shifted(a))
