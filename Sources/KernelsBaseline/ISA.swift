/// What this module compiles the kernels for: the target's baseline vectors (SSE2 on x86-64),
/// a 6 × 8 GEMM tile; only for CPUs with neither AVX2 nor AVX-512.
enum ISA {
  #if arch(x86_64)
    /// x86-64 baseline has no FMA: the tile multiplies then adds (a fused multiply-add would
    /// be a slow library call per lane), so its results differ in the last bits.
    typealias Tile = Tile6<SIMD4<Float>, MultiplyThenAdd>
  #else
    typealias Tile = Tile6<SIMD4<Float>, FusedMultiplyAdd>
  #endif
  typealias Words = SIMD2<UInt64>
  static let name = "baseline"
  /// Whether the product may use the narrower tiles for sparse operands: no sparse tiles.
  static let sparseTiles = false
  static let transposes16 = false
}
