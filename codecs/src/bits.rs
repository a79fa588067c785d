//! Word-oriented bit I/O as QUIC uses it: a sequence of 32-bit little-endian
//! words, bits taken most-significant first inside each word.
//!
//! The reader keeps a 64-bit window whose top bits are the next bits of the
//! stream. Past the end of the input it shifts in zeros and counts how far it
//! went: [`BitReader::peek32`] and [`BitReader::skip`] stay infallible on the hot
//! path, and the caller turns an overrun into an error with [`BitReader::check`]
//! at row boundaries, so a truncated stream costs at most one row of work.
//! [`BitReader::read`] is the checked form for headers.

use crate::error::{Codec, Error, FormatKind, Result};

/// Reads bits MSB-first from a stream of little-endian 32-bit words.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    words: &'a [u8],
    /// Next byte of `words` to load.
    next: usize,
    /// Stream bits, left-aligned: bit 63 is the next bit.
    window: u64,
    /// Valid bits in `window` (may count zero bits invented past the end).
    have: u32,
    codec: Codec,
}

impl<'a> BitReader<'a> {
    /// Starts reading `input`; a trailing partial word is ignored, as SPICE does.
    pub fn new(input: &'a [u8], codec: Codec) -> Self {
        let whole = input.len() & !3;
        let mut r = BitReader {
            words: &input[..whole],
            next: 0,
            window: 0,
            have: 0,
            codec,
        };
        r.refill();
        r.refill();
        r
    }

    /// Bits the input holds.
    pub fn total_bits(&self) -> u64 {
        self.words.len() as u64 * 8
    }

    /// Bits consumed so far.
    pub fn consumed_bits(&self) -> u64 {
        self.next as u64 * 8 - u64::from(self.have)
    }

    #[inline(always)]
    fn refill(&mut self) {
        // Keep at least 32 valid bits so `peek32` always sees a full word. Branch-free:
        // whether a word is due changes every few codewords in no pattern a
        // predictor could learn, so a branch here would mispredict often.
        let due = u64::from(self.have <= 32);
        let word = match self.words.get(self.next..self.next + 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => 0,
        };
        let shift = 32u32.wrapping_sub(self.have) & 63;
        self.window |= (u64::from(word) << shift) & due.wrapping_neg();
        self.next += 4 * due as usize;
        self.have += 32 * due as u32;
    }

    /// The next 32 bits, MSB first (zeros past the end of the input).
    #[inline(always)]
    pub fn peek32(&self) -> u32 {
        (self.window >> 32) as u32
    }

    /// Drops `n` bits, `n <= 32`.
    #[inline(always)]
    pub fn skip(&mut self, n: u32) {
        debug_assert!(n <= 32);
        self.window <<= n;
        self.have -= n;
        self.refill();
    }

    /// Fails if more bits were consumed than the input holds.
    #[inline]
    pub fn check(&self) -> Result<()> {
        let consumed = self.consumed_bits();
        if consumed > self.total_bits() {
            return Err(Error::format(
                self.codec,
                FormatKind::Truncated {
                    needed: consumed.div_ceil(8),
                    available: self.words.len() as u64,
                },
            ));
        }
        Ok(())
    }

    /// Reads `n` bits (`1..=32`) as an unsigned value, failing past the end of the input.
    pub fn read(&mut self, n: u32) -> Result<u32> {
        debug_assert!((1..=32).contains(&n));
        let v = if n == 32 {
            self.peek32()
        } else {
            self.peek32() >> (32 - n)
        };
        self.skip(n);
        self.check()?;
        Ok(v)
    }
}

/// Writes bits MSB-first into little-endian 32-bit words.
///
/// Hot loops take a [`BitSink`] (`sink`, then `commit`): a stack copy of the
/// writer's state over a buffer reserved in advance, which the compiler keeps in
/// registers and which never reallocates mid-loop.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    words: Vec<u32>,
    /// Words written.
    pos: usize,
    /// Pending bits in the low `pending` bits.
    acc: u64,
    pending: u32,
}

/// A borrowed, register-friendly view of a [`BitWriter`] with room reserved.
#[derive(Debug)]
pub struct BitSink<'a> {
    words: &'a mut [u32],
    pos: usize,
    acc: u64,
    pending: u32,
}

impl BitSink<'_> {
    /// Appends the low `len` bits of `value`, `len <= 32`; higher bits of `value` must be 0.
    ///
    /// # Panics
    /// If more words are written than were reserved (a caller bug).
    #[inline(always)]
    pub fn write(&mut self, value: u32, len: u32) {
        debug_assert!(len <= 32);
        debug_assert!(len == 32 || value >> len == 0);
        self.acc = (self.acc << len) | u64::from(value);
        self.pending += len;
        if self.pending >= 32 {
            self.pending -= 32;
            self.words[self.pos] = (self.acc >> self.pending) as u32;
            self.pos += 1;
        }
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
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for about `bytes` of output.
    pub fn with_capacity(bytes: usize) -> Self {
        BitWriter {
            words: Vec::with_capacity(bytes / 4 + 1),
            pos: 0,
            acc: 0,
            pending: 0,
        }
    }

    /// A sink that may write up to `max_bits` more bits.
    #[inline]
    pub fn sink(&mut self, max_bits: usize) -> BitSink<'_> {
        let need = self.pos + max_bits / 32 + 2;
        if self.words.len() < need {
            self.words.resize(need.max(self.words.len() * 3 / 2), 0);
        }
        BitSink {
            words: &mut self.words,
            pos: self.pos,
            acc: self.acc,
            pending: self.pending,
        }
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
        let (p, a, n) = (s.pos, s.acc, s.pending);
        self.commit(p, a, n);
    }

    /// Appends `n` one bits.
    pub fn write_ones(&mut self, n: u32) {
        let mut s = self.sink(n as usize);
        s.write_ones(n);
        let (p, a, k) = (s.pos, s.acc, s.pending);
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
        self.pos as u64 * 32 + u64::from(self.pending)
    }

    /// Pads to a word and returns the bytes (each word little-endian).
    pub fn finish(mut self) -> Vec<u8> {
        self.pad_to_word();
        let mut out = Vec::with_capacity(self.pos * 4);
        for w in &self.words[..self.pos] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }
}

impl BitSink<'_> {
    /// The sink's state, to hand back with [`BitWriter::commit`].
    #[inline]
    pub fn state(&self) -> (usize, u64, u32) {
        (self.pos, self.acc, self.pending)
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
        let mut r = BitReader::new(&bytes, Codec::Quic);
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
        let mut r = BitReader::new(&bytes, Codec::Quic);
        for (v, len) in items {
            assert_eq!(r.read(len), Ok(v));
        }
        for _ in 0..70 {
            assert_eq!(r.read(1), Ok(1));
        }
    }

    #[test]
    fn overrun_is_reported_not_panicked() {
        let mut r = BitReader::new(&[1, 2, 3], Codec::Quic);
        assert_eq!(r.total_bits(), 0);
        assert_eq!(r.peek32(), 0);
        r.skip(32);
        r.skip(32);
        r.skip(32);
        assert_eq!(
            r.check(),
            Err(Error::Format {
                codec: Codec::Quic,
                kind: FormatKind::Truncated {
                    needed: 12,
                    available: 0
                }
            })
        );
    }
}
