/// One ISA's compiled kernels. The engine picks a table at run time from the CPU's features
/// (see `Kernels` in Tensor); all tables compute the same bits, except that the baseline
/// table's GEMM may round differently on CPUs without FMA.
public struct KernelTable: Sendable {
  /// "avx512", "avx2" or "baseline".
  public let name: String
  /// The GEMM register tile: MR rows × NR columns.
  public let tileRows: Int
  public let tileColumns: Int
  /// The vector width in floats.
  public let lanes: Int

  /// See `multiplyTile`: `(count, a, rowStride, stepStride, b, steps, c, ldc, accumulate)`.
  public let multiplyTile:
    @Sendable (
      Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>,
      Int, Bool
    ) -> Void
  /// See `activateRow`: `(activation, x, bias, y, count)`.
  public let activate:
    @Sendable (Activation, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int) -> Void
  /// See `activationGradientRow`: `(activation, y, x, dy, dx, count)`.
  public let activationGradient:
    @Sendable (
      Activation, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int
    ) -> Void
  /// See `bernoulliScaleRow`: `(x, y, count, key, firstWord, threshold, scale)`.
  public let bernoulliScale:
    @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, UInt64, UInt64, UInt32, Float) -> Void
  /// See `columnSumsRun`: `(m, stride, rows, sums, count, accumulate)`.
  public let columnSums: @Sendable (UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int, Bool) -> Void
  /// See `expShiftedRow`: `(x, shift, y, count) -> sum`.
  public let expShifted: @Sendable (UnsafePointer<Float>, Float, UnsafeMutablePointer<Float>, Int) -> Float
  /// See `packTransposedRun`: `(source, sourceStride, width, steps, panel, panelWidth)`.
  public let packTransposed: @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void
  /// See `sgdRun`: `(update, w, gradient, momentum buffer, count)`.
  public let sgd:
    @Sendable (SGDUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Int) -> Void
  /// See `rmspropRun`: `(update, w, gradient, square average, momentum buffer, count)`.
  public let rmsprop:
    @Sendable (
      RMSpropUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
      UnsafeMutablePointer<Float>, Int
    ) -> Void
  /// See `adamRun`: `(update, w, gradient, first moment, second moment, count)`.
  public let adam:
    @Sendable (
      AdamUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
      UnsafeMutablePointer<Float>, Int
    ) -> Void

  /// Instantiates every kernel for one register tile and vector type. Called from the ISA
  /// modules, whose compiler flags decide the instructions.
  @inlinable @inline(__always)
  ///
  /// A closure that does not depend on `Tile` or `Words` would be compiled once, here in
  /// KernelCore without any ISA flag: an ISA-specific `packTransposed` is therefore written
  /// in the ISA module and passed in.
  public init<Tile: RegisterTile, Words: SIMD & Sendable>(
    name: String, tile: Tile.Type, words: Words.Type,
    packTransposed: (@Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void)? = nil
  )
  where
    Tile.Vector.MaskStorage.Scalar == Int32, Words.Scalar == UInt64
  {
    typealias V = Tile.Vector
    precondition(Words.scalarCount * 2 == V.scalarCount, "one 64-bit random word per two floats")
    self.name = name
    tileRows = Tile.rows
    tileColumns = 2 * V.scalarCount
    lanes = V.scalarCount
    multiplyTile = { count, a, rowStride, stepStride, b, steps, c, ldc, accumulate in
      KernelCore.multiplyTile(
        tile, count: count, a: a, rowStride: rowStride, stepStride: stepStride, b: b, steps: steps, c: c, ldc: ldc,
        accumulate: accumulate)
    }
    activate = { activateRow(V.self, $0, $1, $2, $3, $4) }
    activationGradient = { activationGradientRow(V.self, $0, $1, $2, $3, $4, $5) }
    bernoulliScale = { x, y, count, key, firstWord, threshold, scale in
      bernoulliScaleRow(
        V.self, words, x, y, count, key: key, firstWord: firstWord, threshold: threshold, scale: scale)
    }
    columnSums = { columnSumsRun(V.self, $0, stride: $1, rows: $2, $3, $4, accumulate: $5) }
    expShifted = { expShiftedRow(V.self, $0, shift: $1, $2, $3) }
    self.packTransposed =
      packTransposed ?? { packTransposedRun($0, $1, width: $2, steps: $3, $4, panelWidth: $5) }
    sgd = { sgdRun(V.self, $0, $1, $2, $3, $4) }
    rmsprop = { rmspropRun(V.self, $0, $1, $2, $3, $4, $5) }
    adam = { adamRun(V.self, $0, $1, $2, $3, $4, $5) }
  }
}
