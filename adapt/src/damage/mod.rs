//! Which tiles of the screen changed since the previous frame.
