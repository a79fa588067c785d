#!/usr/bin/env python3
"""Renders the text/UI test screens of corpora/classify/ with Pillow and the DejaVu fonts.

Real font rasterisation (FreeType through Pillow), three styles a remote desktop shows:
a dark terminal with coloured output, a document page with sub-pixel (RGB stripe)
anti-aliasing like ClearType/FreeType LCD filtering, and a dialog with gradient
buttons, a list with zebra stripes and icons. Deterministic: no randomness, fixed text.

    pip install pillow && apt-get install fonts-dejavu-core
    python3 corpora/classify/make_screens.py corpora/classify
"""
import sys
from PIL import Image, ImageDraw, ImageFont, ImageFilter

W, H = 640, 448
FONTS = "/usr/share/fonts/truetype/dejavu/"


def font(name, size):
    return ImageFont.truetype(FONTS + name, size)


CODE = """use paprika_codecs::{ImageRef, Rect};
use rayon::prelude::*;

/// Exact tile damage between consecutive frames of one surface.
pub struct DamageTracker {
    grid: TileGrid,
    prev: Vec<u8>,
    history: Vec<TileHistory>,
}

impl DamageTracker {
    pub fn update(&mut self, frame: &ImageRef) -> Result<DamageMap> {
        let counts = self.compare(frame, &candidates, mask);
        for (i, &n) in counts.iter().enumerate() {
            if n == 0 { continue; }
            let fraction = n as f32 / self.grid.tile_rect(i).area() as f32;
            changed.push(TileChange { index: i as u32, changed_pixels: n });
        }
    }
}""".split("\n")


def terminal(path):
    img = Image.new("RGB", (W, H), (30, 30, 30))
    d = ImageDraw.Draw(img)
    f = font("DejaVuSansMono.ttf", 12)
    fb = font("DejaVuSansMono-Bold.ttf", 12)
    d.rectangle([0, 0, W, 22], fill=(45, 45, 48))
    d.text((8, 4), "user@host: ~/src/paprika", font=fb, fill=(220, 220, 220))
    y = 28
    lines = [
        [("user@host", (80, 200, 120)), (":", (200, 200, 200)), ("~/src/paprika", (90, 150, 250)), ("$ ls -la adapt/src", (220, 220, 220))],
        [("drwxr-xr-x 4 root root 4096 Dec  5 12:04 ", (200, 200, 200)), ("classify", (90, 150, 250))],
        [("drwxr-xr-x 4 root root 4096 Dec  5 12:04 ", (200, 200, 200)), ("damage", (90, 150, 250))],
        [("-rw-r--r-- 1 root root  329 Dec  5 11:58 lib.rs", (200, 200, 200))],
        [("user@host", (80, 200, 120)), (":", (200, 200, 200)), ("~/src/paprika", (90, 150, 250)), ("$ cargo test -p paprika-adapt", (220, 220, 220))],
        [("   Compiling ", (80, 200, 120)), ("paprika-adapt v0.1.0 (/src/paprika/adapt)", (200, 200, 200))],
        [("error[E0308]", (240, 80, 80)), (": mismatched types", (230, 230, 230))],
        [("  --> ", (90, 150, 250)), ("adapt/src/damage/tracker.rs:214:35", (200, 200, 200))],
        [("    |", (90, 150, 250))],
        [("214 |", (90, 150, 250)), ("         let fraction = n / area;", (200, 200, 200))],
        [("    |", (90, 150, 250)), ("                        ^^^^^^^^ expected `f32`, found `u32`", (240, 80, 80))],
        [("warning", (240, 200, 60)), (": unused import: `CmpEq`", (230, 230, 230))],
        [("test result: ", (200, 200, 200)), ("ok", (80, 200, 120)), (". 11 passed; 0 failed; 0 ignored", (200, 200, 200))],
    ]
    lines += [[(l, (200, 200, 200))] for l in CODE[:14]]
    for parts in lines:
        x = 8
        for text, colour in parts:
            d.text((x, y), text, font=f, fill=colour)
            x += d.textlength(text, font=f)
        y += 15
    d.rectangle([8, y + 2, 15, y + 14], fill=(200, 200, 200))  # block cursor
    img.save(path, optimize=True)


def subpixel_text(size, draw_fn):
    """Renders gray coverage at 3x width, then LCD-filters it into R, G, B stripes."""
    big = Image.new("L", (size[0] * 3, size[1]), 0)
    draw_fn(ImageDraw.Draw(big), 3)
    # FreeType's default LCD filter is a 5-tap FIR (0x08 0x4D 0x56 0x4D 0x08)/256.
    px = big.load()
    cov = Image.new("RGB", size)
    out = cov.load()
    taps = (8, 77, 86, 77, 8)
    bw = size[0] * 3
    for y in range(size[1]):
        for x in range(size[0]):
            ch = []
            for c in range(3):
                s = 0
                for k, t in enumerate(taps):
                    xx = 3 * x + c + k - 2
                    if 0 <= xx < bw:
                        s += t * px[xx, y]
                ch.append(min(255, s // 256))
            out[x, y] = tuple(ch)
    return cov


def blend(base, cov, colour, box):
    """Paints `colour` through per-channel coverage `cov` at `box` onto `base`."""
    b = base.load()
    c = cov.load()
    x0, y0 = box
    for y in range(cov.size[1]):
        for x in range(cov.size[0]):
            a = c[x, y]
            p = b[x0 + x, y0 + y]
            b[x0 + x, y0 + y] = tuple((colour[k] * a[k] + p[k] * (255 - a[k])) // 255 for k in range(3))


def document(path):
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 30], fill=(240, 240, 244))
    d.line([0, 30, W, 30], fill=(200, 200, 210))
    body = [
        ("DejaVuSans-Bold.ttf", 18, (20, 20, 20), "Damage and classification"),
        ("DejaVuSerif.ttf", 12, (30, 30, 30), "The tracker cuts the surface into 64x64 tiles and compares each new frame"),
        ("DejaVuSerif.ttf", 12, (30, 30, 30), "with its own copy of the previous one, exactly, whatever the hint says."),
        ("DejaVuSerif.ttf", 12, (30, 30, 30), "Per tile it keeps a history of changes over the last 64 frames."),
        ("DejaVuSans.ttf", 12, (30, 90, 200), "See also: SPICE graduality, video stream detection, scroll hints"),
        ("DejaVuSans-Bold.ttf", 14, (20, 20, 20), "Constants"),
        ("DejaVuSansMono.ttf", 11, (120, 30, 120), "LARGE_CHANGE_FRACTION = 1/3    COLOR_CAP = 64    DWELL = 3"),
        ("DejaVuSerif.ttf", 11, (60, 60, 60), "Small print: every constant is documented with the reason it has that value,"),
        ("DejaVuSerif.ttf", 11, (60, 60, 60), "and with the numbers measured on the corpus of screenshots and photos."),
        ("DejaVuSans.ttf", 10, (90, 90, 90), "Footnote 1. Tiles at the right and bottom edges are smaller when the size is not a multiple."),
    ]
    y = 44
    for name, size, colour, text in body:
        h = size + 8
        def draw(dd, sx, text=text, f=font(name, size)):
            # Draw at 3x horizontal scale: a font of the same height, stretched.
            tmp = Image.new("L", (W, h), 0)
            ImageDraw.Draw(tmp).text((0, 2), text, font=f, fill=255)
            dd._image.paste(tmp.resize((W * sx, h), Image.BILINEAR))
        cov = subpixel_text((W - 40, h), lambda dd, sx: draw(dd, sx))
        blend(img, cov, colour, (24, y))
        y += h + 6
    # A table with borders.
    x0, y1 = 24, y + 6
    d.rectangle([x0, y1, W - 24, y1 + 84], outline=(180, 180, 190))
    for k in range(1, 4):
        d.line([x0, y1 + 21 * k, W - 24, y1 + 21 * k], fill=(210, 210, 215))
    d.line([220, y1, 220, y1 + 84], fill=(210, 210, 215))
    tf = font("DejaVuSans.ttf", 11)
    rows = [("class", "rule"), ("Solid", "one colour"), ("Text", "sharp, few colours"), ("Image", "smooth gradients")]
    for k, (a, b) in enumerate(rows):
        d.text((x0 + 6, y1 + 21 * k + 4), a, font=tf, fill=(20, 20, 20))
        d.text((226, y1 + 21 * k + 4), b, font=tf, fill=(20, 20, 20))
    img.save(path, optimize=True)


def dialog(path):
    img = Image.new("RGB", (W, H), (246, 245, 244))
    d = ImageDraw.Draw(img)
    f = font("DejaVuSans.ttf", 12)
    fb = font("DejaVuSans-Bold.ttf", 12)
    # Title bar with a vertical gradient.
    for y in range(34):
        v = 235 - y
        d.line([0, y, W, y], fill=(v, v, v - 2))
    d.line([0, 34, W, 34], fill=(190, 188, 186))
    d.text((W // 2 - 50, 10), "Display Settings", font=fb, fill=(40, 40, 40))
    d.ellipse([W - 28, 9, W - 12, 25], fill=(200, 200, 200))
    d.text((W - 24, 9), "x", font=f, fill=(60, 60, 60))
    # Sidebar list with zebra stripes and a selection.
    for k, name in enumerate(["Displays", "Sound", "Power", "Network", "Keyboard", "Mouse", "Printers", "Sharing"]):
        y = 44 + 28 * k
        bg = (53, 132, 228) if k == 2 else ((240, 239, 238) if k % 2 else (250, 250, 250))
        d.rectangle([0, y, 180, y + 27], fill=bg)
        colour = (255, 255, 255) if k == 2 else (40, 40, 40)
        d.rounded_rectangle([10, y + 6, 26, y + 22], radius=3, fill=(120 + 15 * k, 90, 200 - 15 * k))
        d.text((36, y + 6), name, font=f, fill=colour)
    d.line([181, 35, 181, H], fill=(205, 203, 201))
    # Form: labels, entries, a check box, a switch.
    labels = ["Resolution", "Refresh rate", "Scale", "Orientation"]
    values = ["1920 x 1080 (16:9)", "60.00 Hz", "100 %", "Landscape"]
    for k, (l, v) in enumerate(zip(labels, values)):
        y = 56 + 44 * k
        d.text((204, y + 7), l, font=f, fill=(40, 40, 40))
        d.rounded_rectangle([340, y, 610, y + 30], radius=5, fill=(255, 255, 255), outline=(200, 198, 196))
        d.text((350, y + 7), v, font=f, fill=(30, 30, 30))
        d.polygon([(590, y + 12), (600, y + 12), (595, y + 18)], fill=(80, 80, 80))
    d.rectangle([204, 240, 218, 254], outline=(120, 120, 120), fill=(255, 255, 255))
    d.line([207, 247, 211, 251, 216, 242], fill=(53, 132, 228), width=2)
    d.text((226, 240), "Mirror displays", font=f, fill=(40, 40, 40))
    d.rounded_rectangle([540, 238, 590, 258], radius=10, fill=(53, 132, 228))
    d.ellipse([570, 240, 588, 256], fill=(255, 255, 255))
    d.text((204, 280), "Note: changing the resolution may limit the refresh rates offered.", font=font("DejaVuSans-Oblique.ttf", 11), fill=(100, 100, 100))
    # Buttons with gradient fills.
    for x0, label, top, bottom, colour in [(360, "Cancel", (252, 252, 252), (232, 231, 230), (40, 40, 40)), (490, "Apply", (70, 150, 240), (40, 115, 210), (255, 255, 255))]:
        for y in range(400, 430):
            t = (y - 400) / 29
            d.line([x0, y, x0 + 110, y], fill=tuple(int(top[k] + (bottom[k] - top[k]) * t) for k in range(3)))
        d.rounded_rectangle([x0, 400, x0 + 110, 430], radius=4, outline=(180, 178, 176))
        d.text((x0 + 55 - d.textlength(label, font=fb) / 2, 408), label, font=fb, fill=colour)
    img.save(path, optimize=True)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    terminal(out + "/screen_terminal.png")
    document(out + "/screen_document_lcd.png")
    dialog(out + "/screen_dialog.png")
