//! Pair-kernel agreement (wide against scalar on every tail length).

use super::kernel::{scalar, wide};

use crate::test_rng::Rng;

#[test]
fn pair_stats_wide_matches_scalar_on_every_length() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for pixels in 0..=70usize {
        for round in 0..30 {
            let a: Vec<u8> = (0..pixels * 4).map(|_| rng.next() as u8).collect();
            // Small perturbations, large ones and equal pixels, mixed.
            let b: Vec<u8> = a
                .iter()
                .map(|&v| match (round + rng.next() as usize) % 4 {
                    0 => v,
                    1 => v.wrapping_add((rng.next() % 8) as u8),
                    2 => v.saturating_sub((rng.next() % 80) as u8),
                    _ => rng.next() as u8,
                })
                .collect();
            for edge_min in [0, 60, 128, 1020] {
                assert_eq!(
                    wide::pair_stats(&a, &b, edge_min),
                    scalar::pair_stats(&a, &b, edge_min),
                    "pixels {pixels} round {round} edge {edge_min}"
                );
            }
        }
    }
}

#[test]
fn pair_stats_extremes() {
    for pixels in [0usize, 1, 3, 4, 5, 16, 17] {
        let black = vec![0u8; pixels * 4];
        let white: Vec<u8> = (0..pixels * 4).map(|i| if i % 4 == 3 { 0 } else { 255 }).collect();
        let c = wide::pair_stats(&black, &white, 128);
        assert_eq!((c.pairs, c.equal, c.contrast, c.edges), (pixels as u32, 0, pixels as u32, pixels as u32));
        assert_eq!(c.edge_sum, 1020 * pixels as u32);
        // Alpha/X ignored.
        let x: Vec<u8> = (0..pixels * 4).map(|i| if i % 4 == 3 { 255 } else { 0 }).collect();
        let c = wide::pair_stats(&black, &x, 128);
        assert_eq!((c.equal, c.contrast, c.edges), (pixels as u32, 0, 0));
        // 59 is not contrast, 60 is.
        let d59: Vec<u8> = (0..pixels * 4).map(|i| if i % 4 == 1 { 59 } else { 0 }).collect();
        let d60: Vec<u8> = (0..pixels * 4).map(|i| if i % 4 == 1 { 60 } else { 0 }).collect();
        assert_eq!(wide::pair_stats(&black, &d59, 128).contrast, 0);
        assert_eq!(wide::pair_stats(&black, &d60, 128).contrast, pixels as u32);
    }
}

#[test]
fn solid_needs_every_pixel_even_on_unsampled_rows() {
    use super::TileFeatures;
    use paprika_codecs::{ImageDesc, ImageRef, PixelFormat};
    let desc = ImageDesc::packed(64, 64, PixelFormat::Bgrx32).unwrap();
    let mut px = vec![0x40u8; 64 * 64 * 4];
    let f = TileFeatures::spatial(&ImageRef::new(desc, &px).unwrap());
    assert!(f.is_solid());
    // X bytes do not count.
    px[3] = 0xFF;
    assert!(TileFeatures::spatial(&ImageRef::new(desc, &px).unwrap()).is_solid());
    // One pixel on an odd row (not sampled for statistics) makes it non-solid.
    for (x, y) in [(5usize, 1usize), (63, 63), (0, 31)] {
        let mut q = px.clone();
        q[(y * 64 + x) * 4 + 2] ^= 1;
        let f = TileFeatures::spatial(&ImageRef::new(desc, &q).unwrap());
        assert!(!f.is_solid(), "({x}, {y})");
        assert!(f.colors >= 2);
    }
}
