import Tensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Softmax cross-entropy on logits, fused with its gradient, as PyTorch's
/// `CrossEntropyLoss()` (mean over the batch): for a row z with label y,
/// `loss = log Σⱼ e^{zⱼ − m} − (z_y − m)` with m = max z (the stable log-sum-exp), and
/// `∂loss/∂z = (softmax(z) − onehot(y)) / B`.
public final class SoftmaxCrossEntropy {
  public let classes: Int
  private let context: ComputeContext
  private let gradient: Tensor
  private let probabilities: Tensor
  private let rowLoss: UnsafeMutablePointer<Double>
  private let rowCorrect: UnsafeMutablePointer<Bool>

  public init(classes: Int, batchCapacity: Int, context: ComputeContext) {
    self.classes = classes
    self.context = context
    gradient = Tensor(rows: 0, columns: classes, capacityRows: batchCapacity)
    probabilities = Tensor(rows: 0, columns: classes, capacityRows: batchCapacity)
    rowLoss = .allocate(capacity: batchCapacity)
    rowCorrect = .allocate(capacity: batchCapacity)
  }

  deinit {
    rowLoss.deallocate()
    rowCorrect.deallocate()
  }

  /// The summed loss and number of correct predictions (argmax, first on ties) of a batch.
  /// With `withGradient`, also the gradient of the mean loss, in `gradientView`.
  public func callAsFunction(logits: MatrixView, labels: UnsafePointer<Int32>, withGradient: Bool)
    -> (lossSum: Double, correct: Int)
  {
    precondition(logits.columns == classes, "\(logits.columns) logits for \(classes) classes")
    let rows = logits.rows
    probabilities.setRows(rows)
    gradient.setRows(rows)
    let (losses, correct) = (rowLoss, rowCorrect)
    let job = SoftmaxCrossEntropyRows(
      kernels: context.kernels, logits: logits, labels: labels, probabilities: probabilities.view,
      gradient: withGradient ? gradient.view : nil, losses: rowLoss, correct: rowCorrect, normalize: false)
    context.pool.forEachRange(rows, grain: 32, job)
    var lossSum = 0.0
    var right = 0
    for r in 0..<rows {
      lossSum += losses[r]
      if correct[r] { right += 1 }
    }
    return (lossSum, right)
  }

  /// The gradient of the last call made `withGradient`.
  public var gradientView: MatrixView { gradient.view }

  /// Softmax probabilities of the last call, unnormalized rows scaled on request: row r of
  /// the returned view holds softmax(z_r).
  public func softmax(logits: MatrixView) -> MatrixView {
    probabilities.setRows(logits.rows)
    let job = SoftmaxCrossEntropyRows(
      kernels: context.kernels, logits: logits, labels: nil, probabilities: probabilities.view, gradient: nil,
      losses: rowLoss, correct: rowCorrect, normalize: true)
    context.pool.forEachRange(logits.rows, grain: 32, job)
    return probabilities.view
  }
}

/// Per row: the stable softmax, and with labels the loss, whether the argmax (first on
/// ties) is right, and the gradient of the mean loss.
struct SoftmaxCrossEntropyRows: RangeJob {
  let kernels: KernelTable
  let logits: MatrixView
  let labels: UnsafePointer<Int32>?
  let probabilities: MatrixView
  let gradient: MatrixView?
  let losses: UnsafeMutablePointer<Double>
  let correct: UnsafeMutablePointer<Bool>
  /// Whether to leave normalized probabilities (else the unnormalized exponentials).
  let normalize: Bool

  func callAsFunction(_ rows: Range<Int>) {
    let classes = logits.columns
    let inverseBatch = 1 / Float(logits.rows)
    for r in rows {
      let z = logits.row(r)
      let p = probabilities.row(r)
      var best = 0
      for j in 1..<classes where z[j] > z[best] { best = j }
      let m = z[best]
      let sum = kernels.expShifted(z, m, p, classes)
      if normalize {
        let scale = 1 / sum
        for j in 0..<classes { p[j] *= scale }
      }
      guard let labels else { continue }
      let label = Int(labels[r])
      losses[r] = Double(logf(sum)) - Double(z[label] - m)
      correct[r] = best == label
      if let gradient {
        let scale = 1 / sum
        let out = gradient.row(r)
        for j in 0..<classes { out[j] = p[j] * scale * inverseBatch }
        out[label] -= inverseBatch
      }
    }
  }
}
