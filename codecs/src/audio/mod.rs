//! Opus audio with SPICE's playback parameters.
