//! SPICE's LZ4 image framing (being written).
