import Testing

@testable import NN
@testable import Tensor

/// Random values in [−1, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
  var generator = Xoshiro256(seed: seed)
  return (0..<count).map { _ in generator.uniformFloat() * 2 - 1 }
}

/// Checks a layer's backward pass against central finite differences of
/// f(x, θ) = Σ layer(x) ⊙ R, for a fixed random R, with respect to every input value and
/// every parameter value.
func checkGradients(
  _ layer: Layer, inputWidth: Int, rows: Int = 5, mode: Mode = .training, step: Float = 1e-2,
  tolerance: Double = 3e-4, seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation
) {
  let context = ComputeContext(threads: 1)
  let environment = LayerEnvironment(
    context: context, batchCapacity: rows, needsInputGradient: true, seed: SeedPath(seed), index: 0)
  let outputWidth = layer.build(inputWidth: inputWidth, environment)
  let input = Tensor(rows: rows, columns: inputWidth, values: randomValues(rows * inputWidth, seed: seed + 1))
  let weights = randomValues(rows * outputWidth, seed: seed + 2)
  let pass = Pass(mode: mode, step: 7)

  func objective() -> Double {
    let y = layer.forward(input.view, pass)
    return (0..<y.count).reduce(0.0) { $0 + Double(y.data[$1]) * Double(weights[$1]) }
  }

  let output = layer.forward(input.view, pass)
  let gradient = Tensor(rows: rows, columns: outputWidth, values: weights)
  let analyticInput = layer.backward(input: input.view, output: output, gradient: gradient.view, pass).map {
    Array(UnsafeBufferPointer(start: $0.data, count: $0.count))
  }
  let analyticParameters = layer.parameters.map(\.gradient.values)

  func numeric(_ pointer: UnsafeMutablePointer<Float>) -> Double {
    let saved = pointer.pointee
    pointer.pointee = saved + step
    let up = objective()
    pointer.pointee = saved - step
    let down = objective()
    pointer.pointee = saved
    return (up - down) / Double(2 * step)
  }

  func compare(_ analytic: Float, _ expected: Double, _ what: String) {
    let scale = max(1, abs(expected), abs(Double(analytic)))
    #expect(
      abs(Double(analytic) - expected) <= tolerance * scale, "\(layer.summary) \(what): \(analytic) vs \(expected)",
      sourceLocation: sourceLocation)
  }

  #expect(analyticInput != nil, sourceLocation: sourceLocation)
  for i in 0..<input.count {
    compare(analyticInput?[i] ?? .nan, numeric(input.data + i), "∂/∂x[\(i)]")
  }
  for (p, parameter) in layer.parameters.enumerated() {
    for i in 0..<parameter.count {
      compare(analyticParameters[p][i], numeric(parameter.value.data + i), "∂/∂\(parameter.name)[\(i)]")
    }
  }
}

@Suite struct GradientChecks {
  @Test(arguments: [Activation.identity, .tanh, .sigmoid, .gelu])
  func denseWithSmoothActivation(_ activation: Activation) {
    checkGradients(Dense(4, activation: activation), inputWidth: 6)
  }

  @Test func denseWithReLU() {
    // A smaller step, so that no pre-activation crosses zero between the two evaluations.
    checkGradients(Dense(4, activation: .relu), inputWidth: 6, step: 1e-3, tolerance: 1e-2, seed: 3)
  }

  @Test func denseWithoutBias() {
    checkGradients(Dense(3, bias: false), inputWidth: 5)
  }

  @Test(arguments: [Activation.tanh, .sigmoid, .gelu])
  func activationLayers(_ activation: Activation) {
    checkGradients(ActivationLayer(activation), inputWidth: 7)
  }

  @Test func reluLayer() {
    checkGradients(ActivationLayer.relu(), inputWidth: 7, step: 1e-3, tolerance: 1e-2)
  }

  @Test func dropoutInTrainingAndEvaluation() {
    checkGradients(Dropout(0.4), inputWidth: 9)
    checkGradients(Dropout(0.4), inputWidth: 9, mode: .evaluation)
  }

  @Test func batchNormInTraining() {
    let layer = BatchNorm1d()
    checkGradients(layer, inputWidth: 4, rows: 6, tolerance: 5e-3)
  }

  @Test func batchNormInEvaluation() {
    checkGradients(BatchNorm1d(), inputWidth: 4, rows: 6, mode: .evaluation)
  }

  @Test func batchNormWideEnoughForItsBlockedLoop() {
    checkGradients(BatchNorm1d(), inputWidth: 19, rows: 5, tolerance: 5e-3)
  }

  /// The blocked BatchNorm passes (sixteen columns at a time) against the column-by-column
  /// oracle: the same bits, in training and in evaluation.
  @Test(arguments: [true, false]) func batchNormBlockedMatchesTheOracleBitForBit(training: Bool) {
    let (rows, columns) = (23, 37)
    func buffer(_ values: [Float]) -> UnsafeMutablePointer<Float> {
      let p = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
      p.initialize(from: values, count: values.count)
      return p
    }
    let x = buffer(randomValues(rows * columns, seed: 21).map { $0 * 3 + 0.5 })
    let dy = buffer(randomValues(rows * columns, seed: 22))
    func run(blocked: Bool) -> [[Float]] {
      let stats = (0..<7).map { k in buffer(randomValues(columns, seed: 30 + UInt64(k)).map { abs($0) + 0.5 }) }
      let y = buffer(Array(repeating: 0, count: rows * columns))
      let xhat = buffer(Array(repeating: 0, count: rows * columns))
      let dx = buffer(Array(repeating: 0, count: rows * columns))
      let forward = BatchNormForward(
        x: MatrixView(x, rows: rows, columns: columns), y: MatrixView(y, rows: rows, columns: columns),
        xhat: MatrixView(xhat, rows: rows, columns: columns), gamma: stats[0], beta: stats[1], mean: stats[2],
        variance: stats[3], inverse: stats[4], training: training, momentum: 0.1, epsilon: 1e-5)
      let backward = BatchNormBackward(
        dy: MatrixView(dy, rows: rows, columns: columns), xhat: MatrixView(xhat, rows: rows, columns: columns),
        dx: MatrixView(dx, rows: rows, columns: columns), gamma: stats[0], inverse: stats[4], dGamma: stats[5],
        dBeta: stats[6], training: training)
      if blocked {
        forward(0..<columns)
        backward(0..<columns)
      } else {
        forward.reference(0..<columns)
        backward.reference(0..<columns)
      }
      let matrices = [y, xhat, dx].map { Array(UnsafeMutableBufferPointer(start: $0, count: rows * columns)) }
      return matrices + stats[2...6].map { Array(UnsafeMutableBufferPointer(start: $0, count: columns)) }
    }
    let blocked = run(blocked: true)
    let oracle = run(blocked: false)
    for (a, b) in zip(blocked, oracle) {
      #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }
  }

  @Test func softmaxCrossEntropyGradient() {
    let (rows, classes) = (4, 5)
    let context = ComputeContext()
    let loss = SoftmaxCrossEntropy(classes: classes, batchCapacity: rows, context: context)
    let logits = Tensor(rows: rows, columns: classes, values: randomValues(rows * classes, seed: 9).map { $0 * 4 })
    let labels: [Int32] = [0, 3, 4, 1]
    let (sum, _) = loss(logits: logits.view, labels: labels, withGradient: true)
    let gradient = Array(UnsafeBufferPointer(start: loss.gradientView.data, count: rows * classes))
    // The loss itself, against a double-precision log-sum-exp.
    var expected = 0.0
    for r in 0..<rows {
      let row = (0..<classes).map { Double(logits[r, $0]) }
      expected += log(row.map { exp($0) }.reduce(0, +)) - row[Int(labels[r])]
    }
    #expect(abs(sum - expected) < 1e-5)
    for i in 0..<(rows * classes) {
      let saved = logits.data[i]
      logits.data[i] = saved + 1e-2
      let up = loss(logits: logits.view, labels: labels, withGradient: false).lossSum / Double(rows)
      logits.data[i] = saved - 1e-2
      let down = loss(logits: logits.view, labels: labels, withGradient: false).lossSum / Double(rows)
      logits.data[i] = saved
      #expect(abs(Double(gradient[i]) - (up - down) / 2e-2) < 1e-4)
    }
  }

  @Test func softmaxIsStableForHugeLogits() {
    let context = ComputeContext()
    let loss = SoftmaxCrossEntropy(classes: 3, batchCapacity: 1, context: context)
    let logits = Tensor(rows: 1, columns: 3, values: [1000, 0, -1000])
    let (sum, correct) = loss(logits: logits.view, labels: [1], withGradient: true)
    #expect(abs(sum - 1000) < 1e-3)
    #expect(correct == 0)
    #expect(loss.gradientView.data[0] == 1 && loss.gradientView.data[1] == -1)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
