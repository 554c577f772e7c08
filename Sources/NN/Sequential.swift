import Tensor

/// Layers applied one after the other, as PyTorch's `nn.Sequential`. `build` must be
/// called once, before the first pass.
public final class Sequential {
  public let layers: [Layer]
  public private(set) var inputWidth = 0
  public private(set) var outputWidth = 0
  public private(set) var context: ComputeContext!
  /// Each layer's input and output of the last forward pass, for the backward pass.
  private var inputs: [MatrixView] = []
  private var outputs: [MatrixView] = []

  public init(_ layers: [Layer]) {
    precondition(!layers.isEmpty, "a network needs at least one layer")
    self.layers = layers
  }

  /// Allocates every layer for batches of up to `batchCapacity` rows of `inputWidth`
  /// values. Initial weights are drawn from `seed`: each layer from its own stream.
  public func build(inputWidth: Int, batchCapacity: Int, context: ComputeContext, seed: SeedPath) {
    self.inputWidth = inputWidth
    self.context = context
    var width = inputWidth
    for (index, layer) in layers.enumerated() {
      let environment = LayerEnvironment(
        context: context, batchCapacity: batchCapacity, needsInputGradient: index > 0,
        seed: seed.child("layer").child(index), index: index)
      width = layer.build(inputWidth: width, environment)
    }
    outputWidth = width
    inputs.reserveCapacity(layers.count)
    outputs.reserveCapacity(layers.count)
  }

  public var parameters: [Parameter] { layers.flatMap(\.parameters) }
  public var buffers: [Tensor] { layers.flatMap(\.buffers) }
  /// The number of trainable values.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

  /// The network's output (logits) for a batch.
  public func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView {
    inputs.removeAll(keepingCapacity: true)
    outputs.removeAll(keepingCapacity: true)
    var x = input
    for layer in layers {
      inputs.append(x)
      x = layer.forward(x, pass)
      outputs.append(x)
    }
    return x
  }

  /// Back-propagates the gradient of the loss with respect to the last forward pass's
  /// output, filling every parameter's gradient.
  public func backward(_ gradient: MatrixView, _ pass: Pass) {
    var g = gradient
    for index in layers.indices.reversed() {
      guard let next = layers[index].backward(input: inputs[index], output: outputs[index], gradient: g, pass)
      else { return }
      g = next
    }
  }

  /// A copy of every parameter and buffer, to restore later.
  public func snapshot() -> ModelState {
    ModelState(values: (parameters.map(\.value) + buffers).map(\.values))
  }

  /// Copies `state` (from `snapshot` of this network) into its parameters and buffers.
  public func restore(_ state: ModelState) {
    for (tensor, values) in zip(parameters.map(\.value) + buffers, state.values) {
      precondition(values.count == tensor.count, "a saved state of another network")
      values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: values.count) }
    }
  }

  /// Overwrites `state` with the current values, reusing its storage.
  public func save(into state: inout ModelState) {
    let tensors = parameters.map(\.value) + buffers
    if state.values.count != tensors.count { state = snapshot() }
    for (index, tensor) in tensors.enumerated() {
      state.values[index].withUnsafeMutableBufferPointer {
        $0.baseAddress!.update(from: tensor.data, count: tensor.count)
      }
    }
  }

  /// One line per layer.
  public var summary: [String] { layers.map(\.summary) }
}

/// Saved parameters and buffers of a network, in `parameters + buffers` order.
public struct ModelState: Sendable, Equatable {
  public var values: [[Float]]
  public init(values: [[Float]]) { self.values = values }
}
