#!/bin/sh
# Seeds the fuzz corpora (git-ignored) from the bundled vectors: the four
# spice-common fuzzer seeds and the small golden streams for decode_quic.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vectors="$here/../corpora/vectors/quic"
mkdir -p "$here/corpus/decode_quic" "$here/corpus/roundtrip_quic"
cp "$vectors"/fuzzer/*.quic "$here/corpus/decode_quic/"
for f in "$vectors"/tiny_*.quic "$vectors"/flat_*.quic; do
    cp "$f" "$here/corpus/decode_quic/"
done
# roundtrip_quic: one seed per (type, format) pair, 16x8, a few colours.
for sel in 0 1 2 3 4 5 6 7; do
    printf "\\$(printf '%03o' "$sel")\\017\\000\\007ABCDABCDABCDxyzw" > "$here/corpus/roundtrip_quic/pair$sel"
done
echo "seeded $(ls "$here/corpus/decode_quic" | wc -l) decode_quic and $(ls "$here/corpus/roundtrip_quic" | wc -l) roundtrip_quic inputs"
