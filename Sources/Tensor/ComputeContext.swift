/// Where tensor operations run: a team of threads, the kernels for this CPU, and the
/// buffers of the matrix product. A training run owns one context; two runs side by side
/// each have their own.
///
/// Results never depend on `threads`: work is split by output elements, and every
/// reduction runs in a fixed order on one thread.
public final class ComputeContext: @unchecked Sendable {
  public let pool: WorkerPool
  public let kernels: KernelTable
  let gemmSpace = GEMMWorkspace()

  /// A context with `threads` threads (the caller and `threads − 1` workers).
  public init(threads: Int = 1, kernels: KernelTable = Kernels.best) {
    pool = WorkerPool(threadCount: max(1, threads))
    self.kernels = kernels
  }

  public var threadCount: Int { pool.threadCount }
}
