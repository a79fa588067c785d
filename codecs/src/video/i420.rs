//! Planar YUV 4:2:0 frames and the BGRX to I420 conversion (BT.601, limited range).
