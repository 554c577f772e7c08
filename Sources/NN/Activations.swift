import Tensor

/// An activation function as a layer of its own (PyTorch's `nn.ReLU()` and friends), for
/// networks that place it after BatchNorm. `Dense(…, activation:)` fuses it instead.
///
/// - relu: max(x, 0); f′ = 1 where the output is positive.
/// - tanh: f′ = 1 − y².
/// - sigmoid: 1 / (1 + e⁻ˣ); f′ = y(1 − y).
/// - gelu: x·Φ(x) with the exact normal CDF, as PyTorch's `GELU()`; f′ = Φ(x) + x·φ(x).
public final class ActivationLayer: Layer {
  public let function: Activation
  private var context: ComputeContext!
  private var output: Tensor!
  private var gradientInput: Tensor?

  public init(_ function: Activation) { self.function = function }

  public static func relu() -> ActivationLayer { ActivationLayer(.relu) }
  public static func tanh() -> ActivationLayer { ActivationLayer(.tanh) }
  public static func sigmoid() -> ActivationLayer { ActivationLayer(.sigmoid) }
  public static func gelu() -> ActivationLayer { ActivationLayer(.gelu) }

  public var summary: String {
    switch function {
    case .identity: "Identity"
    case .relu: "ReLU"
    case .tanh: "Tanh"
    case .sigmoid: "Sigmoid"
    case .gelu: "GELU"
    }
  }

  public func build(inputWidth: Int, _ environment: LayerEnvironment) -> Int {
    context = environment.context
    output = Tensor(rows: 0, columns: inputWidth, capacityRows: environment.batchCapacity)
    if environment.needsInputGradient {
      gradientInput = Tensor(rows: 0, columns: inputWidth, capacityRows: environment.batchCapacity)
    }
    return inputWidth
  }

  public func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView {
    output.setRows(input.rows)
    context.activate(input, bias: nil, function, into: output.view)
    return output.view
  }

  public func backward(input: MatrixView, output: MatrixView, gradient: MatrixView, _ pass: Pass) -> MatrixView? {
    guard let gradientInput else { return nil }
    gradientInput.setRows(gradient.rows)
    context.activationGradient(function, output: output, input: input, gradient: gradient, into: gradientInput.view)
    return gradientInput.view
  }
}

/// Inverted dropout (as PyTorch's `nn.Dropout(p)`): in training, each value is zeroed with
/// probability `rate` and the others are scaled by 1 / (1 − rate); in evaluation it passes
/// the input through unchanged.
///
/// The mask of step s is drawn from a counter-based stream keyed by the layer's seed and s,
/// and drawn again, identically, by the backward pass instead of being stored.
public final class Dropout: Layer {
  public let rate: Float
  private var context: ComputeContext!
  private var seed = SeedPath(0)
  private var output: Tensor!
  private var gradientInput: Tensor?

  public init(_ rate: Float) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    self.rate = rate
  }

  public var summary: String { "Dropout(\(rate))" }

  public func build(inputWidth: Int, _ environment: LayerEnvironment) -> Int {
    context = environment.context
    seed = environment.seed.child("dropout")
    output = Tensor(rows: 0, columns: inputWidth, capacityRows: environment.batchCapacity)
    if environment.needsInputGradient {
      gradientInput = Tensor(rows: 0, columns: inputWidth, capacityRows: environment.batchCapacity)
    }
    return inputWidth
  }

  private func key(_ pass: Pass) -> UInt64 { seed.child(pass.step).value }

  public func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView {
    guard pass.mode == .training && rate > 0 else { return input }
    output.setRows(input.rows)
    context.bernoulliScale(input, keep: 1 - rate, key: key(pass), into: output.view)
    return output.view
  }

  public func backward(input: MatrixView, output: MatrixView, gradient: MatrixView, _ pass: Pass) -> MatrixView? {
    guard let gradientInput else { return nil }
    guard pass.mode == .training && rate > 0 else { return gradient }
    gradientInput.setRows(gradient.rows)
    context.bernoulliScale(gradient, keep: 1 - rate, key: key(pass), into: gradientInput.view)
    return gradientInput.view
  }
}
