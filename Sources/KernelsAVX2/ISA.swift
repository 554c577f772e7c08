/// What this module compiles the kernels for: AVX2 with FMA (x86-64-v3): a 6 × 16 GEMM tile in ymm registers.
enum ISA {
  typealias Tile = Tile6<SIMD8<Float>, FusedMultiplyAdd>
  typealias Words = SIMD4<UInt64>
  static let name = "avx2"
  /// Whether the product may use the narrower tiles for sparse operands: 16 ymm registers are too few for the sparse tiles.
  static let sparseTiles = false
  static let transposes16 = false
}
