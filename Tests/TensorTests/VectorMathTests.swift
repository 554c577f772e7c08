import Foundation
import Testing

@testable import Tensor

/// Every activation of every kernel table this CPU runs, on a dense grid, against the same
/// function evaluated in double precision.
@Suite struct VectorMath {
  static let grid: [Float] = stride(from: -9.0, through: 9.0, by: 0.0137).map { Float($0) } + [0, -0.0, 1e-6, -1e-6]

  static func reference(_ activation: Activation, _ x: Double) -> (value: Double, derivative: Double) {
    switch activation {
    case .identity: return (x, 1)
    case .relu: return (max(x, 0), x > 0 ? 1 : 0)
    case .tanh: return (tanh(x), 1 - tanh(x) * tanh(x))
    case .sigmoid:
      let s = 1 / (1 + exp(-x))
      return (s, s * (1 - s))
    case .gelu:
      let cdf = 0.5 * (1 + erf(x / 2.0.squareRoot()))
      return (x * cdf, cdf + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot())
    }
  }

  @Test(arguments: Activation.allCases)
  func activationsMatchDoublePrecision(_ activation: Activation) {
    let x = Self.grid
    for kernels in Kernels.supported {
      var y = [Float](repeating: 0, count: x.count)
      kernels.activate(activation, x, nil, &y, x.count)
      var worst = 0.0
      for i in x.indices {
        let expected = Self.reference(activation, Double(x[i])).value
        worst = max(worst, abs(Double(y[i]) - expected) / max(1, abs(expected)))
      }
      #expect(worst < 4e-7, "\(kernels.name) \(activation): worst error \(worst)")
    }
  }

  @Test(arguments: Activation.allCases)
  func derivativesMatchDoublePrecision(_ activation: Activation) {
    let x = Self.grid
    let ones = [Float](repeating: 1, count: x.count)
    for kernels in Kernels.supported {
      var y = [Float](repeating: 0, count: x.count)
      kernels.activate(activation, x, nil, &y, x.count)
      var dx = [Float](repeating: 0, count: x.count)
      kernels.activationGradient(activation, y, x, ones, &dx, x.count)
      var worst = 0.0
      for i in x.indices where !(activation == .relu && x[i] == 0) {
        let expected = Self.reference(activation, Double(x[i])).derivative
        worst = max(worst, abs(Double(dx[i]) - expected))
      }
      #expect(worst < 1e-6, "\(kernels.name) \(activation)′: worst error \(worst)")
    }
  }

  @Test func expIsAccurateOverItsRange() {
    let x = stride(from: -87.0, through: 88.0, by: 0.031).map { Float($0) }
    for kernels in Kernels.supported {
      var y = [Float](repeating: 0, count: x.count)
      _ = kernels.expShifted(x, 0, &y, x.count)
      let worst = x.indices.map { abs(Double(y[$0]) / exp(Double(x[$0])) - 1) }.max()!
      #expect(worst < 3e-7, "\(kernels.name): worst relative error \(worst)")
    }
  }

  @Test func everyTableComputesTheSameBits() {
    let x = Self.grid
    for activation in Activation.allCases {
      let outputs = Kernels.supported.filter { $0.name != "baseline" }.map { kernels in
        var y = [Float](repeating: 0, count: x.count)
        kernels.activate(activation, x, nil, &y, x.count)
        return y
      }
      #expect(Set(outputs.map { $0.map(\.bitPattern) }).count == 1, "\(activation)")
    }
  }
}
