import Crypto
import Data
import Foundation
import NN
import Tensor

/// What a build writes beside a trained model it exports (`models/CELL.json`): everything
/// needed to use `models/CELL.safetensors` — the network, the input's normalization, the
/// classes — and where it comes from (settings, metrics, dataset digests). Written with
/// snake_case names.
public struct ModelCard: Codable, Sendable {
  /// The network, as PyTorch would build it.
  public struct Architecture: Codable, Sendable {
    /// Image rows and columns; the network reads them as one row of `inputs` values.
    public var inputShape: [Int]
    public var inputs: Int
    public var hidden: [Int]
    public var classes: Int
    public var activation: String
    public var batchNorm: Bool
    /// One rate per hidden layer (0 for none), and the input's.
    public var dropout: [Double]
    public var inputDropout: Double
    /// The modules of the equivalent `nn.Sequential`, as PyTorch prints them.
    public var torchModules: [String]
  }

  /// How an image becomes the network's input, in float32: `x = byte / 255`, then for
  /// `standardize`, `x = (x − mean) · (1 / std)` with the training part's statistics.
  public struct InputNormalization: Codable, Sendable {
    public var kind: String
    public var mean: Double
    public var std: Double
    public var formula: String
  }

  public struct ModelMetrics: Codable, Sendable {
    public var testAccuracy: Double
    public var testLoss: Double
    public var validationAccuracy: Double?
    public var validationLoss: Double?
    public var epochsTrained: Int
    /// The epoch whose weights were kept (early stopping restores the best one).
    public var weightsFromEpoch: Int?
  }

  public struct DatasetOrigin: Codable, Sendable {
    public var name: String
    public var files: [FileDigest]
  }

  public var format = ModelCard.currentFormat
  public var cell: String
  public var title: String
  /// The run's cache key (repeat 0's).
  public var runKey: String
  /// The weights' file, beside this one, and its SHA-256.
  public var weights: String
  public var weightsSha256: String
  public var architecture: Architecture
  public var normalization: InputNormalization
  public var classNames: [String]
  public var seed: UInt64
  public var metrics: ModelMetrics
  public var dataset: DatasetOrigin
  public var mnistReport: String

  public static let currentFormat = "mnist-report model 1"

  /// The card beside `weights` (`models/tuned.safetensors` → `models/tuned.json`).
  public static func path(besideWeights weights: String) -> String {
    ((weights as NSString).deletingPathExtension as String) + ".json"
  }

  /// The card of the model at `weights`, read and checked.
  public static func load(besideWeights weights: String) throws -> ModelCard {
    let file = path(besideWeights: weights)
    guard let bytes = FileManager.default.contents(atPath: file) else {
      throw ModelError("\(file): no model card beside \(weights) (a build writes both)")
    }
    let card: ModelCard
    do {
      card = try ResultsJSON.decoder().decode(ModelCard.self, from: bytes)
    } catch {
      throw ModelError("\(file): not a model card (\(describeDecoding(error)))")
    }
    guard card.format == currentFormat else {
      throw ModelError("\(file): format '\(card.format)', expected '\(currentFormat)'")
    }
    return card
  }

  var encoded: Data {
    try! ResultsJSON.encoder(pretty: true).encode(self) + Data("\n".utf8)
  }
}

extension ModelCard.Architecture {
  /// The network the card describes, built for batches of up to `batchCapacity` rows, its
  /// weights not loaded yet.
  public func makeModel() throws -> Sequential {
    guard let function = Activation(rawValue: activation) else {
      throw ModelError("unknown activation '\(activation)' in the model card")
    }
    guard dropout.count == hidden.count, inputs > 0, classes > 0, hidden.allSatisfy({ $0 > 0 }) else {
      throw ModelError("the model card's architecture is inconsistent (hidden, dropout, inputs)")
    }
    let mlp = Sequential.mlp(
      hidden: hidden, classes: classes, activation: function, dropout: dropout.map { Float($0) },
      batchNorm: batchNorm)
    return inputDropout > 0 ? Sequential([NN.Dropout(Float(inputDropout))] + mlp.layers) : mlp
  }
}

/// A loaded model: the network with its weights, and its card.
public final class ExportedModel {
  public let card: ModelCard
  let trainer: Trainer

  /// Reads `weights` (a safetensors file) and the card beside it; the tensors must be the
  /// card's network's, every one with its shape.
  public init(weights: String, threads: Int = 1) throws {
    card = try ModelCard.load(besideWeights: weights)
    guard let bytes = FileManager.default.contents(atPath: weights) else {
      throw ModelError("\(weights): cannot read the model")
    }
    let tensors = try Safetensors.decode(Array(bytes), file: weights).tensors
    let model = try card.architecture.makeModel()
    trainer = Trainer(
      model: model, inputWidth: card.architecture.inputs, classes: card.architecture.classes, batchSize: 1,
      optimizer: SGD(learningRate: 0), context: ComputeContext(threads: threads), seed: SeedPath(0))
    try model.loadTorchStateDict(tensors, file: weights)
  }

  /// Softmax probabilities of images given as bytes (0–255, `rows × columns` each, one
  /// after the other), normalized as the model was trained: `count × classes`, row-major.
  public func probabilities(bytes: [UInt8], count: Int) -> [Float] {
    let shape = card.architecture.inputShape
    var pixels = [Float](repeating: 0, count: bytes.count)
    for i in bytes.indices { pixels[i] = Float(bytes[i]) / 255 }
    var images = Images(pixels: pixels, labels: [Int32](repeating: 0, count: count), rows: shape[0], columns: shape[1])
    if card.normalization.kind == Normalization.standardize.rawValue {
      images.standardize(mean: Float(card.normalization.mean), std: Float(card.normalization.std))
    }
    return trainer.predict(images)
  }
}

/// A model or card that cannot be used: the message names the file and what is wrong.
public struct ModelError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Writes the exported models of a build into its results folder.
enum ModelExport {
  /// `models/CELL.safetensors` (the weights, copied from the cache) and `models/CELL.json`
  /// (the card) for `cell`, whose run 0 is the model.
  static func write(
    _ cell: CellResult, results: StudyResults, data: StudyData, cache: ResultCache, to folder: String
  ) throws {
    guard let run = cell.runs.first?.run, let test = run.test else { return }
    let source = cache.modelPath(key: run.key)
    guard let weights = FileManager.default.contents(atPath: source) else {
      throw OutputError(path: source, message: "the trained model of cell '\(cell.id)' is not in the cache")
    }
    let settings = run.settings
    let prepared = data.prepared(for: run.data)
    let shape = results.shape
    let model = settings.makeModel(classes: shape.classes)
    model.build(
      inputWidth: shape.rows * shape.columns, batchCapacity: 1, context: ComputeContext(threads: 1), seed: SeedPath(0))
    let standardized = prepared.normalization == .standardize && prepared.std > 0
    let card = ModelCard(
      cell: cell.id, title: cell.title, runKey: run.key, weights: "\(cell.id).safetensors",
      weightsSha256: SHA256.hash(data: weights).map { String(format: "%02x", $0) }.joined(),
      architecture: .init(
        inputShape: [shape.rows, shape.columns], inputs: shape.rows * shape.columns, hidden: settings.hidden,
        classes: shape.classes, activation: settings.activation.rawValue, batchNorm: settings.batchNorm,
        dropout: settings.dropoutRates, inputDropout: settings.inputDropout, torchModules: model.torchModules),
      normalization: .init(
        kind: standardized ? Normalization.standardize.rawValue : Normalization.scale.rawValue,
        mean: standardized ? prepared.mean : 0, std: standardized ? prepared.std : 1,
        formula: standardized ? "x = (byte / 255 - mean) * (1 / std), in float32" : "x = byte / 255, in float32"),
      classNames: data.dataset.classNames, seed: results.data.seed,
      metrics: .init(
        testAccuracy: test.accuracy, testLoss: test.loss, validationAccuracy: run.validationAccuracy,
        validationLoss: run.validationLoss, epochsTrained: run.history.epochs.count,
        weightsFromEpoch: run.history.restoredEpoch),
      dataset: .init(name: results.data.datasetName, files: results.files), mnistReport: results.version)
    try atomically(weights, to: "\(folder)/models/\(cell.id).safetensors")
    try atomically(card.encoded, to: "\(folder)/models/\(cell.id).json")
  }

  /// The model files of `cell` from an earlier results folder, copied as they are (`render`).
  static func copy(_ cell: CellResult, from source: String, to folder: String) throws {
    guard cell.runs.first?.run.test != nil else { return }
    for name in ["\(cell.id).safetensors", "\(cell.id).json"] {
      let path = "\(source)/models/\(name)"
      guard let bytes = FileManager.default.contents(atPath: path) else {
        throw OutputError(path: path, message: "missing: the exported model of cell '\(cell.id)'")
      }
      try atomically(bytes, to: "\(folder)/models/\(name)")
    }
  }

}
