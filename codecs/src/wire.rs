//! SPICE image descriptors and per-type payloads (being written).
