//! Word-oriented bit I/O as QUIC uses it: a sequence of 32-bit little-endian
//! words, bits taken most-significant first inside each word.
//!
//! Reading: [`MsbBytes`] turns the words into one MSB-first byte stream (each
//! word's bytes reversed, plus zero padding), so a [`BitReader`] can fetch 64
//! bits at any byte with one big-endian load. The reader's `refill` is cheap and
//! branch-free and leaves at least 57 bits to peek at; callers refill at points
//! of their choosing (QUIC: once per pixel), which keeps the refill off the
//! per-codeword dependency chain. Past the end of the data the reader sees
//! zeros and counts how far it went: [`BitReader::check`] turns an overrun into
//! an error, so the hot path stays infallible. [`BitReader::read`] is the
//! checked form for headers.

use crate::error::{Codec, Error, FormatKind, Result};

/// A QUIC word stream re-ordered as MSB-first bytes, padded for 64-bit loads.
#[derive(Debug, Clone)]
pub struct MsbBytes {
    bytes: Vec<u8>,
    data_bytes: usize,
}

impl MsbBytes {
    /// Re-orders `input` (little-endian 32-bit words; a trailing partial word is
    /// ignored, as SPICE does).
    pub fn from_le_words(input: &[u8]) -> Self {
        let words = input.len() / 4;
        let mut bytes = Vec::with_capacity(words * 4 + 8);
        for w in input.chunks_exact(4) {
            bytes.extend_from_slice(&[w[3], w[2], w[1], w[0]]);
        }
        bytes.extend_from_slice(&[0; 8]);
        MsbBytes { bytes, data_bytes: words * 4 }
    }

    /// A reader from the first bit.
    pub fn reader(&self, codec: Codec) -> BitReader<'_> {
        let mut r = BitReader { bytes: &self.bytes, data_bytes: self.data_bytes, pos: 0, used: 0, window: 0, codec };
        r.refill();
        r
    }
}

/// Reads bits MSB-first from an [`MsbBytes`] stream.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    /// MSB-first bytes with 8 bytes of zero padding.
    bytes: &'a [u8],
    /// Bytes of real data (without padding).
    data_bytes: usize,
    /// Byte offset `window` was loaded from.
    pos: usize,
    /// Bits of that load already consumed (`window` is shifted by as much).
    used: u32,
    /// Unconsumed bits, left-aligned.
    window: u64,
    codec: Codec,
}

impl BitReader<'_> {
    /// Bits the input holds.
    pub fn total_bits(&self) -> u64 {
        self.data_bytes as u64 * 8
    }

    /// Bits consumed so far.
    pub fn consumed_bits(&self) -> u64 {
        self.pos as u64 * 8 + u64::from(self.used)
    }

    #[inline(always)]
    fn load(&self, at: usize) -> u64 {
        match self.bytes.get(at..at + 8) {
            Some(b) => u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => 0, // only after an overrun, which `check` reports
        }
    }

    /// Reloads the window: afterwards at least 57 bits can be consumed.
    #[inline(always)]
    pub fn refill(&mut self) {
        self.pos += (self.used >> 3) as usize;
        self.used &= 7;
        self.window = self.load(self.pos) << self.used;
    }

    /// Refills when fewer than `n` (at most 57) bits are left in the window.
    #[inline(always)]
    pub fn ensure(&mut self, n: u32) {
        if self.used + n > 64 {
            self.refill();
        }
    }

    /// The next 32 bits, MSB first; valid as far as the window reaches (at least
    /// `64 - used` bits), zeros past the end of the input.
    #[inline(always)]
    pub fn peek32(&self) -> u32 {
        (self.window >> 32) as u32
    }

    /// Drops `n` bits, `n <= 32`; the caller keeps `n` within what the window holds.
    #[inline(always)]
    pub fn skip(&mut self, n: u32) {
        debug_assert!(n <= 32);
        self.window <<= n;
        self.used += n;
    }

    /// Fails if more bits were consumed than the input holds.
    #[inline]
    pub fn check(&self) -> Result<()> {
        let consumed = self.consumed_bits();
        if consumed > self.total_bits() {
            return Err(Error::format(
                self.codec,
                FormatKind::Truncated { needed: consumed.div_ceil(8), available: self.data_bytes as u64 },
            ));
        }
        Ok(())
    }

    /// Reads `n` bits (`1..=32`) as an unsigned value, failing past the end of the input.
    pub fn read(&mut self, n: u32) -> Result<u32> {
        debug_assert!((1..=32).contains(&n));
        self.ensure(32);
        let v = if n == 32 { self.peek32() } else { self.peek32() >> (32 - n) };
        self.skip(n);
        self.check()?;
        Ok(v)
    }
}

/// Writes bits MSB-first into little-endian 32-bit words, straight into a byte
/// buffer the caller may reuse from stream to stream.
///
/// Hot loops take a [`BitSink`] (`sink`, then `commit`): a stack copy of the
/// writer's state over a buffer reserved in advance, which the compiler keeps in
/// registers and which never reallocates mid-loop.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    /// Output; only `..pos` is meaningful, the rest is reserved room.
    bytes: Vec<u8>,
    /// Bytes of whole words written.
    pos: usize,
    /// Pending bits in the low `pending` bits.
    acc: u64,
    pending: u32,
}

/// A borrowed, register-friendly view of a [`BitWriter`] with room reserved.
#[derive(Debug)]
pub struct BitSink<'a> {
    bytes: &'a mut [u8],
    pos: usize,
    acc: u64,
    pending: u32,
}

impl BitSink<'_> {
    /// Appends the low `len` bits of `value`, `len <= 32`; higher bits of `value` must be 0.
    ///
    /// # Panics
    /// If more was written than [`BitWriter::sink`] reserved (a caller bug).
    #[inline(always)]
    pub fn write(&mut self, value: u32, len: u32) {
        debug_assert!(len <= 32);
        debug_assert!(len == 32 || value >> len == 0);
        self.acc = (self.acc << len) | u64::from(value);
        self.pending += len;
        // Branch-free: whether a word is complete follows the data, not a pattern.
        // The candidate word is always stored; an incomplete one is overwritten later.
        let full = u32::from(self.pending >= 32);
        self.pending -= 32 * full;
        let word = (self.acc >> self.pending) as u32;
        self.bytes[self.pos..self.pos + 4].copy_from_slice(&word.to_le_bytes());
        self.pos += 4 * full as usize;
    }

    /// Appends `n` one bits.
    #[inline]
    pub fn write_ones(&mut self, mut n: u32) {
        while n >= 32 {
            self.write(u32::MAX, 32);
            n -= 32;
        }
        if n > 0 {
            self.write((1 << n) - 1, n);
        }
    }

    /// The sink's state, to hand back with [`BitWriter::commit`].
    #[inline]
    pub fn state(&self) -> (usize, u64, u32) {
        (self.pos, self.acc, self.pending)
    }
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for about `bytes` of output.
    pub fn with_capacity(bytes: usize) -> Self {
        Self::reusing(Vec::with_capacity(bytes))
    }

    /// An empty writer that writes into `buf`, reusing its allocation.
    pub fn reusing(buf: Vec<u8>) -> Self {
        // Its old bytes are room to overwrite: initialised once, never cleared again.
        BitWriter { bytes: buf, pos: 0, acc: 0, pending: 0 }
    }

    /// A sink that may write up to `max_bits` more bits.
    #[inline]
    pub fn sink(&mut self, max_bits: usize) -> BitSink<'_> {
        let need = self.pos + (max_bits / 32 + 2) * 4;
        if self.bytes.len() < need {
            self.bytes.resize(need.max(self.bytes.len() * 3 / 2), 0);
        }
        BitSink { bytes: &mut self.bytes, pos: self.pos, acc: self.acc, pending: self.pending }
    }

    /// Takes back the state of a sink made by [`BitWriter::sink`].
    #[inline]
    pub fn commit(&mut self, pos: usize, acc: u64, pending: u32) {
        (self.pos, self.acc, self.pending) = (pos, acc, pending);
    }

    /// Appends the low `len` bits of `value`, `len <= 32`.
    pub fn write(&mut self, value: u32, len: u32) {
        let mut s = self.sink(32);
        s.write(value, len);
        let (p, a, n) = s.state();
        self.commit(p, a, n);
    }

    /// Appends `n` one bits.
    pub fn write_ones(&mut self, n: u32) {
        let mut s = self.sink(n as usize);
        s.write_ones(n);
        let (p, a, k) = s.state();
        self.commit(p, a, k);
    }

    /// Pads the last word with zero bits.
    pub fn pad_to_word(&mut self) {
        if self.pending > 0 {
            self.write(0, 32 - self.pending);
        }
    }

    /// Bits written so far.
    pub fn bit_len(&self) -> u64 {
        self.pos as u64 * 8 + u64::from(self.pending)
    }

    /// Pads to a word and returns the bytes (each word little-endian).
    pub fn finish(mut self) -> Vec<u8> {
        self.pad_to_word();
        self.bytes.truncate(self.pos);
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msb_first_inside_little_endian_words() {
        let mut w = BitWriter::new();
        w.write(0b1, 1);
        w.write(0x3, 2);
        w.write(0x1234_5678, 32);
        let bytes = w.finish();
        assert_eq!(bytes.len(), 8);
        let w0 = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
        assert_eq!(w0 >> 29, 0b111);
        assert_eq!(w0 & 0x1fff_ffff, 0x1234_5678 >> 3);
        let msb = MsbBytes::from_le_words(&bytes);
        let mut r = msb.reader(Codec::Quic);
        assert_eq!(r.read(3), Ok(0b111));
        assert_eq!(r.read(32), Ok(0x1234_5678));
        assert_eq!(r.read(29), Ok(0));
        assert!(r.read(1).is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut items = Vec::new();
        let mut w = BitWriter::new();
        for _ in 0..5000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 32) as u32 + 1;
            let v = (seed >> 32) as u32 & (u32::MAX >> (32 - len));
            w.write(v, len);
            items.push((v, len));
        }
        w.write_ones(70);
        let bytes = w.finish();
        let msb = MsbBytes::from_le_words(&bytes);
        let mut r = msb.reader(Codec::Quic);
        for (v, len) in items {
            assert_eq!(r.read(len), Ok(v));
        }
        for _ in 0..70 {
            assert_eq!(r.read(1), Ok(1));
        }
    }

    #[test]
    fn overrun_is_reported_not_panicked() {
        let msb = MsbBytes::from_le_words(&[1, 2, 3]);
        let mut r = msb.reader(Codec::Quic);
        assert_eq!(r.total_bits(), 0);
        assert_eq!(r.peek32(), 0);
        for _ in 0..3 {
            r.skip(32);
            r.refill();
        }
        assert_eq!(
            r.check(),
            Err(Error::Format { codec: Codec::Quic, kind: FormatKind::Truncated { needed: 12, available: 0 } })
        );
    }
}
