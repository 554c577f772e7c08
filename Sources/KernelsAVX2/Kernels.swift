import KernelCore

/// The kernels compiled for AVX2 with FMA (x86-64-v3): a 6 × 16 GEMM tile in ymm registers.
public let avx2Kernels = KernelTable(
  name: "avx2", tile: Tile6<SIMD8<Float>, FusedMultiplyAdd>.self, words: SIMD4<UInt64>.self)
