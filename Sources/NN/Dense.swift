import Tensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a Dense layer draws its initial weights. `fanIn` and `fanOut` are its input and
/// output widths; biases start at zero.
/// Its raw value is Keras's name (`he_uniform`), as the study file writes it.
public enum Initializer: String, Sendable, Codable, CaseIterable {
  /// He et al. (2015), uniform: U(−√(6/fanIn), √(6/fanIn)), as PyTorch's
  /// `kaiming_uniform_(nonlinearity='relu')`.
  case heUniform = "he_uniform"
  /// He et al. (2015), normal: N(0, 2/fanIn), as PyTorch's `kaiming_normal_`.
  case heNormal = "he_normal"
  /// Glorot & Bengio (2010), uniform: U(−√(6/(fanIn+fanOut)), √(6/(fanIn+fanOut))), Keras's
  /// default `glorot_uniform`.
  case glorotUniform = "glorot_uniform"
  /// Glorot & Bengio (2010), normal: N(0, 2/(fanIn+fanOut)).
  case glorotNormal = "glorot_normal"

  /// He for ReLU-like activations, Glorot for the rest.
  public static func standard(for activation: Activation) -> Initializer {
    activation == .relu || activation == .gelu ? .heUniform : .glorotUniform
  }

  /// Fills `weights` (fanIn × fanOut, row-major) from `generator`, in row-major order.
  public func fill(_ weights: Tensor, fanIn: Int, fanOut: Int, generator: inout Xoshiro256) {
    let uniform: Double
    let deviation: Double
    switch self {
    case .heUniform: (uniform, deviation) = ((6 / Double(fanIn)).squareRoot(), 0)
    case .heNormal: (uniform, deviation) = (0, (2 / Double(fanIn)).squareRoot())
    case .glorotUniform: (uniform, deviation) = ((6 / Double(fanIn + fanOut)).squareRoot(), 0)
    case .glorotNormal: (uniform, deviation) = (0, (2 / Double(fanIn + fanOut)).squareRoot())
    }
    for i in 0..<weights.count {
      let value =
        deviation > 0 ? generator.normal() * deviation : (generator.uniformDouble() * 2 - 1) * uniform
      weights.data[i] = Float(value)
    }
  }
}

/// A fully connected layer `y = f(x·W + b)`, with the activation f fused into the same pass
/// (as Keras's `Dense(units, activation=…)`).
///
/// W is stored `inputs × outputs` (the transpose of PyTorch's `Linear.weight`), so that the
/// forward pass is a plain product. Backward: dZ = dY ⊙ f′, db = Σ_rows dZ, dW = Xᵀ·dZ,
/// dX = dZ·Wᵀ.
public final class Dense: Layer {
  public let outputs: Int
  public let activation: Activation
  public let initializer: Initializer
  public let usesBias: Bool
  public private(set) var inputs = 0
  public private(set) var weight: Parameter!
  public private(set) var bias: Parameter?

  private var context: ComputeContext!
  private var output: Tensor!
  /// Z = x·W + b, kept for GELU, whose derivative needs it.
  private var preActivation: Tensor?
  private var gradientZ: Tensor!
  private var gradientInput: Tensor?

  public init(_ outputs: Int, activation: Activation = .identity, initializer: Initializer? = nil, bias: Bool = true) {
    precondition(outputs > 0, "a Dense layer needs at least one output")
    self.outputs = outputs
    self.activation = activation
    self.initializer = initializer ?? .standard(for: activation)
    self.usesBias = bias
  }

  public var summary: String {
    "Dense(\(inputs) → \(outputs)\(activation == .identity ? "" : ", \(activation.rawValue)"))"
  }

  public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

  public func build(inputWidth: Int, _ environment: LayerEnvironment) -> Int {
    inputs = inputWidth
    context = environment.context
    let capacity = environment.batchCapacity
    weight = Parameter(name: "layer\(environment.index).weight", rows: inputs, columns: outputs)
    var generator = environment.seed.child("init").generator
    initializer.fill(weight.value, fanIn: inputs, fanOut: outputs, generator: &generator)
    if usesBias { bias = Parameter(name: "layer\(environment.index).bias", rows: 1, columns: outputs) }
    output = Tensor(rows: 0, columns: outputs, capacityRows: capacity)
    if activation == .gelu { preActivation = Tensor(rows: 0, columns: outputs, capacityRows: capacity) }
    gradientZ = Tensor(rows: 0, columns: outputs, capacityRows: capacity)
    if environment.needsInputGradient {
      gradientInput = Tensor(rows: 0, columns: inputs, capacityRows: capacity)
    }
    return outputs
  }

  public func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView {
    output.setRows(input.rows)
    let y = output.view
    let z =
      preActivation.map {
        $0.setRows(input.rows); return $0.view
      } ?? y
    context.multiply(input, weight.value.view, into: z)
    context.activate(z, bias: bias.map { UnsafePointer($0.value.data) }, activation, into: y)
    return y
  }

  public func backward(input: MatrixView, output y: MatrixView, gradient dy: MatrixView, _ pass: Pass) -> MatrixView? {
    let dz: MatrixView
    if activation == .identity {
      dz = dy
    } else {
      gradientZ.setRows(dy.rows)
      dz = gradientZ.view
      context.activationGradient(activation, output: y, input: preActivation?.view, gradient: dy, into: dz)
    }
    if let bias { context.columnSums(dz, into: bias.gradient.data) }
    context.multiply(input, transposeA: true, dz, into: weight.gradient.view)
    guard let gradientInput else { return nil }
    gradientInput.setRows(dy.rows)
    context.multiply(dz, weight.value.view, transposeB: true, into: gradientInput.view)
    return gradientInput.view
  }
}
