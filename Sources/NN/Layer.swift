import Tensor

/// Whether a forward pass trains (dropout active, batch statistics updated) or evaluates.
public enum Mode: Sendable {
  case training, evaluation
}

/// What a layer needs to know about the current forward or backward pass.
public struct Pass: Sendable {
  public let mode: Mode
  /// The training step, counted over the whole run: random layers key their masks on it.
  public let step: Int

  public init(mode: Mode, step: Int = 0) {
    self.mode = mode
    self.step = step
  }

  public static let evaluation = Pass(mode: .evaluation)
}

/// A trainable tensor and the gradient of the loss with respect to it.
public final class Parameter: @unchecked Sendable {
  /// For example `dense1.weight`.
  public let name: String
  public let value: Tensor
  public let gradient: Tensor

  public init(name: String, rows: Int, columns: Int) {
    self.name = name
    value = Tensor(rows: rows, columns: columns)
    gradient = Tensor(rows: rows, columns: columns)
  }

  public var count: Int { value.count }
}

/// Where a layer gets its threads and its random streams, given once when it is built.
public struct LayerEnvironment {
  public let context: ComputeContext
  /// Largest number of rows a pass will carry.
  public let batchCapacity: Int
  /// Whether `backward` must return the gradient with respect to the layer's input (not for
  /// the first layer).
  public let needsInputGradient: Bool
  /// This layer's own random streams (initialization, dropout masks).
  public let seed: SeedPath
  /// The layer's position, for parameter names.
  public let index: Int
}

/// A layer of a network: a forward function and its hand-written backward pass, each a
/// pair of plain functions over matrices, as in llm.c. Layers own the buffers they write;
/// nothing is allocated after `build`.
public protocol Layer: AnyObject {
  /// For example "Dense(784 → 512, relu)".
  var summary: String { get }
  /// Allocates the layer's parameters and buffers for inputs of `inputWidth` columns and
  /// returns the width of its output.
  func build(inputWidth: Int, _ environment: LayerEnvironment) -> Int
  /// Computes the output for `input` (a batch of rows) in a buffer the layer owns, or
  /// returns `input` itself when the layer leaves it unchanged.
  func forward(_ input: MatrixView, _ pass: Pass) -> MatrixView
  /// Given the gradient of the loss with respect to the output of the last `forward` (whose
  /// input and output are passed back), fills the parameter gradients and returns the
  /// gradient with respect to the input, or `nil` when it is not needed.
  func backward(input: MatrixView, output: MatrixView, gradient: MatrixView, _ pass: Pass) -> MatrixView?
  /// The trainable parameters.
  var parameters: [Parameter] { get }
  /// Values that are learned but not trained by the optimizer (BatchNorm's running
  /// statistics): part of a saved or restored model.
  var buffers: [Tensor] { get }
}

extension Layer {
  public var parameters: [Parameter] { [] }
  public var buffers: [Tensor] { [] }
}

/// Labelled examples as one row-major matrix of features: what `evaluate` and `predict`
/// read.
public protocol ExampleSet {
  var count: Int { get }
  var featureCount: Int { get }
  var labels: [Int32] { get }
  func withFeatures<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R
}

/// Training batches: how many there are, and batch `b` of epoch `e` copied into buffers.
public protocol BatchSource {
  var count: Int { get }
  var featureCount: Int { get }
  var batchSize: Int { get }
  var batchCount: Int { get }
  /// Puts the examples in epoch `epoch`'s order.
  mutating func start(epoch: Int)
  /// Copies batch `batch` into `features` (rows × featureCount) and `labels`; returns rows.
  func copy(batch: Int, features: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int
}
