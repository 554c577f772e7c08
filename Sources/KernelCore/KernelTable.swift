/// One ISA's compiled kernels: what the engine calls for every hot loop. Each ISA module
/// (KernelsAVX512, KernelsAVX2, KernelsBaseline) compiles the same generic source, in
/// Sources/KernelSource, with its own flags and fills one table; the engine picks a table at
/// run time from the CPU's features (see `Kernels` in Tensor). All tables compute the same
/// bits, except that the baseline GEMM may round differently on x86 CPUs without FMA.
public struct KernelTable: Sendable {
  /// "avx512", "avx2" or "baseline".
  public let name: String
  /// The vector width in floats.
  public let lanes: Int
  /// The GEMM register tile for dense operands.
  public let tile: TileKernel
  /// Tiles of fewer rows for an A with many zeros, where a step is skipped only when all of a
  /// tile's rows are zero there; empty where the ISA has too few registers for them.
  public let sparseTiles: [TileKernel]
  /// MR of the dense tile.
  public var tileRows: Int { tile.rows }
  /// See `keptStepsKernel`: `(a, lda, transposeA, m, k) -> (kept by 2 rows, by 4, by 8)`.
  public let keptSteps: @Sendable (UnsafePointer<Float>, Int, Bool, Int, Int) -> (Int, Int, Int)
  /// See `listKeptStepsRun`: `(a, rowStride, stepStride, rows, panels, steps, kept,
  /// keptStride, counts)`.
  public let listKeptSteps:
    @Sendable (
      UnsafePointer<Float>, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int32>, Int, UnsafeMutablePointer<Int>
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

  public init(
    name: String, lanes: Int, tile: TileKernel, sparseTiles: [TileKernel],
    keptSteps: @escaping @Sendable (UnsafePointer<Float>, Int, Bool, Int, Int) -> (Int, Int, Int),
    listKeptSteps:
      @escaping @Sendable (
        UnsafePointer<Float>, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int32>, Int, UnsafeMutablePointer<Int>
      ) -> Void,
    activate:
      @escaping @Sendable (
        Activation, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int
      ) -> Void,
    activationGradient:
      @escaping @Sendable (
        Activation, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int
      ) -> Void,
    bernoulliScale:
      @escaping @Sendable (
        UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, UInt64, UInt64, UInt32, Float
      ) -> Void,
    columnSums: @escaping @Sendable (UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int, Bool) -> Void,
    expShifted: @escaping @Sendable (UnsafePointer<Float>, Float, UnsafeMutablePointer<Float>, Int) -> Float,
    packTransposed: @escaping @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void,
    sgd:
      @escaping @Sendable (
        SGDUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Int
      ) -> Void,
    rmsprop:
      @escaping @Sendable (
        RMSpropUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
        UnsafeMutablePointer<Float>, Int
      ) -> Void,
    adam:
      @escaping @Sendable (
        AdamUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
        UnsafeMutablePointer<Float>, Int
      ) -> Void
  ) {
    self.name = name
    self.lanes = lanes
    self.tile = tile
    self.sparseTiles = sparseTiles
    self.keptSteps = keptSteps
    self.listKeptSteps = listKeptSteps
    self.activate = activate
    self.activationGradient = activationGradient
    self.bernoulliScale = bernoulliScale
    self.columnSums = columnSums
    self.expShifted = expShifted
    self.packTransposed = packTransposed
    self.sgd = sgd
    self.rmsprop = rmsprop
    self.adam = adam
  }
}

/// One register-tile micro-kernel of the matrix product: `C[MR × NR] (=|+=) Σₚ A[·, p] ⊗ B[p, ·]`.
public struct TileKernel: Sendable {
  /// MR, rows of A per tile.
  public let rows: Int
  /// NR, columns of B per tile (the width of B's packed panels).
  public let columns: Int
  /// Multiply-adds per second relative to the dense tile, measured: how the product picks
  /// a tile for a sparse A.
  public let speed: Double
  /// See `multiplyTileRun`: `(count, a, rowStride, stepStride, b, steps, c, ldc, accumulate)`.
  public let multiply:
    @Sendable (
      Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>,
      Int, Bool
    ) -> Void

  public init(
    rows: Int, columns: Int, speed: Double,
    multiply:
      @escaping @Sendable (
        Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>,
        Int, Bool
      ) -> Void
  ) {
    self.rows = rows
    self.columns = columns
    self.speed = speed
    self.multiply = multiply
  }
}
