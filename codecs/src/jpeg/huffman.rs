//! Huffman coding of quantized blocks (T.81 Annex C, F.1.2 and K.2): encoding
//! tables, a bit writer with byte stuffing, the block coder, and the symbol
//! counts and table builder of the optional optimizing pass.

use wide::{CmpEq, i16x8};

use super::tables::{HuffSpec, ZIGZAG};

/// Run/size symbol for sixteen zeros in a row.
const ZRL: usize = 0xf0;
/// Run/size symbol for "the rest of the block is zero".
const EOB: usize = 0x00;

/// An encoding table: the canonical code and its length for each symbol.
#[derive(Debug, Clone)]
pub(crate) struct HuffCodes {
    /// `code << 8 | length` per symbol; length 0 means the symbol has no code.
    /// Packed so the hot loop makes one load per symbol.
    packed: [u32; 256],
}

impl HuffCodes {
    /// Builds the canonical codes of `spec` (T.81 C.2 and C.3).
    pub(crate) fn from_spec(spec: &HuffSpec) -> HuffCodes {
        let mut packed = [0u32; 256];
        let mut vals = spec.vals.iter();
        let mut code = 0u32;
        for len in 1..=16u32 {
            for _ in 0..spec.bits[len as usize - 1] {
                let Some(&sym) = vals.next() else { break };
                debug_assert!(code < (1 << len), "Huffman spec oversubscribes length {len}");
                packed[usize::from(sym)] = ((code & 0xffff) << 8) | len;
                code += 1;
            }
            code <<= 1;
        }
        HuffCodes { packed }
    }

    /// The code of `sym` and its length in bits (0 if `sym` has no code).
    #[inline(always)]
    pub(crate) fn code(&self, sym: usize) -> (u32, u32) {
        let p = self.packed[sym & 0xff];
        (p >> 8, p & 0xff)
    }
}

/// The bit accumulator alone, so the block coder can hold it in registers
/// (as a field behind `&mut BitWriter` it round-trips through memory).
#[derive(Debug, Clone, Copy)]
struct Bits {
    /// The pending bits are the low `64 - free` bits; anything above them is
    /// stale and gets shifted out, which saves masking on every put.
    acc: u64,
    /// Room left in `acc`, 1..=64 between calls.
    free: u32,
}

impl Bits {
    const EMPTY: Bits = Bits { acc: 0, free: 64 };

    /// Appends the low `len` bits of `code` (`len` ≤ 32, no bits set above them).
    #[inline(always)]
    fn put(&mut self, out: &mut Vec<u8>, code: u32, len: u32) {
        debug_assert!(len <= 32 && u64::from(code) >> len == 0, "put({code:#x}, {len})");
        let code = u64::from(code);
        if len < self.free {
            self.acc = (self.acc << len) | code;
            self.free -= len;
        } else {
            // Fill the word with the top of `code`, flush it, keep the rest.
            let rest = len - self.free;
            let word = (self.acc << self.free) | (code >> rest);
            if has_ff_byte(word) {
                flush_stuffed(out, word);
            } else {
                out.extend_from_slice(&word.to_be_bytes());
            }
            self.acc = code;
            self.free = 64 - rest;
        }
    }
}

/// Whether any byte of `x` is 0xFF (the zero-byte test on its complement).
#[inline(always)]
fn has_ff_byte(x: u64) -> bool {
    let y = !x;
    (y.wrapping_sub(0x0101_0101_0101_0101) & !y & 0x8080_8080_8080_8080) != 0
}

/// Writes a word byte by byte, a 0x00 after each 0xFF: out of line, as it is
/// rare and would crowd the block coder's loop.
#[cold]
#[inline(never)]
fn flush_stuffed(out: &mut Vec<u8>, word: u64) {
    for b in word.to_be_bytes() {
        out.push(b);
        if b == 0xff {
            out.push(0);
        }
    }
}

/// Appends bits, most significant first, to a byte vector, stuffing a 0x00
/// after every 0xFF byte of entropy-coded data.
#[derive(Debug)]
pub(crate) struct BitWriter {
    out: Vec<u8>,
    bits: Bits,
}

impl BitWriter {
    /// A writer appending to `out` after the bytes it already holds.
    pub(crate) fn new(out: Vec<u8>) -> BitWriter {
        BitWriter { out, bits: Bits::EMPTY }
    }

    /// Appends the low `len` bits of `code` (`len` ≤ 32, no bits set above them).
    #[inline]
    pub(crate) fn put(&mut self, code: u32, len: u32) {
        self.bits.put(&mut self.out, code, len);
    }

    /// Completes the last byte with 1-bits (T.81 F.1.2.3) and writes out
    /// everything pending, leaving the writer byte-aligned and empty.
    pub(crate) fn pad_to_byte(&mut self) {
        let pad = (64 - self.bits.free).wrapping_neg() & 7;
        if pad > 0 {
            self.put((1 << pad) - 1, pad);
        }
        let used = 64 - self.bits.free;
        for i in (0..used / 8).rev() {
            let b = (self.bits.acc >> (8 * i)) as u8;
            self.out.push(b);
            if b == 0xff {
                self.out.push(0);
            }
        }
        self.bits = Bits::EMPTY;
    }

    /// Pads to a byte, then writes the marker 0xFF `marker` (not stuffed). The
    /// encoder stitches padded intervals itself; tests build streams with this.
    #[cfg(test)]
    pub(crate) fn put_marker(&mut self, marker: u8) {
        self.pad_to_byte();
        self.out.extend_from_slice(&[0xff, marker]);
    }

    /// Pads to a byte and returns the bytes.
    pub(crate) fn into_inner(mut self) -> Vec<u8> {
        self.pad_to_byte();
        self.out
    }
}

/// Magnitude category of `v` (bits needed for |v|) and its extra bits: `v`
/// itself if positive, its ones' complement in that many bits if negative.
#[inline(always)]
fn category(v: i32) -> (u32, u32) {
    let nbits = 32 - v.unsigned_abs().leading_zeros();
    // For negative v, v - 1 is the ones' complement of |v| in two's complement.
    let bits = (v + (v >> 31)) as u32 & ((1u32 << nbits) - 1);
    (nbits, bits)
}

/// `ZZ_OF_ROW[r][m]`: the zigzag-order mask (bit k for zigzag position k) of
/// the coefficients of row `r` (natural positions `8r..8r+8`) set in `m`.
/// Eight lookups turn a natural-order mask into a zigzag-order one, where
/// gathering the block into zigzag order takes 64 loads and stores.
static ZZ_OF_ROW: [[u64; 256]; 8] = {
    let mut pos = [0u8; 64];
    let mut k = 0;
    while k < 64 {
        pos[ZIGZAG[k] as usize] = k as u8;
        k += 1;
    }
    let mut t = [[0u64; 256]; 8];
    let mut r = 0;
    while r < 8 {
        let mut m = 0;
        while m < 256 {
            let mut bits = 0u64;
            let mut c = 0;
            while c < 8 {
                if m >> c & 1 == 1 {
                    bits |= 1 << pos[r * 8 + c];
                }
                c += 1;
            }
            t[r][m] = bits;
            m += 1;
        }
        r += 1;
    }
    t
};

/// A mask of the block's nonzero AC coefficients in zigzag order (bit k for
/// zigzag position k; bit 0, the DC, is left clear). The coefficients stay in
/// natural order: the coder reads `coefs[ZIGZAG[k]]`.
#[inline(always)]
fn nonzero_zigzag_mask(coefs: &[i16; 64]) -> u64 {
    // Eight lanes (one row) at a time: the compiler does not turn a scalar
    // loop of compares into movemasks.
    let rows: [i16x8; 8] = bytemuck::cast(*coefs);
    let mut mask = 0u64;
    for (r, v) in rows.iter().enumerate() {
        let nonzero = !v.cmp_eq(i16x8::ZERO).move_mask() as usize & 0xff;
        mask |= ZZ_OF_ROW[r][nonzero];
    }
    mask & !1
}

/// Codes one block: `coefs` are quantized coefficients in natural (row-major)
/// order; `prev_dc` is the component's DC predictor, updated to this block's DC.
///
/// Coefficients must be in baseline range (DC difference within ±2047, AC
/// within ±1023) and every symbol used must have a code in `dc`/`ac`.
#[inline]
pub(crate) fn encode_block(coefs: &[i16; 64], prev_dc: &mut i16, dc: &HuffCodes, ac: &HuffCodes, w: &mut BitWriter) {
    let mut acc = w.bits;
    let out = &mut w.out;
    let diff = i32::from(coefs[0]) - i32::from(*prev_dc);
    *prev_dc = coefs[0];
    let (nbits, bits) = category(diff);
    debug_assert!(nbits <= 11, "DC difference {diff} out of baseline range");
    let (code, len) = dc.code(nbits as usize);
    debug_assert!(len > 0, "DC category {nbits} has no code");
    // Code and magnitude together: at most 16 + 11 bits, one put.
    acc.put(out, (code << nbits) | bits, len + nbits);

    let mut mask = nonzero_zigzag_mask(coefs);
    let mut last = 0u32;
    while mask != 0 {
        let k = mask.trailing_zeros();
        mask &= mask - 1;
        let v = coefs[usize::from(ZIGZAG[k as usize & 63] & 63)];
        let mut run = k - last - 1;
        last = k;
        if run >= 16 {
            let (zc, zl) = ac.code(ZRL);
            debug_assert!(zl > 0, "ZRL has no code");
            while run >= 16 {
                acc.put(out, zc, zl);
                run -= 16;
            }
        }
        let (nbits, bits) = category(i32::from(v));
        debug_assert!(nbits <= 10, "AC coefficient {v} out of baseline range");
        let (code, len) = ac.code(((run << 4) | nbits) as usize);
        debug_assert!(len > 0, "AC symbol {:#x} has no code", (run << 4) | nbits);
        acc.put(out, (code << nbits) | bits, len + nbits);
    }
    if last != 63 {
        let (code, len) = ac.code(EOB);
        debug_assert!(len > 0, "EOB has no code");
        acc.put(out, code, len);
    }
    w.bits = acc;
}

/// How often each DC and AC symbol occurs, for building optimized tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SymbolCounts {
    /// Occurrences of each DC category.
    pub(crate) dc: [u32; 256],
    /// Occurrences of each AC run/size symbol (including ZRL and EOB).
    pub(crate) ac: [u32; 256],
}

impl Default for SymbolCounts {
    fn default() -> Self {
        SymbolCounts { dc: [0; 256], ac: [0; 256] }
    }
}

impl SymbolCounts {
    /// Adds `other`'s counts (saturating: a count that occurs stays nonzero).
    pub(crate) fn add(&mut self, other: &SymbolCounts) {
        for (a, b) in self.dc.iter_mut().zip(other.dc.iter()).chain(self.ac.iter_mut().zip(other.ac.iter())) {
            *a = a.saturating_add(*b);
        }
    }
}

/// Tallies the symbols [`encode_block`] would emit for this block, updating
/// `prev_dc` the same way.
#[inline]
pub(crate) fn count_block(coefs: &[i16; 64], prev_dc: &mut i16, counts: &mut SymbolCounts) {
    let bump = |c: &mut u32| *c = c.saturating_add(1);
    let diff = i32::from(coefs[0]) - i32::from(*prev_dc);
    *prev_dc = coefs[0];
    bump(&mut counts.dc[category(diff).0 as usize & 0xff]);

    let mut mask = nonzero_zigzag_mask(coefs);
    let mut last = 0u32;
    while mask != 0 {
        let k = mask.trailing_zeros();
        mask &= mask - 1;
        let v = coefs[usize::from(ZIGZAG[k as usize & 63] & 63)];
        let mut run = k - last - 1;
        last = k;
        while run >= 16 {
            bump(&mut counts.ac[ZRL]);
            run -= 16;
        }
        let nbits = category(i32::from(v)).0;
        bump(&mut counts.ac[((run << 4) | nbits) as usize & 0xff]);
    }
    if last != 63 {
        bump(&mut counts.ac[EOB]);
    }
}

/// Longest code length the Huffman construction may produce before the
/// length limit is applied: with 257 leaves a tree is at most 256 deep.
const MAX_TREE_DEPTH: usize = 256;

/// An optimal table for these symbol frequencies, limited to 16-bit codes,
/// with the all-ones code left unused (T.81 K.2 and K.3, as libjpeg builds
/// them). Symbols that never occur get no code; with no symbol at all, the
/// table holds symbol 0 alone, so it is still a valid DHT table.
pub(crate) fn optimal_spec(freq: &[u32; 256]) -> HuffSpec {
    if freq.iter().all(|&f| f == 0) {
        return HuffSpec { bits: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], vals: vec![0] };
    }
    // Index 256 is a pseudo-symbol of frequency 1: it takes the last code of
    // the longest length, which is the all-ones code, and is dropped at the end.
    let mut f = [0u64; 257];
    for (d, &s) in f.iter_mut().zip(freq.iter()) {
        *d = u64::from(s);
    }
    f[256] = 1;
    let mut size = [0usize; 257];
    // Each tree node is kept as a chain of its leaves through `next`.
    let mut next = [usize::MAX; 257];

    loop {
        // The two least frequent live nodes (on ties the higher index, as
        // libjpeg, so the pseudo-symbol goes first).
        let (mut c1, mut c2) = (usize::MAX, usize::MAX);
        let (mut v1, mut v2) = (u64::MAX, u64::MAX);
        for (i, &fi) in f.iter().enumerate() {
            if fi == 0 {
                continue;
            }
            if fi <= v1 {
                (c2, v2) = (c1, v1);
                (c1, v1) = (i, fi);
            } else if fi <= v2 {
                (c2, v2) = (i, fi);
            }
        }
        if c2 == usize::MAX {
            break;
        }
        // Merge c2 into c1: every leaf of both goes one level deeper.
        f[c1] += f[c2];
        f[c2] = 0;
        let mut tail = c1;
        loop {
            size[tail] += 1;
            if next[tail] == usize::MAX {
                break;
            }
            tail = next[tail];
        }
        next[tail] = c2;
        let mut j = c2;
        while j != usize::MAX {
            size[j] += 1;
            j = next[j];
        }
    }

    let mut count = [0u32; MAX_TREE_DEPTH + 1];
    for &s in &size {
        if s > 0 {
            count[s] += 1;
        }
    }
    // K.3: shorten codes longer than 16. Of two sibling leaves at length i,
    // one takes their parent's place at i - 1; the other pairs up with a leaf
    // from the longest length j < i - 1 that has one, both going to j + 1.
    // The Kraft sum stays 1.
    for i in (17..=MAX_TREE_DEPTH).rev() {
        while count[i] > 0 {
            let mut j = i - 2;
            while count[j] == 0 {
                j -= 1;
            }
            count[i] -= 2;
            count[i - 1] += 1;
            count[j + 1] += 2;
            count[j] -= 1;
        }
    }
    // Drop the pseudo-symbol's code, the last of the longest length. (Before
    // narrowing: a length can hold 256 codes with it, 255 without.)
    if let Some(longest) = count[1..=16].iter().rposition(|&c| c > 0) {
        count[longest + 1] -= 1;
    }
    let mut bits = [0u8; 16];
    for (b, &c) in bits.iter_mut().zip(count[1..=16].iter()) {
        *b = c as u8;
    }

    // The adjusted lengths are handed out in order of the unlimited ones.
    // Within one length, more frequent symbols go first (libjpeg goes by
    // value): when the limit splits a length, they keep the shorter codes.
    let mut vals: Vec<u8> = (0..=255u8).filter(|&s| size[usize::from(s)] > 0).collect();
    vals.sort_by_key(|&s| (size[usize::from(s)], std::cmp::Reverse(freq[usize::from(s)])));
    HuffSpec { bits, vals }
}

#[cfg(test)]
mod tests {
    use super::super::markers::{Component, restart_marker, write_eoi, write_headers, write_sos};
    use super::super::tables::{quant_tables, std_ac_chroma, std_ac_luma, std_dc_chroma, std_dc_luma};
    use super::*;
    use std::collections::HashMap;

    /// A small xorshift generator: tests must not depend on a crate's RNG.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn range(&mut self, lo: i32, hi: i32) -> i32 {
            lo + self.below((hi - lo + 1) as u64) as i32
        }
    }

    fn code_str(c: &HuffCodes, sym: usize) -> String {
        let (code, len) = c.code(sym);
        (0..len).rev().map(|i| if code >> i & 1 == 1 { '1' } else { '0' }).collect()
    }

    #[test]
    fn standard_tables_give_the_printed_codes() {
        let dcl = HuffCodes::from_spec(&std_dc_luma());
        let dcc = HuffCodes::from_spec(&std_dc_chroma());
        let acl = HuffCodes::from_spec(&std_ac_luma());
        let acc = HuffCodes::from_spec(&std_ac_chroma());
        // Tables K.3 to K.6 as printed.
        assert_eq!(code_str(&dcl, 0), "00");
        assert_eq!(code_str(&dcl, 1), "010");
        assert_eq!(code_str(&dcl, 5), "110");
        assert_eq!(code_str(&dcl, 11), "111111110");
        assert_eq!(code_str(&dcc, 0), "00");
        assert_eq!(code_str(&dcc, 3), "110");
        assert_eq!(code_str(&dcc, 4), "1110");
        assert_eq!(code_str(&dcc, 11), "11111111110");
        assert_eq!(code_str(&acl, 0x00), "1010");
        assert_eq!(code_str(&acl, 0x01), "00");
        assert_eq!(code_str(&acl, 0x11), "1100");
        assert_eq!(code_str(&acl, 0xf0), "11111111001");
        assert_eq!(code_str(&acl, 0xfa), "1111111111111110");
        assert_eq!(code_str(&acc, 0x00), "00");
        assert_eq!(code_str(&acc, 0xf0), "1111111010");
        assert_eq!(code_str(&acc, 0xfa), "1111111111111110");
        // Symbols outside the table have no code.
        assert_eq!(dcl.code(12).1, 0);
        assert_eq!(acl.code(0x0b).1, 0);
    }

    #[test]
    fn bit_writer_packs_pads_and_stuffs() {
        let mut w = BitWriter::new(vec![0xab]);
        w.put(0b101, 3);
        w.put(0x1f, 5); // 1011_1111
        w.put(0xff, 8); // stuffed
        w.put(0x3, 2); // then padded with ones: 11_111111 = 0xff, stuffed
        w.pad_to_byte();
        w.put(0, 4); // 0000_1111
        w.put_marker(restart_marker(9));
        assert_eq!(w.into_inner(), [0xab, 0xbf, 0xff, 0x00, 0xff, 0x00, 0x0f, 0xff, 0xd1]);

        // Long runs through the accumulator: every byte crosses a word edge
        // somewhere, and 0xFF bytes fall in all eight positions.
        let mut rng = Rng(7);
        let mut bits = Vec::new();
        let mut w = BitWriter::new(Vec::new());
        for _ in 0..5000 {
            let len = rng.below(33) as u32;
            let code = if rng.below(4) == 0 { u32::MAX } else { rng.next() as u32 };
            let code = if len == 32 { code } else { code & ((1 << len) - 1) };
            w.put(code, len);
            bits.extend((0..len).rev().map(|i| code >> i & 1 == 1));
        }
        while bits.len() % 8 != 0 {
            bits.push(true);
        }
        let mut want = Vec::new();
        for byte in bits.chunks(8) {
            let b = byte.iter().fold(0u8, |a, &x| a << 1 | u8::from(x));
            want.push(b);
            if b == 0xff {
                want.push(0);
            }
        }
        assert_eq!(w.into_inner(), want);
    }

    /// Reads entropy-coded bits back: undoes stuffing, stops at a marker.
    struct BitReader<'a> {
        data: &'a [u8],
        pos: usize,
        bit: u32,
    }

    impl BitReader<'_> {
        fn bit(&mut self) -> u32 {
            let b = self.data[self.pos];
            let v = u32::from(b >> (7 - self.bit) & 1);
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += if b == 0xff {
                    assert_eq!(self.data[self.pos + 1], 0, "unstuffed 0xFF");
                    2
                } else {
                    1
                };
            }
            v
        }
        fn bits(&mut self, n: u32) -> u32 {
            (0..n).fold(0, |a, _| a << 1 | self.bit())
        }
    }

    /// A decoding table: (length, code) to symbol.
    fn decoder(spec: &HuffSpec) -> HashMap<(u32, u32), u8> {
        let c = HuffCodes::from_spec(spec);
        spec.vals.iter().map(|&s| (c.code(usize::from(s)), s)).map(|((code, len), s)| ((len, code), s)).collect()
    }

    fn symbol(r: &mut BitReader<'_>, t: &HashMap<(u32, u32), u8>) -> u8 {
        let mut code = 0;
        for len in 1..=16 {
            code = code << 1 | r.bit();
            if let Some(&s) = t.get(&(len, code)) {
                return s;
            }
        }
        panic!("no code matches");
    }

    fn extend(bits: u32, n: u32) -> i32 {
        if n == 0 {
            0
        } else if bits < 1 << (n - 1) {
            bits as i32 - ((1 << n) - 1)
        } else {
            bits as i32
        }
    }

    /// The block back in natural order (T.81 F.2.2).
    fn decode_block(
        r: &mut BitReader<'_>,
        prev_dc: &mut i32,
        dc: &HashMap<(u32, u32), u8>,
        ac: &HashMap<(u32, u32), u8>,
    ) -> [i16; 64] {
        let mut out = [0i16; 64];
        let s = u32::from(symbol(r, dc));
        *prev_dc += extend(r.bits(s), s);
        out[0] = *prev_dc as i16;
        let mut k = 1;
        while k < 64 {
            let rs = symbol(r, ac);
            let (run, s) = (usize::from(rs >> 4), u32::from(rs & 15));
            if s == 0 {
                if run == 15 {
                    k += 16;
                    continue;
                }
                assert_eq!(rs, 0, "bad AC symbol");
                break;
            }
            k += run;
            out[usize::from(ZIGZAG[k])] = extend(r.bits(s), s) as i16;
            k += 1;
        }
        assert!(k <= 64);
        out
    }

    /// Blocks covering the edge cases: all zero, extremes, long runs (ZRL
    /// chains), a last coefficient set (no EOB), and random sparse ones.
    fn test_blocks(rng: &mut Rng, n: usize) -> Vec<[i16; 64]> {
        let mut blocks = vec![[0i16; 64]];
        let mut b = [0i16; 64];
        b[0] = 1023;
        b[63] = -1023;
        blocks.push(b);
        let mut b = [0i16; 64];
        b[0] = -1024;
        b[usize::from(ZIGZAG[33])] = 1;
        b[usize::from(ZIGZAG[50])] = -2;
        blocks.push(b);
        let mut b = [0i16; 64];
        b[usize::from(ZIGZAG[17])] = 512;
        b[usize::from(ZIGZAG[62])] = -1;
        blocks.push(b);
        blocks.push(std::array::from_fn(|i| if i % 2 == 0 { 1 } else { -1 }));
        blocks.push(std::array::from_fn(|i| (i as i16 * 37 % 2047) - 1023));
        while blocks.len() < n {
            let mut b = [0i16; 64];
            b[0] = rng.range(-1024, 1023) as i16;
            let nz = rng.below(40);
            for _ in 0..nz {
                let k = 1 + rng.below(63) as usize;
                let mag = 1 << rng.below(10);
                b[usize::from(ZIGZAG[k])] = rng.range(-mag, mag) as i16;
            }
            blocks.push(b);
        }
        blocks
    }

    #[test]
    fn blocks_decode_back_exactly() {
        let mut rng = Rng(0x1234_5678);
        let blocks = test_blocks(&mut rng, 400);
        for (dc_spec, ac_spec) in [(std_dc_luma(), std_ac_luma()), (std_dc_chroma(), std_ac_chroma())] {
            let (dc, ac) = (HuffCodes::from_spec(&dc_spec), HuffCodes::from_spec(&ac_spec));
            let mut w = BitWriter::new(Vec::new());
            let mut pred = 0i16;
            for b in &blocks {
                encode_block(b, &mut pred, &dc, &ac, &mut w);
            }
            let data = w.into_inner();
            let (dd, ad) = (decoder(&dc_spec), decoder(&ac_spec));
            let mut r = BitReader { data: &data, pos: 0, bit: 0 };
            let mut pred = 0i32;
            for b in &blocks {
                assert_eq!(&decode_block(&mut r, &mut pred, &dd, &ad), b);
            }
            // Only the padding is left: 1-bits to the end of the byte.
            if r.bit > 0 {
                let n = 8 - r.bit;
                assert_eq!(r.bits(n), (1 << n) - 1);
            }
            assert_eq!(r.pos, data.len());
        }
    }

    #[test]
    fn optimized_tables_code_what_was_counted() {
        let mut rng = Rng(99);
        let blocks = test_blocks(&mut rng, 300);
        let mut counts = SymbolCounts::default();
        let mut pred = 0i16;
        for b in &blocks {
            count_block(b, &mut pred, &mut counts);
        }
        assert_eq!(counts.ac[EOB], blocks.iter().filter(|b| b[63] == 0).count() as u32);
        let (dc_spec, ac_spec) = (optimal_spec(&counts.dc), optimal_spec(&counts.ac));
        for (spec, freq) in [(&dc_spec, &counts.dc), (&ac_spec, &counts.ac)] {
            let used: Vec<u8> = (0..=255u8).filter(|&s| freq[usize::from(s)] > 0).collect();
            let mut vals = spec.vals.clone();
            vals.sort_unstable();
            assert_eq!(vals, used, "exactly the symbols that occur get codes");
        }
        let (dc, ac) = (HuffCodes::from_spec(&dc_spec), HuffCodes::from_spec(&ac_spec));
        let mut w = BitWriter::new(Vec::new());
        let mut pred = 0i16;
        for b in &blocks {
            encode_block(b, &mut pred, &dc, &ac, &mut w);
        }
        let data = w.into_inner();
        let (dd, ad) = (decoder(&dc_spec), decoder(&ac_spec));
        let mut r = BitReader { data: &data, pos: 0, bit: 0 };
        let mut pred = 0i32;
        for b in &blocks {
            assert_eq!(&decode_block(&mut r, &mut pred, &dd, &ad), b);
        }
        // And smaller than the standard tables.
        let (sdc, sac) = (HuffCodes::from_spec(&std_dc_luma()), HuffCodes::from_spec(&std_ac_luma()));
        let mut w = BitWriter::new(Vec::new());
        let mut pred = 0i16;
        for b in &blocks {
            encode_block(b, &mut pred, &sdc, &sac, &mut w);
        }
        assert!(data.len() < w.into_inner().len());
    }

    /// Checks the invariants of a table built by `optimal_spec` from `freq`.
    fn check_optimal(freq: &[u32; 256]) -> HuffSpec {
        let spec = optimal_spec(freq);
        let n: usize = spec.bits.iter().map(|&b| usize::from(b)).sum();
        assert_eq!(n, spec.vals.len());
        // Kraft sum strictly below 1: the all-ones code is free.
        let kraft: u64 = spec.bits.iter().enumerate().map(|(i, &b)| u64::from(b) << (15 - i)).sum();
        assert!(kraft < 1 << 16, "Kraft sum {kraft} / 65536");
        let codes = HuffCodes::from_spec(&spec);
        let mut len_of = [0u32; 256];
        for &s in &spec.vals {
            let (code, len) = codes.code(usize::from(s));
            assert!((1..=16).contains(&len));
            assert_ne!(code, (1 << len) - 1, "all-ones code used");
            len_of[usize::from(s)] = len;
        }
        for a in 0..256 {
            for b in 0..256 {
                if freq[a] > freq[b] && freq[b] > 0 {
                    assert!(len_of[a] <= len_of[b], "symbol {a} ({}) longer than {b} ({})", freq[a], freq[b]);
                }
            }
        }
        spec
    }

    #[test]
    fn optimal_spec_invariants() {
        // Nothing, one symbol, two symbols.
        let spec = check_optimal(&[0; 256]);
        assert_eq!(spec.vals.len(), 1);
        let mut f = [0u32; 256];
        f[7] = 100;
        let spec = check_optimal(&f);
        assert_eq!((spec.bits[0], spec.vals.as_slice()), (1, &[7u8][..]));
        f[200] = 3;
        check_optimal(&f);
        // One dominant symbol over 255 equal ones: those and the reserve fill
        // a perfect subtree, 256 codes of 9 bits before the reserve goes.
        let mut f = [1u32; 256];
        f[0] = 1000;
        let spec = check_optimal(&f);
        assert_eq!((spec.bits[0], spec.bits[8], spec.vals[0]), (1, 255, 0));
        // Uniform: 256 symbols need 8 and 9 bits (257 leaves with the reserve).
        let spec = check_optimal(&[5; 256]);
        assert_eq!(spec.vals.len(), 256);
        assert_eq!(spec.bits.iter().rposition(|&b| b > 0), Some(8));
        // Fibonacci frequencies give a maximally deep tree (depth far over 16):
        // the K.3 adjustment must bring it down to 16 and keep it prefix-free.
        let mut f = [0u32; 256];
        let (mut a, mut b) = (1u32, 1u32);
        for x in f.iter_mut().take(40) {
            *x = a;
            (a, b) = (b, a.saturating_add(b));
        }
        let spec = check_optimal(&f);
        assert_eq!(spec.vals.len(), 40);
        assert!(spec.bits[15] > 0, "the limit is reached");
        // Geometric over all 256 with saturation, and random ones.
        let f: [u32; 256] = std::array::from_fn(|i| u32::MAX >> (i / 8));
        check_optimal(&f);
        let mut rng = Rng(5);
        for _ in 0..50 {
            let f: [u32; 256] =
                std::array::from_fn(|_| if rng.below(3) == 0 { 0 } else { (rng.next() >> rng.below(64)) as u32 });
            check_optimal(&f);
        }
    }

    /// Inverse DCT in f64 (T.81 A.3.3) of dequantized coefficients, level
    /// shifted and clamped: what any decoder should give within rounding.
    fn idct(coefs: &[i16; 64], q: &[u16; 64]) -> [f64; 64] {
        let c = |u: usize| if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        std::array::from_fn(|i| {
            let (y, x) = (i / 8, i % 8);
            let mut s = 0.0;
            for v in 0..8 {
                for u in 0..8 {
                    let f = f64::from(coefs[v * 8 + u]) * f64::from(q[v * 8 + u]);
                    s += c(u)
                        * c(v)
                        * f
                        * ((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI / 16.0).cos()
                        * ((2 * y + 1) as f64 * v as f64 * std::f64::consts::PI / 16.0).cos();
                }
            }
            (s / 4.0 + 128.0).clamp(0.0, 255.0)
        })
    }

    /// Decodes with zune-jpeg to the given colour space.
    fn zune(data: &[u8], cs: zune_jpeg::zune_core::colorspace::ColorSpace) -> (usize, usize, Vec<u8>) {
        use zune_jpeg::zune_core::options::DecoderOptions;
        let opts = DecoderOptions::new_safe().jpeg_set_out_colorspace(cs).set_strict_mode(true);
        let mut dec = zune_jpeg::JpegDecoder::new_with_options(data, opts);
        let px = dec.decode().expect("zune-jpeg decodes our stream");
        let info = dec.info().unwrap();
        (usize::from(info.width), usize::from(info.height), px)
    }

    /// Smooth-ish blocks whose pixels stay in range, so clamping does not hide
    /// a wrong coefficient.
    fn photo_blocks(rng: &mut Rng, n: usize) -> Vec<[i16; 64]> {
        (0..n)
            .map(|_| {
                let mut b = [0i16; 64];
                b[0] = rng.range(-20, 20) as i16;
                for k in 1..64 {
                    if rng.below(3) == 0 {
                        let m = (6 - k as i32 / 8).max(1);
                        b[usize::from(ZIGZAG[k])] = rng.range(-m, m) as i16;
                    }
                }
                b
            })
            .collect()
    }

    #[test]
    fn grayscale_file_decodes_with_zune() {
        use zune_jpeg::zune_core::colorspace::ColorSpace;
        let q = quant_tables(75)[0];
        let mut rng = Rng(42);
        let blocks = photo_blocks(&mut rng, 4); // 16x16: blocks in raster order
        let comps = [Component { id: 1, h: 1, v: 1, qt: 0, dc: 0, ac: 0 }];
        let (dcs, acs) = (std_dc_luma(), std_ac_luma());
        let mut out = Vec::new();
        write_headers(&mut out, 16, 16, &comps, &[q], &[(0, 0, &dcs), (1, 0, &acs)], 0);
        write_sos(&mut out, &comps);
        let (dc, ac) = (HuffCodes::from_spec(&dcs), HuffCodes::from_spec(&acs));
        let mut w = BitWriter::new(out);
        let mut pred = 0;
        for b in &blocks {
            encode_block(b, &mut pred, &dc, &ac, &mut w);
        }
        let mut out = w.into_inner();
        write_eoi(&mut out);

        let (width, height, px) = zune(&out, ColorSpace::Luma);
        assert_eq!((width, height, px.len()), (16, 16, 256));
        for (n, b) in blocks.iter().enumerate() {
            for (i, want) in idct(b, &q).into_iter().enumerate() {
                let (y, x) = ((n / 2) * 8 + i / 8, (n % 2) * 8 + i % 8);
                let got = f64::from(px[y * 16 + x]);
                assert!((got - want).abs() <= 2.0, "block {n} pixel {i}: {got} vs {want:.2}");
            }
        }
    }

    /// A 32x16 4:2:0 image (two MCUs), one MCU per restart interval, coded
    /// with standard or optimized tables: Y must match the IDCT, and the flat
    /// chroma blocks their DC, away from the seam where upsampling mixes MCUs.
    #[test]
    fn colour_420_file_with_restarts_decodes_with_zune() {
        use zune_jpeg::zune_core::colorspace::ColorSpace;
        let qt = quant_tables(85);
        let mut rng = Rng(2024);
        let luma = photo_blocks(&mut rng, 8);
        let chroma: Vec<[i16; 64]> =
            [-30i16, 25, 12, -7].iter().map(|&d| std::array::from_fn(|i| if i == 0 { d } else { 0 })).collect();
        let comps = [
            Component { id: 1, h: 2, v: 2, qt: 0, dc: 0, ac: 0 },
            Component { id: 2, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
            Component { id: 3, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
        ];
        // Scan order per MCU: four Y, Cb, Cr.
        let mcu = |m: usize| -> Vec<(usize, [i16; 64])> {
            let mut v: Vec<(usize, [i16; 64])> = (0..4).map(|i| (0, luma[m * 4 + i])).collect();
            v.push((1, chroma[m * 2]));
            v.push((2, chroma[m * 2 + 1]));
            v
        };
        let mut results = Vec::new();
        for optimize in [false, true] {
            let specs = if optimize {
                let mut counts = [SymbolCounts::default(), SymbolCounts::default()];
                for m in 0..2 {
                    let mut pred = [0i16; 3];
                    for (c, b) in mcu(m) {
                        count_block(&b, &mut pred[c], &mut counts[usize::from(c > 0)]);
                    }
                }
                [
                    optimal_spec(&counts[0].dc),
                    optimal_spec(&counts[0].ac),
                    optimal_spec(&counts[1].dc),
                    optimal_spec(&counts[1].ac),
                ]
            } else {
                [std_dc_luma(), std_ac_luma(), std_dc_chroma(), std_ac_chroma()]
            };
            let codes = specs.each_ref().map(HuffCodes::from_spec);
            let mut out = Vec::new();
            let huff = [(0, 0, &specs[0]), (1, 0, &specs[1]), (0, 1, &specs[2]), (1, 1, &specs[3])];
            write_headers(&mut out, 32, 16, &comps, &qt, &huff, 1);
            write_sos(&mut out, &comps);
            let mut w = BitWriter::new(out);
            for m in 0..2 {
                if m > 0 {
                    w.put_marker(restart_marker(m - 1));
                }
                let mut pred = [0i16; 3];
                for (c, b) in mcu(m as usize) {
                    let t = if c == 0 { 0 } else { 2 };
                    encode_block(&b, &mut pred[c], &codes[t], &codes[t + 1], &mut w);
                }
            }
            let mut out = w.into_inner();
            write_eoi(&mut out);
            if optimize {
                assert!(out.len() < results.iter().map(|(n, _): &(usize, Vec<u8>)| *n).next().unwrap());
            }

            let (width, height, px) = zune(&out, ColorSpace::YCbCr);
            assert_eq!((width, height, px.len()), (32, 16, 32 * 16 * 3));
            for m in 0..2 {
                for i in 0..4 {
                    for (p, want) in idct(&luma[m * 4 + i], &qt[0]).into_iter().enumerate() {
                        let (y, x) = ((i / 2) * 8 + p / 8, m * 16 + (i % 2) * 8 + p % 8);
                        let got = f64::from(px[(y * 32 + x) * 3]);
                        assert!((got - want).abs() <= 2.0, "Y mcu {m} block {i} pixel {p}: {got} vs {want:.2}");
                    }
                }
                for c in 0..2 {
                    let want = idct(&chroma[m * 2 + c], &qt[1])[0];
                    for y in 0..16 {
                        for x in (m * 16..m * 16 + 16).filter(|&x| x != 15 && x != 16) {
                            let got = f64::from(px[(y * 32 + x) * 3 + 1 + c]);
                            assert!((got - want).abs() <= 1.0, "chroma {c} at ({x},{y}): {got} vs {want:.2}");
                        }
                    }
                }
            }
            results.push((out.len(), px));
        }
        assert_eq!(results[0].1, results[1].1, "the tables change the bytes, not the picture");
    }

    /// Photo-like quantized blocks: a smooth synthetic picture with texture and
    /// noise, through an f64 DCT and the quality-85 luma table.
    fn photo_like(n_side: usize) -> Vec<[i16; 64]> {
        let q = quant_tables(85)[0];
        let mut rng = Rng(77);
        let side = n_side * 8;
        let img: Vec<f64> = (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) as f64, (i / side) as f64);
                let base = 128.0 + 60.0 * (x / 97.0).sin() * (y / 61.0).cos() + 30.0 * ((x + 2.0 * y) / 13.0).sin();
                let noise =
                    (rng.below(17) as f64 - 8.0) * if (x as usize / 64 + y as usize / 64) % 2 == 0 { 1.0 } else { 0.2 };
                (base + noise).clamp(0.0, 255.0) - 128.0
            })
            .collect();
        let c = |u: usize| if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        let cos: Vec<f64> =
            (0..64).map(|i| ((2 * (i % 8) + 1) as f64 * (i / 8) as f64 * std::f64::consts::PI / 16.0).cos()).collect();
        let mut blocks = Vec::new();
        for by in 0..n_side {
            for bx in 0..n_side {
                blocks.push(std::array::from_fn(|k| {
                    let (v, u) = (k / 8, k % 8);
                    let mut s = 0.0;
                    for y in 0..8 {
                        for x in 0..8 {
                            s += img[(by * 8 + y) * side + bx * 8 + x] * cos[u * 8 + x] * cos[v * 8 + y];
                        }
                    }
                    (s * c(u) * c(v) / 4.0 / f64::from(q[k])).round() as i16
                }));
            }
        }
        blocks
    }

    /// `cargo test -p paprika-codecs --lib --release jpeg::huffman -- --ignored --nocapture`
    #[test]
    #[ignore = "timing"]
    fn encode_block_speed() {
        let blocks = photo_like(128);
        let (dc, ac) = (HuffCodes::from_spec(&std_dc_luma()), HuffCodes::from_spec(&std_ac_luma()));
        let nonzero: usize = blocks.iter().map(|b| b.iter().filter(|&&v| v != 0).count()).sum();
        let mut best = f64::MAX;
        let mut bytes = 0;
        for _ in 0..20 {
            let mut w = BitWriter::new(Vec::with_capacity(blocks.len() * 64));
            let mut pred = 0;
            let t = std::time::Instant::now();
            for b in &blocks {
                encode_block(std::hint::black_box(b), &mut pred, &dc, &ac, &mut w);
            }
            let out = w.into_inner();
            best = best.min(t.elapsed().as_secs_f64());
            bytes = out.len();
        }
        let mut best_count = f64::MAX;
        for _ in 0..20 {
            let mut counts = SymbolCounts::default();
            let mut pred = 0;
            let t = std::time::Instant::now();
            for b in &blocks {
                count_block(std::hint::black_box(b), &mut pred, &mut counts);
            }
            std::hint::black_box(&counts);
            best_count = best_count.min(t.elapsed().as_secs_f64());
        }
        let n = blocks.len() as f64;
        println!(
            "{} blocks, {:.1} nonzero/block, {:.2} bits/pixel: encode_block {:.1} ns/block, count_block {:.1} ns/block",
            blocks.len(),
            nonzero as f64 / n,
            bytes as f64 * 8.0 / (n * 64.0),
            best * 1e9 / n,
            best_count * 1e9 / n
        );
    }
}
