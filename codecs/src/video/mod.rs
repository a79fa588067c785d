//! Video streams: H.264 through OpenH264 and MJPEG through our JPEG encoder,
//! with the BGRX to I420 conversion both H.264 directions need.

pub mod i420;
