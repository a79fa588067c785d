//! Kernel agreement (wide against scalar on every tail length) and grid merge basics.

use super::grid::TileGrid;
use super::kernel::{MASK_BGRA, MASK_BGRX, scalar, wide};

use crate::test_rng::Rng;

#[test]
fn count_changed_wide_matches_scalar_on_every_length() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for pixels in 0..=70usize {
        for round in 0..40 {
            let a: Vec<u8> = (0..pixels * 4).map(|_| rng.next() as u8).collect();
            let mut b = a.clone();
            // From no change to every byte changed, including X-only changes.
            let flips = (round * pixels * 4) / 39;
            for _ in 0..flips {
                let i = (rng.next() % (pixels as u64 * 4).max(1)) as usize;
                if !b.is_empty() {
                    b[i] ^= 1 << (rng.next() % 8);
                }
            }
            for mask in [MASK_BGRX, MASK_BGRA, 0xFF00_0000, 0] {
                assert_eq!(
                    wide::count_changed(&a, &b, mask),
                    scalar::count_changed(&a, &b, mask),
                    "pixels {pixels} round {round} mask {mask:#x}"
                );
            }
        }
    }
}

#[test]
fn count_changed_extremes() {
    for pixels in [0usize, 1, 7, 8, 15, 16, 17, 63, 64, 65] {
        let a = vec![0u8; pixels * 4];
        let b = vec![0xFFu8; pixels * 4];
        assert_eq!(wide::count_changed(&a, &b, MASK_BGRX), pixels as u32);
        assert_eq!(wide::count_changed(&a, &a, MASK_BGRA), 0);
        // X bytes only.
        let x: Vec<u8> = (0..pixels * 4).map(|i| if i % 4 == 3 { 0xFF } else { 0 }).collect();
        assert_eq!(wide::count_changed(&a, &x, MASK_BGRX), 0);
        assert_eq!(wide::count_changed(&a, &x, MASK_BGRA), pixels as u32);
    }
}

#[test]
fn grid_edges_and_merge() {
    let g = TileGrid::new(130, 70, 64).unwrap();
    assert_eq!((g.cols(), g.rows()), (3, 2));
    assert_eq!(g.tile_rect(2), paprika_codecs::Rect::new(128, 0, 2, 64));
    assert_eq!(g.tile_rect(5), paprika_codecs::Rect::new(128, 64, 2, 6));
    let all = g.merge(|_| Some(()));
    assert_eq!(all, vec![(paprika_codecs::Rect::new(0, 0, 130, 70), ())]);
    // An L shape: two rectangles.
    let l = g.merge(|i| [true, false, false, true, true, true][i].then_some(()));
    assert_eq!(l.len(), 2);
    assert!(TileGrid::new(0, 5, 64).is_err());
    assert!(TileGrid::new(5, 5, 0).is_err());
}
