#!/bin/sh
# Seeds the fuzz corpora (git-ignored) from the bundled vectors: the four
# spice-common fuzzer seeds and the small golden streams for decode_quic, and
# from the committed hand-made inputs in seeds/<target>/.
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
# decode_lz: the small LZ vectors of every type.
mkdir -p "$here/corpus/decode_lz" "$here/corpus/decode_spice_image"
for f in "$here/../corpora/vectors/lz"/tiny_*.lz "$here/../corpora/vectors/lz"/flat_*.lz; do
    [ -e "$f" ] && cp "$f" "$here/corpus/decode_lz/"
done
# decode_spice_image: the small QUIC vectors behind a descriptor (id 0, type QUIC,
# flags 0, width, height little-endian) and a u32 data size.
for f in "$vectors"/tiny_*.quic; do
    size=$(wc -c < "$f")
    python3 - "$f" "$size" "$here/corpus/decode_spice_image/$(basename "$f").spice" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
w, h = struct.unpack_from('<II', data, 12)
open(sys.argv[3], 'wb').write(struct.pack('<QBBIII', 0, 1, 0, w, h, len(data)) + data)
PY
done
# The committed seeds: small inputs per target (seeds/<target>/*).
for d in "$here"/seeds/*/; do
    t=$(basename "$d")
    mkdir -p "$here/corpus/$t"
    cp "$d"* "$here/corpus/$t/"
done
for d in "$here"/corpus/*/; do
    t=$(basename "$d")
    echo "seeded $(ls "$here/corpus/$t" | wc -l) $t inputs"
done
