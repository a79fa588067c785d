//! JPEG marker segments of a baseline JFIF file (T.81 Annex B, JFIF 1.01).

use super::tables::{HuffSpec, ZIGZAG};

const SOI: u8 = 0xd8;
const EOI: u8 = 0xd9;
const APP0: u8 = 0xe0;
const DQT: u8 = 0xdb;
const SOF0: u8 = 0xc0;
const DHT: u8 = 0xc4;
const DRI: u8 = 0xdd;
const SOS: u8 = 0xda;
/// RST0; RSTn is `RST0 + n`, n in 0..8.
const RST0: u8 = 0xd0;

/// A frame component: its identifier, sampling factors and table indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Component {
    /// Component identifier (JFIF: 1 = Y, 2 = Cb, 3 = Cr).
    pub(crate) id: u8,
    /// Horizontal sampling factor, 1 or 2.
    pub(crate) h: u8,
    /// Vertical sampling factor, 1 or 2.
    pub(crate) v: u8,
    /// Quantization table index (its position in `write_headers`' `qtables`).
    pub(crate) qt: u8,
    /// DC Huffman table id.
    pub(crate) dc: u8,
    /// AC Huffman table id.
    pub(crate) ac: u8,
}

/// Starts a marker segment; returns where its length goes, for [`end_segment`].
fn begin_segment(out: &mut Vec<u8>, marker: u8) -> usize {
    out.extend_from_slice(&[0xff, marker, 0, 0]);
    out.len() - 2
}

/// Fills in the length of the segment begun at `at` (it counts itself).
fn end_segment(out: &mut [u8], at: usize) {
    let len = out.len() - at;
    debug_assert!(len <= usize::from(u16::MAX), "segment too long");
    out[at..at + 2].copy_from_slice(&(len as u16).to_be_bytes());
}

/// Writes SOI, a JFIF APP0, DQT (8-bit tables, `qtables[i]` as table i, given
/// in natural order), SOF0, DHT (`(class 0 = DC / 1 = AC, id, spec)` each)
/// and, when `restart_interval` (in MCUs) is nonzero, DRI.
///
/// `width` and `height` must be nonzero (a zero height would announce a DNL).
pub(crate) fn write_headers(
    out: &mut Vec<u8>,
    width: u16,
    height: u16,
    comps: &[Component],
    qtables: &[[u16; 64]],
    huff: &[(u8, u8, &HuffSpec)],
    restart_interval: u16,
) {
    debug_assert!(width > 0 && height > 0);
    out.extend_from_slice(&[0xff, SOI]);

    // JFIF 1.01, aspect ratio 1:1 (units 0), no thumbnail.
    let at = begin_segment(out, APP0);
    out.extend_from_slice(b"JFIF\0");
    out.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
    end_segment(out, at);

    // All tables in one segment: a few bytes less than one segment each.
    let at = begin_segment(out, DQT);
    for (i, t) in qtables.iter().enumerate() {
        debug_assert!(i < 4 && t.iter().all(|&q| (1..=255).contains(&q)), "not a baseline table");
        out.push(i as u8 & 3); // Pq = 0 (8-bit), Tq = i
        out.extend(ZIGZAG.iter().map(|&n| t[usize::from(n)].clamp(1, 255) as u8));
    }
    end_segment(out, at);

    let at = begin_segment(out, SOF0);
    out.push(8);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.push(comps.len() as u8);
    for c in comps {
        out.extend_from_slice(&[c.id, (c.h << 4) | (c.v & 15), c.qt]);
    }
    end_segment(out, at);

    let at = begin_segment(out, DHT);
    for &(class, id, spec) in huff {
        debug_assert_eq!(spec.bits.iter().map(|&b| usize::from(b)).sum::<usize>(), spec.vals.len());
        out.push((class << 4) | (id & 15));
        out.extend_from_slice(&spec.bits);
        out.extend_from_slice(&spec.vals);
    }
    end_segment(out, at);

    if restart_interval > 0 {
        let at = begin_segment(out, DRI);
        out.extend_from_slice(&restart_interval.to_be_bytes());
        end_segment(out, at);
    }
}

/// Writes the SOS header of a sequential scan of all of `comps`, interleaved.
pub(crate) fn write_sos(out: &mut Vec<u8>, comps: &[Component]) {
    let at = begin_segment(out, SOS);
    out.push(comps.len() as u8);
    for c in comps {
        out.extend_from_slice(&[c.id, (c.dc << 4) | (c.ac & 15)]);
    }
    out.extend_from_slice(&[0, 63, 0]); // Ss, Se, Ah/Al
    end_segment(out, at);
}

/// Writes EOI.
pub(crate) fn write_eoi(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xff, EOI]);
}

/// The marker byte of the `n`-th restart marker (counting from 0): RST0..RST7 in turn.
pub(crate) fn restart_marker(n: u32) -> u8 {
    RST0 + (n & 7) as u8
}

#[cfg(test)]
mod tests {
    use super::super::tables::{quant_tables, std_ac_chroma, std_ac_luma, std_dc_chroma, std_dc_luma};
    use super::*;

    /// Splits a header into (marker, payload) segments, checking each length.
    fn segments(data: &[u8]) -> Vec<(u8, &[u8])> {
        let mut out = Vec::new();
        let mut p = 0;
        while p < data.len() {
            assert_eq!(data[p], 0xff, "marker expected at {p}");
            let m = data[p + 1];
            p += 2;
            if m == SOI || m == EOI {
                out.push((m, &data[p..p]));
                continue;
            }
            let len = usize::from(u16::from_be_bytes([data[p], data[p + 1]]));
            assert!(len >= 2 && p + len <= data.len(), "segment {m:#x} length {len}");
            out.push((m, &data[p + 2..p + len]));
            p += len;
        }
        out
    }

    #[test]
    fn restart_markers_cycle() {
        assert_eq!(
            (0..10).map(restart_marker).collect::<Vec<_>>(),
            [0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd0, 0xd1]
        );
    }

    #[test]
    fn colour_420_headers_parse() {
        let comps = [
            Component { id: 1, h: 2, v: 2, qt: 0, dc: 0, ac: 0 },
            Component { id: 2, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
            Component { id: 3, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
        ];
        let qt = quant_tables(85);
        let specs = [std_dc_luma(), std_ac_luma(), std_dc_chroma(), std_ac_chroma()];
        let huff = [(0, 0, &specs[0]), (1, 0, &specs[1]), (0, 1, &specs[2]), (1, 1, &specs[3])];
        let mut out = vec![0x42]; // appends after what is there
        write_headers(&mut out, 640, 480, &comps, &qt, &huff, 40);
        write_sos(&mut out, &comps);
        write_eoi(&mut out);
        assert_eq!(out[0], 0x42);

        let segs = segments(&out[1..]);
        let order: Vec<u8> = segs.iter().map(|s| s.0).collect();
        assert_eq!(order, [SOI, APP0, DQT, SOF0, DHT, DRI, SOS, EOI]);

        assert_eq!(segs[1].1, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");

        let dqt = segs[2].1;
        assert_eq!(dqt.len(), 2 * 65);
        for (i, t) in dqt.chunks(65).enumerate() {
            assert_eq!(t[0], i as u8);
            for k in 0..64 {
                assert_eq!(u16::from(t[1 + k]), qt[i][usize::from(ZIGZAG[k])]);
            }
        }

        assert_eq!(segs[3].1, [8, 0x01, 0xe0, 0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);

        let mut dht = segs[4].1;
        for (class, id, spec) in huff {
            assert_eq!(dht[0], class << 4 | id);
            assert_eq!(dht[1..17], spec.bits);
            let n = spec.vals.len();
            assert_eq!(dht[17..17 + n], spec.vals[..]);
            dht = &dht[17 + n..];
        }
        assert!(dht.is_empty());

        assert_eq!(segs[5].1, [0, 40]);
        assert_eq!(segs[6].1, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    }

    #[test]
    fn no_dri_without_restarts() {
        let comps = [Component { id: 1, h: 1, v: 1, qt: 0, dc: 0, ac: 0 }];
        let (dc, ac) = (std_dc_luma(), std_ac_luma());
        let mut out = Vec::new();
        write_headers(&mut out, 1, 1, &comps, &quant_tables(50)[..1], &[(0, 0, &dc), (1, 0, &ac)], 0);
        let order: Vec<u8> = segments(&out).iter().map(|s| s.0).collect();
        assert_eq!(order, [SOI, APP0, DQT, SOF0, DHT]);
    }
}
