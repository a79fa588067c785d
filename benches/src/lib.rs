//! Criterion benchmarks for Paprika; the benches live in `benches/`.
