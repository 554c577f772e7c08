import Testing

@testable import NN
@testable import Tensor

/// Three steps of each optimizer on one parameter, against PyTorch 2.13 (values printed by
/// fixtures/make_optimizer_fixtures.py).
@Suite struct OptimizerSteps {
  static let start: [Float] = [0.5, -1.25, 2.0, 0.0, -0.0625]
  static let gradients: [[Float]] = [
    [0.1, -0.2, 0.3, 0.0, 1.5], [-0.4, 0.25, 0.0, 0.7, -1.0], [0.05, 0.05, -0.6, 0.2, 0.0],
  ]

  static let torch: [String: [[Float]]] = [
    "sgd": [
      [0.49000000953674316, -1.2300000190734863, 1.9700000286102295, 0.0, -0.21250000596046448],
      [0.5300000309944153, -1.2549999952316284, 1.9700000286102295, -0.07000000029802322, -0.11250000447034836],
      [0.5250000357627869, -1.2599999904632568, 2.0299999713897705, -0.09000000357627869, -0.11250000447034836],
    ],
    "sgdMomentum": [
      [0.4894999861717224, -1.2287499904632568, 1.968000054359436, 0.0, -0.2124374955892563],
      [0.5195605158805847, -1.233396291732788, 1.9372320175170898, -0.07000000029802322, -0.24716879427433014],
      [0.5410954356193542, -1.2413445711135864, 1.9676035642623901, -0.15293000638484955, -0.278179794549942],
    ],
    "sgdNesterov": [
      [0.48100000619888306, -1.2120000123977661, 1.9429999589920044, 0.0, -0.3474999964237213],
      [0.5489000082015991, -1.243299961090088, 1.9186999797821045, -0.13300000131130219, -0.2789999842643738],
      [0.5645099878311157, -1.2584699392318726, 2.0108299255371094, -0.22769999504089355, -0.3073499798774719],
    ],
    "rmsprop": [
      [0.40000009536743164, -1.1500000953674316, 1.9000000953674316, 0.0, -0.16249999403953552],
      [0.4966917037963867, -1.2248289585113525, 1.8940433263778687, -0.09999999403953552, -0.10675857961177826],
      [0.4833238422870636, -1.2366496324539185, 1.9818060398101807, -0.1274724304676056, -0.10669887065887451],
    ],
    "rmspropMomentum": [
      [0.40000009536743164, -1.1500000953674316, 1.899999976158142, 0.0, -0.16249999403953552],
      [0.44704291224479675, -1.1782398223876953, 1.850000023841858, -0.09999999403953552, -0.15683695673942566],
      [0.4584624767303467, -1.2078955173492432, 1.9146212339401245, -0.1775999814271927, -0.15400543808937073],
    ],
    "adam": [
      [0.49950000643730164, -1.249500036239624, 1.999500036239624, 0.0, -0.06300000101327896],
      [0.49977973103523254, -1.249581217765808, 1.9991649389266968, -0.00037206843262538314, -0.06307225674390793],
      [0.4999558925628662, -1.2496925592422485, 1.9993348121643066, -0.0007363902404904366, -0.06312811374664307],
    ],
    "adamw": [
      [0.4895000159740448, -1.2387499809265137, 1.9880000352859497, 0.0, -0.07243750244379044],
      [0.49460554122924805, -1.2391386032104492, 1.979311466217041, -0.007441368419677019, -0.07381027191877365],
      [0.49763497710227966, -1.2401286363601685, 1.9807325601577759, -0.014720362611114979, -0.07485360652208328],
    ],
  ]

  static let optimizers: [String: @Sendable () -> Optimizer] = [
    "sgd": { SGD(learningRate: 0.1) },
    "sgdMomentum": { SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) },
    "sgdNesterov": { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) },
    "rmsprop": { RMSprop(learningRate: 0.01, weightDecay: 0.01) },
    "rmspropMomentum": { RMSprop(learningRate: 0.01, momentum: 0.5) },
    "adam": { Adam(learningRate: 5e-4, weightDecay: 5e-5) },
    "adamw": { AdamW(learningRate: 1e-2, weightDecay: 0.1) },
  ]

  @Test(arguments: ["sgd", "sgdMomentum", "sgdNesterov", "rmsprop", "rmspropMomentum", "adam", "adamw"])
  func matchesPyTorch(_ name: String) {
    for kernels in Kernels.supported {
      let context = ComputeContext(threads: 1, kernels: kernels)
      let parameter = Parameter(name: "w", rows: 1, columns: 5)
      Self.start.withUnsafeBufferPointer { parameter.value.data.update(from: $0.baseAddress!, count: 5) }
      let optimizer = Self.optimizers[name]!()
      for (step, gradient) in Self.gradients.enumerated() {
        gradient.withUnsafeBufferPointer { parameter.gradient.data.update(from: $0.baseAddress!, count: 5) }
        optimizer.step([parameter], context: context)
        let expected = Self.torch[name]![step]
        for i in 0..<5 {
          let error = abs(parameter.value.data[i] - expected[i])
          #expect(error <= 2e-7 * max(1, abs(expected[i])), "\(name) step \(step + 1) [\(i)] on \(kernels.name)")
        }
      }
    }
  }

  @Test func adamFirstStepByHand() {
    // Step 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so w −= lr · g / (|g| + ε).
    let context = ComputeContext()
    let parameter = Parameter(name: "w", rows: 1, columns: 2)
    parameter.value.data[0] = 1
    parameter.value.data[1] = -2
    parameter.gradient.data[0] = 0.5
    parameter.gradient.data[1] = -4
    Adam(learningRate: 0.1).step([parameter], context: context)
    #expect(abs(parameter.value.data[0] - (1 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-6)
    #expect(abs(parameter.value.data[1] - (-2 + 0.1 * 4 / (4 + 1e-8))) < 1e-6)
  }

  @Test func updatesAreTheSameOnOneOrTwoThreadsAndAnyLength() {
    // Long enough to be split between threads, with a tail shorter than a vector.
    let count = 70_001
    var results: [[Float]] = []
    for threads in [1, 2] {
      let context = ComputeContext(threads: threads)
      let parameter = Parameter(name: "w", rows: 1, columns: count)
      let values = randomValues(count, seed: 4)
      let gradient = randomValues(count, seed: 5)
      values.withUnsafeBufferPointer { parameter.value.data.update(from: $0.baseAddress!, count: count) }
      gradient.withUnsafeBufferPointer { parameter.gradient.data.update(from: $0.baseAddress!, count: count) }
      let adam = Adam(learningRate: 1e-3, weightDecay: 1e-4)
      for _ in 0..<3 { adam.step([parameter], context: context) }
      results.append(parameter.value.values)
    }
    #expect(results[0] == results[1])
  }
}

/// Learning-rate schedules, stepped once per epoch, against PyTorch's schedulers.
@Suite struct Schedules {
  func rates(_ schedule: LearningRateSchedule, metrics: [Double]? = nil, epochs: Int = 12) -> [Float] {
    var current: Float = 0.1
    var out: [Float] = []
    var previous: EpochRecord?
    for epoch in 0..<epochs {
      current = schedule.rate(forEpoch: epoch, base: 0.1, current: current, previous: previous)
      out.append(current)
      let metric = metrics?[epoch] ?? 0
      previous = EpochRecord(
        epoch: epoch + 1, trainLoss: 0, trainAccuracy: 0, validationLoss: metric, validationAccuracy: metric,
        learningRate: Double(current), seconds: 0)
    }
    return out
  }

  func expectClose(_ ours: [Float], _ torch: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(ours.count == torch.count, sourceLocation: sourceLocation)
    for (a, b) in zip(ours, torch) {
      #expect(abs(Double(a) - b) <= 1e-7, "\(ours) vs \(torch)", sourceLocation: sourceLocation)
    }
  }

  @Test func stepDecay() {
    expectClose(
      rates(StepDecay(step: 3, gamma: 0.5)),
      [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125])
  }

  @Test func exponentialDecay() {
    expectClose(
      rates(ExponentialDecay(gamma: 0.9)),
      [
        0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721, 0.0387420489,
        0.03486784401, 0.031381059609,
      ])
  }

  @Test func cosineAnnealing() {
    expectClose(
      rates(CosineAnnealing(period: 10, minimum: 0.001)),
      [
        0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
        0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
        0.0034227024433899004,
      ])
  }

  @Test func reduceOnPlateau() {
    let metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    let schedule = ReduceOnPlateau(metric: .validationLoss, factor: 0.5, patience: 2)
    expectClose(
      rates(schedule, metrics: metrics), [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025])
    #expect(schedule.reductions == [4, 8])
  }

  @Test func reduceOnPlateauWithCooldownAndFloor() {
    let metrics = [0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3]
    let schedule = ReduceOnPlateau(metric: .validationAccuracy, factor: 0.1, patience: 1, cooldown: 2, minimum: 0.0005)
    expectClose(
      rates(schedule, metrics: metrics), [0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001])
  }

  @Test func linearWarmupThenStep() {
    let ours = rates(LinearWarmup(epochs: 4, start: 0.25, then: StepDecay(step: 2, gamma: 0.5)), epochs: 8)
    expectClose(ours, [0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.05, 0.05])
  }
}
