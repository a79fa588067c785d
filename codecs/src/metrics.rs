//! Image quality metrics: PSNR and SSIM on BGRX images and rectangles.
