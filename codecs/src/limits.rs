//! Resource limits every decoder checks before it allocates.

use crate::error::{Error, LimitKind, Result};

/// Upper bounds a decoder enforces on untrusted input, checked before allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest total allocation, in bytes, one decode may make.
    pub max_alloc_bytes: u64,
}

impl Default for Limits {
    /// 16384 × 16384 pixels and 1 GiB: above any real screen, below what hurts a server.
    fn default() -> Self {
        Limits { max_width: 16_384, max_height: 16_384, max_pixels: 16_384 * 16_384, max_alloc_bytes: 1 << 30 }
    }
}

impl Limits {
    /// No limits beyond the address space; for trusted input only.
    pub const fn unlimited() -> Self {
        Limits { max_width: u32::MAX, max_height: u32::MAX, max_pixels: u64::MAX, max_alloc_bytes: u64::MAX }
    }

    /// Checks a width and height against the dimension and pixel-count limits.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width > self.max_width {
            return Err(Error::Limits { what: LimitKind::Width, actual: width.into(), max: self.max_width.into() });
        }
        if height > self.max_height {
            return Err(Error::Limits { what: LimitKind::Height, actual: height.into(), max: self.max_height.into() });
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(Error::Limits { what: LimitKind::Pixels, actual: pixels, max: self.max_pixels });
        }
        Ok(())
    }

    /// Checks a planned allocation against the byte budget.
    pub fn check_alloc(&self, bytes: u64) -> Result<()> {
        if bytes > self.max_alloc_bytes {
            return Err(Error::Limits { what: LimitKind::Bytes, actual: bytes, max: self.max_alloc_bytes });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_dimension_and_budget() {
        let l = Limits { max_width: 10, max_height: 20, max_pixels: 150, max_alloc_bytes: 1000 };
        assert!(l.check_dimensions(10, 15).is_ok());
        assert_eq!(l.check_dimensions(11, 1), Err(Error::Limits { what: LimitKind::Width, actual: 11, max: 10 }));
        assert_eq!(l.check_dimensions(1, 21), Err(Error::Limits { what: LimitKind::Height, actual: 21, max: 20 }));
        assert_eq!(l.check_dimensions(10, 16), Err(Error::Limits { what: LimitKind::Pixels, actual: 160, max: 150 }));
        assert_eq!(l.check_alloc(1001), Err(Error::Limits { what: LimitKind::Bytes, actual: 1001, max: 1000 }));
    }
}
