import Tensor

extension Sequential {
  /// A multilayer perceptron: for each hidden width, `Dense(width)` → (BatchNorm1d) →
  /// activation → (Dropout), then `Dense(classes)` giving logits. Without batch
  /// normalization the activation is fused into the Dense layer. `dropout` holds one rate
  /// per hidden layer (0 for none), or is empty.
  public static func mlp(
    hidden: [Int], classes: Int, activation: Activation = .relu, dropout: [Float] = [], batchNorm: Bool = false,
    initializer: Initializer? = nil
  ) -> Sequential {
    precondition(dropout.isEmpty || dropout.count == hidden.count, "one dropout rate per hidden layer")
    var layers: [Layer] = []
    for (index, width) in hidden.enumerated() {
      if batchNorm {
        layers.append(Dense(width, initializer: initializer ?? .standard(for: activation), bias: false))
        layers.append(BatchNorm1d())
        layers.append(ActivationLayer(activation))
      } else {
        layers.append(Dense(width, activation: activation, initializer: initializer))
      }
      if !dropout.isEmpty && dropout[index] > 0 { layers.append(Dropout(dropout[index])) }
    }
    layers.append(Dense(classes, initializer: initializer ?? .glorotUniform))
    return Sequential(layers)
  }
}
