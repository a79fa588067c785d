//! Reading and writing PNG files as codec images.

use std::io::Cursor;
use std::path::Path;

use anyhow::Context;
use paprika_codecs::Image;

/// Loads a PNG file: B,G,R,A when it has alpha, else B,G,R,X.
pub fn load(path: &Path) -> anyhow::Result<Image> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let dynamic = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .with_context(|| format!("decoding PNG {}", path.display()))?;
    Ok(Image::from_dynamic(&dynamic))
}

/// Writes `img` as a PNG: RGBA when its format has alpha, else RGB.
pub fn save(img: &Image, path: &Path) -> anyhow::Result<()> {
    let dynamic = if img.format().has_alpha() {
        image::DynamicImage::ImageRgba8(img.to_rgba_image()?)
    } else {
        image::DynamicImage::ImageRgb8(img.to_rgb_image()?)
    };
    let mut png = Cursor::new(Vec::new());
    dynamic
        .write_to(&mut png, image::ImageFormat::Png)
        .with_context(|| format!("encoding PNG for {}", path.display()))?;
    std::fs::write(path, png.into_inner()).with_context(|| format!("writing {}", path.display()))
}
