//! Decodes arbitrary bytes as SPICE's LZ4 framing under small limits. Bytes 0–3
//! give the width and height (u16 each, as the SPICE descriptor would), the rest
//! is the stream. The decoder may fail, but must not panic, hang, or hold more
//! than `max_alloc_bytes` at once; what it does decode must agree with
//! `decode_into` (into a dirty, longer buffer) and survive a re-encode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::{Limits, lz4};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fuzz_target!(|data: &[u8]| {
    let Some((size, stream)) = data.split_first_chunk::<4>() else { return };
    let width = u32::from(u16::from_le_bytes([size[0], size[1]]));
    let height = u32::from(u16::from_le_bytes([size[2], size[3]]));

    let base = reset_peak();
    let decoded = lz4::decode(stream, width, height, &LIMITS);
    let peak = peak_since(base);
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };

    let header = lz4::read_header(stream).expect("a decoded stream has a header");
    assert_eq!((img.width(), img.height()), (width, height));
    assert_eq!((img.format(), img.desc().top_down), (header.format, header.top_down));
    let len = lz4::output_len(&header, width, height).expect("size accepted twice") as usize;
    assert_eq!(img.data().len(), len);

    // decode_into writes exactly the image, whatever the buffer held.
    let mut buf = vec![0xa5; len + 3];
    assert_eq!(lz4::decode_into(stream, width, height, &mut buf), Ok(header));
    assert!(buf[..len] == *img.data(), "decode_into disagrees with decode");
    assert!(buf[len..].iter().all(|&b| b == 0xa5), "decode_into wrote past the image");

    // Re-encode, with blocks of a size the input picks: the same rows come back.
    let chunk = 1 + usize::from(stream.last().copied().unwrap_or(0)) * 97;
    let again = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: chunk }).expect("re-encode");
    let back = lz4::decode(&again, width, height, &LIMITS).expect("decode the re-encoded stream");
    assert!(back == img, "re-encoded stream decodes to other pixels");
});
