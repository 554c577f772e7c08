/// What this module compiles the kernels for: AVX-512 (x86-64-v4): an 8 × 32 GEMM tile in zmm registers, 16 × 16 register transposes.
enum ISA {
  typealias Tile = Tile8<SIMD16<Float>, FusedMultiplyAdd>
  typealias Words = SIMD8<UInt64>
  static let name = "avx512"
  /// Whether the product may use the narrower tiles for sparse operands: the sparse tiles (4 × 64, 2 × 128) fit in its 32 zmm registers.
  static let sparseTiles = true
  static let transposes16 = true
}
