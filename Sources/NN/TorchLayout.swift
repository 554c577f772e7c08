import Tensor

/// A network's weights under PyTorch's names and layouts, so that a saved model loads into
/// the equivalent `nn.Sequential` (held as an attribute `layers`) with
/// `load_state_dict(safetensors.torch.load_file(path))`.
///
/// PyTorch's Sequential has one module per operation: a `Dense` layer with a fused
/// activation is `Linear` then the activation, so module numbers follow that unfused list
/// (`layers.0.weight`, `layers.3.weight`, …). A `Linear` weight is stored `[out, in]` (this
/// engine keeps `[in, out]`, for x·W), its bias `[out]`; a `BatchNorm1d` has `weight`, `bias`,
/// `running_mean`, `running_var` (the unbiased running variance, as PyTorch keeps it) and
/// `num_batches_tracked`.
extension Sequential {
  /// The PyTorch modules of the network, in order, as PyTorch prints them.
  public var torchModules: [String] {
    var modules: [String] = []
    for layer in layers {
      switch layer {
      case let dense as Dense:
        modules.append(
          "Linear(in_features=\(dense.inputs), out_features=\(dense.outputs), bias=\(dense.usesBias ? "True" : "False"))"
        )
        if dense.activation != .identity { modules.append(Self.torchModule(dense.activation)) }
      case let norm as BatchNorm1d:
        modules.append(
          "BatchNorm1d(\(norm.scale.count), eps=\(norm.epsilon), momentum=\(norm.momentum), affine=True, track_running_stats=True)"
        )
      case let activation as ActivationLayer: modules.append(Self.torchModule(activation.function))
      case let dropout as Dropout: modules.append("Dropout(p=\(dropout.rate), inplace=False)")
      default: modules.append(layer.summary)
      }
    }
    return modules
  }

  /// Every parameter and buffer, named as the PyTorch module's `state_dict()` names them,
  /// under `prefix`. `batches` is BatchNorm's `num_batches_tracked`: the training steps taken.
  public func torchStateDict(prefix: String = "layers", batches: Int = 0) -> [NamedTensor] {
    var tensors: [NamedTensor] = []
    for (module, layer) in torchPositions() {
      let name = "\(prefix).\(module)"
      switch layer {
      case let dense as Dense:
        tensors.append(
          NamedTensor(
            name: "\(name).weight", shape: [dense.outputs, dense.inputs], values: transposed(dense.weight.value)))
        if let bias = dense.bias {
          tensors.append(NamedTensor(name: "\(name).bias", shape: [dense.outputs], values: bias.value.values))
        }
      case let norm as BatchNorm1d:
        let n = norm.scale.count
        tensors.append(NamedTensor(name: "\(name).weight", shape: [n], values: norm.scale.value.values))
        tensors.append(NamedTensor(name: "\(name).bias", shape: [n], values: norm.shift.value.values))
        tensors.append(NamedTensor(name: "\(name).running_mean", shape: [n], values: norm.runningMean.values))
        tensors.append(NamedTensor(name: "\(name).running_var", shape: [n], values: norm.runningVariance.values))
        tensors.append(NamedTensor(name: "\(name).num_batches_tracked", int64: Int64(batches)))
      default: break
      }
    }
    return tensors
  }

  /// Copies a state dict written by `torchStateDict` into this network (built, of the same
  /// architecture): every tensor must be there with its shape, and no other. `file` names the
  /// source in errors.
  public func loadTorchStateDict(_ tensors: [NamedTensor], prefix: String = "layers", file: String) throws {
    var byName: [String: NamedTensor] = [:]
    for tensor in tensors { byName[tensor.name] = tensor }
    func take(_ name: String, _ shape: [Int]) throws -> [Float] {
      guard let tensor = byName.removeValue(forKey: name) else {
        throw SafetensorsError(description: "\(file): no tensor '\(name)', which the model's network needs")
      }
      guard tensor.dtype == .f32, tensor.shape == shape else {
        throw SafetensorsError(
          description:
            "\(file): tensor '\(name)' is \(tensor.dtype.rawValue) \(tensor.shape); the model's network needs F32 \(shape)"
        )
      }
      return tensor.floats
    }
    func fill(_ target: Tensor, _ values: [Float]) {
      values.withUnsafeBufferPointer { target.data.update(from: $0.baseAddress!, count: values.count) }
    }
    for (module, layer) in torchPositions() {
      let name = "\(prefix).\(module)"
      switch layer {
      case let dense as Dense:
        let weight = try take("\(name).weight", [dense.outputs, dense.inputs])
        // Stored [out, in]; kept [in, out].
        var kept = [Float](repeating: 0, count: weight.count)
        for o in 0..<dense.outputs {
          for i in 0..<dense.inputs { kept[i * dense.outputs + o] = weight[o * dense.inputs + i] }
        }
        fill(dense.weight.value, kept)
        if let bias = dense.bias { fill(bias.value, try take("\(name).bias", [dense.outputs])) }
      case let norm as BatchNorm1d:
        let n = norm.scale.count
        fill(norm.scale.value, try take("\(name).weight", [n]))
        fill(norm.shift.value, try take("\(name).bias", [n]))
        fill(norm.runningMean, try take("\(name).running_mean", [n]))
        fill(norm.runningVariance, try take("\(name).running_var", [n]))
        guard let tracked = byName.removeValue(forKey: "\(name).num_batches_tracked"), tracked.dtype == .i64,
          tracked.shape.isEmpty
        else {
          throw SafetensorsError(description: "\(file): no I64 scalar '\(name).num_batches_tracked' for BatchNorm1d")
        }
      default: break
      }
    }
    guard byName.isEmpty else {
      throw SafetensorsError(
        description:
          "\(file): tensors the model's network does not have: \(byName.keys.sorted().joined(separator: ", "))")
    }
  }

  /// Each layer with the number of the PyTorch module its weights belong to.
  private func torchPositions() -> [(Int, Layer)] {
    var positions: [(Int, Layer)] = []
    var module = 0
    for layer in layers {
      positions.append((module, layer))
      if let dense = layer as? Dense, dense.activation != .identity { module += 2 } else { module += 1 }
    }
    return positions
  }

  private static func torchModule(_ activation: Activation) -> String {
    switch activation {
    case .identity: return "Identity()"
    case .relu: return "ReLU()"
    case .tanh: return "Tanh()"
    case .sigmoid: return "Sigmoid()"
    case .gelu: return "GELU(approximate='none')"
    }
  }
}

/// A row-major `rows × columns` tensor's values, transposed.
private func transposed(_ tensor: Tensor) -> [Float] {
  let (rows, columns) = (tensor.rows, tensor.columns)
  var out = [Float](repeating: 0, count: rows * columns)
  for r in 0..<rows {
    for c in 0..<columns { out[c * rows + r] = tensor.data[r * columns + c] }
  }
  return out
}
