import Tensor

/// Batch normalization over the rows of a batch, per column, as PyTorch's `BatchNorm1d`.
///
/// Training: `y = γ·(x − μ_B)/√(σ²_B + ε) + β` with the batch mean μ_B and the **biased**
/// batch variance σ²_B (divided by B); the running statistics move by `momentum`:
/// `running = (1 − momentum)·running + momentum·batch`, where the running variance takes
/// the **unbiased** batch variance (divided by B − 1), as PyTorch does. Evaluation
/// normalizes with the running statistics. γ starts at 1, β at 0, the running mean at 0
/// and the running variance at 1.
public final class BatchNorm1d: Layer {
  public let momentum: Float
  public let epsilon: Float
  public private(set) var scale: Parameter!
  public private(set) var shift: Parameter!
  public private(set) var runningMean: Tensor!
  public private(set) var runningVariance: Tensor!

  private var context: ComputeContext!
  private var output: Tensor!
  private var normalized: Tensor!
  private var inverseDeviation: Tensor!
  private var gradientInput: Tensor?

  public init(momentum: Float = 0.1, epsilon: Float = 1e-5) {
    self.momentum = momentum
    self.epsilon = epsilon
  }

  public var summary: String { "BatchNorm1d(\(scale.map { String($0.count) } ?? "?"))" }
  public var parameters: [Parameter] { [scale, shift] }
  public var buffers: [Tensor] { [runningMean, runningVariance] }

  public func build(inputWidth: Int, _ environment: LayerEnvironment) -> Int {
    context = environment.context
    let capacity = environment.batchCapacity
    scale = Parameter(name: "layer\(environment.index).weight", rows: 1, columns: inputWidth)
    scale.value.fill(1)
    shift = Parameter(name: "layer\(environment.index).bias", rows: 1, columns: inputWidth)
    runningMean = Tensor(rows: 1, columns: inputWidth)
    runningVariance = Tensor(rows: 1, columns: inputWidth)
    runningVariance.fill(1)
    output = Tensor(rows: 0, columns: inputWidth, capacityRows: capacity)
    normalized = Tensor(rows: 0, columns: inputWidth, capacityRows: capacity)
    inverseDeviation = Tensor(rows: 1, columns: inputWidth)
    if environment.needsInputGradient {
      gradientInput = Tensor(rows: 0, columns: inputWidth, capacityRows: capacity)
    }
    return inputWidth
  }

  public func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView {
    output.setRows(input.rows)
    normalized.setRows(input.rows)
    let job = BatchNormForward(
      x: input, y: output.view, xhat: normalized.view, gamma: scale.value.data, beta: shift.value.data,
      mean: runningMean.data, variance: runningVariance.data, inverse: inverseDeviation.data,
      training: pass.mode == .training, momentum: momentum, epsilon: epsilon)
    context.pool.forEachRange(input.columns, grain: 16, job)
    return output.view
  }

  /// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − dβ/B − x̂·dγ/B), per column.
  public func backward(input: MatrixView, output: MatrixView, gradient dy: MatrixView, _ pass: Pass) -> MatrixView? {
    let dx = gradientInput.map {
      $0.setRows(dy.rows); return $0.view
    }
    let job = BatchNormBackward(
      dy: dy, xhat: normalized.view, dx: dx, gamma: scale.value.data, inverse: inverseDeviation.data,
      dGamma: scale.gradient.data, dBeta: shift.gradient.data, training: pass.mode == .training)
    context.pool.forEachRange(dy.columns, grain: 16, job)
    return dx
  }
}

/// A job over a range of a matrix's columns that handles sixteen at a time (`block`) and
/// the rest one by one (`reference`, also the blocked loop's test oracle).
protocol ColumnBlocks: RangeJob {
  func block(_ column: Int)
  func reference(_ columns: Range<Int>)
}

fileprivate typealias Lanes = SIMD16<Float>

extension ColumnBlocks {
  func callAsFunction(_ columns: Range<Int>) {
    var j = columns.lowerBound
    while j + Lanes.scalarCount <= columns.upperBound {
      block(j)
      j += Lanes.scalarCount
    }
    if j < columns.upperBound { reference(j..<columns.upperBound) }
  }
}

@inline(__always) private func load(_ p: UnsafeMutablePointer<Float>) -> Lanes {
  UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

@inline(__always) private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
}

/// The forward pass of BatchNorm1d over a range of columns.
///
/// Sixteen columns at a time, row after row, so that every load is a contiguous run of one
/// row; each column still sums its rows in order, so the result is bit for bit that of the
/// column-by-column loop (`reference`, kept as the test oracle).
struct BatchNormForward: ColumnBlocks {
  let x: MatrixView, y: MatrixView, xhat: MatrixView
  let gamma: UnsafeMutablePointer<Float>, beta: UnsafeMutablePointer<Float>
  let mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>, inverse: UnsafeMutablePointer<Float>
  let training: Bool
  let momentum: Float, epsilon: Float

  func block(_ j: Int) {
    let rows = x.rows
    let stride = x.columns
    var mu: Lanes
    var sigma2: Lanes
    if training {
      mu = Lanes(repeating: 0)
      for i in 0..<rows { mu += load(x.data + i * stride + j) }
      mu /= Lanes(repeating: Float(rows))
      sigma2 = Lanes(repeating: 0)
      for i in 0..<rows {
        let d = load(x.data + i * stride + j) - mu
        sigma2 += d * d
      }
      sigma2 /= Lanes(repeating: Float(rows))
      let unbiased = rows > 1 ? sigma2 * Lanes(repeating: Float(rows)) / Lanes(repeating: Float(rows - 1)) : sigma2
      let keep = Lanes(repeating: 1 - momentum)
      let take = Lanes(repeating: momentum)
      store(keep * load(mean + j) + take * mu, mean + j)
      store(keep * load(variance + j) + take * unbiased, variance + j)
    } else {
      (mu, sigma2) = (load(mean + j), load(variance + j))
    }
    let inv = Lanes(repeating: 1) / (sigma2 + Lanes(repeating: epsilon)).squareRoot()
    store(inv, inverse + j)
    let g = load(gamma + j)
    let b = load(beta + j)
    for i in 0..<rows {
      let n = (load(x.data + i * stride + j) - mu) * inv
      store(n, xhat.data + i * stride + j)
      store(g * n + b, y.data + i * stride + j)
    }
  }

  /// Column by column: the tail of a range, and the oracle of the blocked loop.
  func reference(_ columns: Range<Int>) {
    let rows = x.rows
    for j in columns {
      var mu: Float
      var sigma2: Float
      if training {
        mu = 0
        for i in 0..<rows { mu += x[i, j] }
        mu /= Float(rows)
        sigma2 = 0
        for i in 0..<rows {
          let d = x[i, j] - mu
          sigma2 += d * d
        }
        sigma2 /= Float(rows)
        let unbiased = rows > 1 ? sigma2 * Float(rows) / Float(rows - 1) : sigma2
        mean[j] = (1 - momentum) * mean[j] + momentum * mu
        variance[j] = (1 - momentum) * variance[j] + momentum * unbiased
      } else {
        (mu, sigma2) = (mean[j], variance[j])
      }
      let inv = 1 / (sigma2 + epsilon).squareRoot()
      inverse[j] = inv
      for i in 0..<rows {
        let n = (x[i, j] - mu) * inv
        xhat.data[i * x.columns + j] = n
        y.data[i * x.columns + j] = gamma[j] * n + beta[j]
      }
    }
  }
}

/// The backward pass of BatchNorm1d over a range of columns, sixteen columns at a time as
/// the forward pass, bit for bit the column-by-column `reference`.
struct BatchNormBackward: ColumnBlocks {
  let dy: MatrixView, xhat: MatrixView, dx: MatrixView?
  let gamma: UnsafeMutablePointer<Float>, inverse: UnsafeMutablePointer<Float>
  let dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>
  let training: Bool

  func block(_ j: Int) {
    let rows = dy.rows
    let stride = dy.columns
    var sumDy = Lanes(repeating: 0)
    var sumDyX = Lanes(repeating: 0)
    for i in 0..<rows {
      let g = load(dy.data + i * stride + j)
      sumDy += g
      sumDyX += g * load(xhat.data + i * stride + j)
    }
    store(sumDy, dBeta + j)
    store(sumDyX, dGamma + j)
    guard let dx else { return }
    let factor = load(gamma + j) * load(inverse + j)
    let n = Lanes(repeating: Float(rows))
    let meanDy = sumDy / n
    for i in 0..<rows {
      let g = load(dy.data + i * stride + j)
      let value = training ? g - meanDy - load(xhat.data + i * stride + j) * sumDyX / n : g
      store(factor * value, dx.data + i * stride + j)
    }
  }

  /// Column by column: the tail of a range, and the oracle of the blocked loop.
  func reference(_ columns: Range<Int>) {
    let rows = dy.rows
    for j in columns {
      var sumDy: Float = 0
      var sumDyX: Float = 0
      for i in 0..<rows {
        sumDy += dy[i, j]
        sumDyX += dy[i, j] * xhat[i, j]
      }
      dBeta[j] = sumDy
      dGamma[j] = sumDyX
      guard let dx else { continue }
      let factor = gamma[j] * inverse[j]
      let n = Float(rows)
      for i in 0..<rows {
        let value = training ? dy[i, j] - sumDy / n - xhat[i, j] * sumDyX / n : dy[i, j]
        dx.data[i * dy.columns + j] = factor * value
      }
    }
  }
}
