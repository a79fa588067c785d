//! Turning a picture into palette indexes for the LZ palette types.

use anyhow::bail;
use paprika_codecs::{Image, ImageDesc, Palette, lz};

/// Colours a palette type can index: 2, 16 or 256.
fn capacity(ty: lz::ImageType) -> usize {
    match ty {
        lz::ImageType::Plt1Le | lz::ImageType::Plt1Be => 2,
        lz::ImageType::Plt4Le | lz::ImageType::Plt4Be => 16,
        _ => 256,
    }
}

/// The picture as palette indexes of `ty`: its distinct colours, in first-seen
/// order, become the palette (alpha is dropped: palette bitmaps have none).
/// Fails when the picture has more colours than the type can index.
pub fn to_palette_image(img: &Image, ty: lz::ImageType, id: u64) -> anyhow::Result<Image> {
    let bgrx = img.to_bgrx()?;
    let mut entries: Vec<u32> = Vec::new();
    let mut lookup = std::collections::HashMap::new();
    let mut indexes = Vec::with_capacity(bgrx.len() / 4);
    for p in bgrx.chunks_exact(4) {
        let colour = u32::from_le_bytes([p[0], p[1], p[2], 0]);
        let index = *lookup.entry(colour).or_insert_with(|| {
            entries.push(colour);
            entries.len() - 1
        });
        if entries.len() > capacity(ty) {
            bail!("the picture has more than {} colours, more than {} can index", capacity(ty), ty.name());
        }
        indexes.push(index as u8);
    }
    let desc = ImageDesc::packed(img.width(), img.height(), ty.pixel_format())?;
    let width = img.width() as usize;
    let mut data = vec![0u8; desc.min_buffer_len()?];
    for (y, row) in indexes.chunks_exact(width).enumerate() {
        let out = &mut data[y * desc.stride..(y + 1) * desc.stride];
        for (x, &i) in row.iter().enumerate() {
            match ty {
                lz::ImageType::Plt8 => out[x] = i,
                lz::ImageType::Plt4Le => out[x / 2] |= i << (4 * (x % 2)),
                lz::ImageType::Plt4Be => out[x / 2] |= i << (4 * (1 - x % 2)),
                lz::ImageType::Plt1Le => out[x / 8] |= i << (x % 8),
                _ => out[x / 8] |= i << (7 - x % 8),
            }
        }
    }
    Ok(Image::from_vec(desc, data)?.with_palette(Palette { id, entries }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use paprika_codecs::PixelFormat;

    #[test]
    fn indexes_round_trip_through_every_packing() {
        // Three colours over 11 x 2 pixels (odd width exercises the row padding).
        let mut data = Vec::new();
        for i in 0..22u8 {
            let c = [[10, 20, 30, 0], [40, 50, 60, 0], [70, 80, 90, 0]][usize::from(i % 3)];
            data.extend_from_slice(&c);
        }
        let img = Image::from_vec(ImageDesc::packed(11, 2, PixelFormat::Bgrx32).unwrap(), data).unwrap();
        for ty in [lz::ImageType::Plt8, lz::ImageType::Plt4Le, lz::ImageType::Plt4Be] {
            let pal = to_palette_image(&img, ty, 7).unwrap();
            assert_eq!(pal.to_bgrx().unwrap(), img.to_bgrx().unwrap(), "{}", ty.name());
        }
        let e = to_palette_image(&img, lz::ImageType::Plt1Be, 7).unwrap_err().to_string();
        assert!(e.contains("more than 2 colours"), "{e}");
    }
}
