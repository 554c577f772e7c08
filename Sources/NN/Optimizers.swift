import Tensor

/// Updates parameters from their gradients. Implementations follow PyTorch's documented
/// algorithms (torch.optim, 2.x) with PyTorch's default hyperparameters, element by element
/// in Float32; `weightDecay` is PyTorch's `weight_decay`: an L2 term `λ·w` added to the
/// gradient (decoupled in AdamW), applied to every parameter, biases included.
public protocol Optimizer: AnyObject {
  /// The rate used by the next step; schedules change it between epochs.
  var learningRate: Float { get set }
  /// Applies one update to `parameters` (always the same list, in the same order).
  func step(_ parameters: [Parameter], context: ComputeContext)
}

/// Per-parameter state buffers, created at the first step.
final class OptimizerState {
  private(set) var slots: [[Tensor]] = []

  func buffers(_ parameters: [Parameter], count: Int) -> [[Tensor]] {
    if slots.count != parameters.count {
      slots = parameters.map { p in (0..<count).map { _ in Tensor(rows: p.value.rows, columns: p.value.columns) } }
    }
    return slots
  }
}

extension ComputeContext {
  /// Runs `job(range)` over the elements of a parameter, split between threads: every
  /// update is elementwise, so the split changes nothing.
  func forEachElement<Job: RangeJob>(of parameter: Parameter, _ job: Job) {
    pool.forEachRange(parameter.count, grain: 16_384, job)
  }
}

/// SGD's update over a range of a parameter's elements.
struct SGDRange: RangeJob {
  let kernels: KernelTable
  let update: SGDUpdate
  let w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Float>?

  func callAsFunction(_ r: Range<Int>) {
    kernels.sgd(update, w + r.lowerBound, g + r.lowerBound, buffer.map { $0 + r.lowerBound }, r.count)
  }
}

/// RMSprop's update over a range of a parameter's elements.
struct RMSpropRange: RangeJob {
  let kernels: KernelTable
  let update: RMSpropUpdate
  let w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
  let square: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>

  func callAsFunction(_ r: Range<Int>) {
    kernels.rmsprop(update, w + r.lowerBound, g + r.lowerBound, square + r.lowerBound, buffer + r.lowerBound, r.count)
  }
}

/// Adam's update over a range of a parameter's elements.
struct AdamRange: RangeJob {
  let kernels: KernelTable
  let update: AdamUpdate
  let w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
  let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

  func callAsFunction(_ r: Range<Int>) {
    kernels.adam(update, w + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound, r.count)
  }
}

/// Stochastic gradient descent, as `torch.optim.SGD(lr, momentum, dampening, weight_decay,
/// nesterov)`: g = ∇ + λw; with momentum μ, b = g at the first step, then
/// b = μ·b + (1 − dampening)·g, and g = g + μ·b (Nesterov) or g = b; w = w − lr·g.
public final class SGD: Optimizer {
  public var learningRate: Float
  public let momentum: Float
  public let dampening: Float
  public let nesterov: Bool
  public let weightDecay: Float
  private let state = OptimizerState()
  private var started = false

  public init(
    learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0
  ) {
    precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum needs momentum > 0 and no dampening")
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public func step(_ parameters: [Parameter], context: ComputeContext) {
    let update = SGDUpdate(
      learningRate: learningRate, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
      nesterov: nesterov, firstStep: !started)
    let buffers = momentum != 0 ? state.buffers(parameters, count: 1) : []
    for (index, parameter) in parameters.enumerated() {
      let job = SGDRange(
        kernels: context.kernels, update: update, w: parameter.value.data, g: parameter.gradient.data,
        buffer: momentum != 0 ? buffers[index][0].data : nil)
      context.forEachElement(of: parameter, job)
    }
    started = true
  }
}

/// RMSprop, as `torch.optim.RMSprop(lr, alpha=0.99, eps=1e-8, weight_decay, momentum)`:
/// g = ∇ + λw; v = α·v + (1 − α)·g²; with momentum μ, b = μ·b + g / (√v + ε) and
/// w = w − lr·b, else w = w − lr·g / (√v + ε). (Keras's default α is 0.9.)
public final class RMSprop: Optimizer {
  public var learningRate: Float
  public let alpha: Float
  public let epsilon: Float
  public let momentum: Float
  public let weightDecay: Float
  private let state = OptimizerState()

  public init(
    learningRate: Float, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, weightDecay: Float = 0
  ) {
    self.learningRate = learningRate
    self.alpha = alpha
    self.epsilon = epsilon
    self.momentum = momentum
    self.weightDecay = weightDecay
  }

  public func step(_ parameters: [Parameter], context: ComputeContext) {
    let update = RMSpropUpdate(
      learningRate: learningRate, alpha: alpha, epsilon: epsilon, momentum: momentum, weightDecay: weightDecay)
    let buffers = state.buffers(parameters, count: 2)
    for (index, parameter) in parameters.enumerated() {
      let job = RMSpropRange(
        kernels: context.kernels, update: update, w: parameter.value.data, g: parameter.gradient.data,
        square: buffers[index][0].data, buffer: buffers[index][1].data)
      context.forEachElement(of: parameter, job)
    }
  }
}

/// Adam with bias correction, as `torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8,
/// weight_decay)`: g = ∇ + λw; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; at step t,
/// w = w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), the bias corrections computed in
/// double precision as PyTorch does. `decoupled` makes it AdamW.
public class Adam: Optimizer {
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  /// AdamW: decay the weights directly (w = w·(1 − lr·λ)) instead of adding λw to the gradient.
  let decoupled: Bool
  private let state = OptimizerState()
  /// t, the number of steps taken.
  public private(set) var steps = 0

  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupled = false
  }

  init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupled = decoupled
  }

  public func step(_ parameters: [Parameter], context: ComputeContext) {
    steps += 1
    let t = Double(steps)
    let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
    let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
    let update = AdamUpdate(
      stepSize: stepSize, correction: correction2, beta1: beta1, beta2: beta2, epsilon: epsilon,
      l2: decoupled ? 0 : weightDecay, shrink: decoupled ? 1 - learningRate * weightDecay : 1)
    let buffers = state.buffers(parameters, count: 2)
    for (index, parameter) in parameters.enumerated() {
      let job = AdamRange(
        kernels: context.kernels, update: update, w: parameter.value.data, g: parameter.gradient.data,
        m: buffers[index][0].data, v: buffers[index][1].data)
      context.forEachElement(of: parameter, job)
    }
  }
}

/// AdamW (Loshchilov & Hutter), as `torch.optim.AdamW(lr, betas, eps, weight_decay=0.01)`:
/// the weights decay by `w = w·(1 − lr·λ)` before the Adam update, which sees the plain
/// gradient.
public final class AdamW: Adam {
  public override init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0.01
  ) {
    super.init(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
      decoupled: true)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
