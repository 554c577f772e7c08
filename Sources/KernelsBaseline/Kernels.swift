import KernelCore

#if arch(x86_64)
  /// x86-64 baseline (SSE2) has no FMA: the tile multiplies then adds.
  typealias BaselineRule = MultiplyThenAdd
#else
  typealias BaselineRule = FusedMultiplyAdd
#endif

/// The portable kernels (x86-64 baseline SSE2, or the target's default vectors elsewhere):
/// a 6 × 8 GEMM tile. Only for CPUs with neither AVX2 nor AVX-512.
public let baselineKernels = KernelTable(
  name: "baseline", tile: Tile6<SIMD4<Float>, BaselineRule>.self, words: SIMD2<UInt64>.self)
