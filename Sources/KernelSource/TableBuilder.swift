import KernelCore

// This directory is not a module: each ISA module (KernelsAVX512, KernelsAVX2,
// KernelsBaseline) links these files in and compiles them with its own flags, so that the
// same generic code becomes AVX-512, AVX2 or baseline instructions, and so that editing a
// kernel rebuilds every ISA module (cross-module inlining would leave stale copies).

extension KernelTable {
  /// Instantiates every kernel for one register tile and vector type, in the module that
  /// compiles this file. `transposes16` uses 16 × 16 register transposes to pack
  /// transposed operands (for 16-lane vectors).
  @inline(__always)
  init<Tile: RegisterTile, Words: SIMD & Sendable>(
    name: String, tile: Tile.Type, words: Words.Type, transposes16: Bool = false
  ) where Tile.Vector.MaskStorage.Scalar == Int32, Words.Scalar == UInt64 {
    typealias V = Tile.Vector
    precondition(Words.scalarCount * 2 == V.scalarCount, "one 64-bit random word per two floats")
    let multiply: @Sendable (
      Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>,
      Int, Bool
    ) -> Void = { count, a, rowStride, stepStride, b, steps, c, ldc, accumulate in
      multiplyTileRun(
        tile, count: count, a: a, rowStride: rowStride, stepStride: stepStride, b: b, steps: steps, c: c, ldc: ldc,
        accumulate: accumulate)
    }
    let dropout: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, UInt64, UInt64, UInt32, Float) -> Void = {
      x, y, count, key, firstWord, threshold, scale in
      bernoulliScaleRow(V.self, words, x, y, count, key: key, firstWord: firstWord, threshold: threshold, scale: scale)
    }
    let pack: @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void
    if transposes16 {
      pack = { packTransposedRun16($0, $1, width: $2, steps: $3, $4, panelWidth: $5) }
    } else {
      pack = { packTransposedRun($0, $1, width: $2, steps: $3, $4, panelWidth: $5) }
    }
    self.init(
      name: name, tileRows: Tile.rows, tileColumns: 2 * V.scalarCount, lanes: V.scalarCount,
      multiplyTile: multiply,
      activate: { activateRow(V.self, $0, $1, $2, $3, $4) },
      activationGradient: { activationGradientRow(V.self, $0, $1, $2, $3, $4, $5) },
      bernoulliScale: dropout,
      columnSums: { columnSumsRun(V.self, $0, stride: $1, rows: $2, $3, $4, accumulate: $5) },
      expShifted: { expShiftedRow(V.self, $0, shift: $1, $2, $3) },
      packTransposed: pack,
      sgd: { sgdRun(V.self, $0, $1, $2, $3, $4) },
      rmsprop: { rmspropRun(V.self, $0, $1, $2, $3, $4, $5) },
      adam: { adamRun(V.self, $0, $1, $2, $3, $4, $5) })
  }
}
