import KernelCore

/// The kernels compiled for AVX-512 (x86-64-v4): an 8 × 32 GEMM tile in zmm registers, and
/// 16 × 16 register transposes for packing transposed operands.
public let avx512Kernels = KernelTable(
  name: "avx512", tile: Tile8<SIMD16<Float>, FusedMultiplyAdd>.self, words: SIMD8<UInt64>.self, transposes16: true)
