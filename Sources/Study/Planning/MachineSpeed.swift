import Data
import Foundation
import NN
import Tensor

/// How fast this machine trains, measured once and kept in the cache folder
/// (`machine.json`, one entry per host and kernel set), so that a plan's time estimate holds
/// before any run of the study is cached.
///
/// The measure is a short one: batches of the reference network (`RunSettings.reference`) on
/// one thread, over synthetic 28 × 28 images. Its ratio to the same measure on the reference
/// machine scales that machine's seconds per unit of cost (`defaultSecondsPerCost`). Runs in
/// the cache, once there are some, are a better yardstick and take precedence.
public struct MachineSpeed: Codable, Sendable, Equatable {
  public let host: String
  public let kernels: String
  /// Median seconds of one batch of 128 images, one thread.
  public let secondsPerBatch: Double

  /// The same measure on the reference machine (AMD EPYC Zen 4, AVX-512, two cores), where
  /// `defaultSecondsPerCost` was measured: 2.9-3.2 ms in three measures of one hour, when
  /// `bench --only epoch` gave the reference epoch as 0.90 s (synthetic pixels are dense,
  /// so a batch costs more than an MNIST one).
  static let referenceSecondsPerBatch = 0.00290

  /// Seconds per unit of cost on one thread of this machine.
  public var secondsPerCost: Double { defaultSecondsPerCost * secondsPerBatch / Self.referenceSecondsPerBatch }

  /// This machine's speed relative to the reference machine's (above 1: faster).
  public var relativeSpeed: Double { Self.referenceSecondsPerBatch / secondsPerBatch }

  public static let fileName = "machine.json"

  /// Measures this machine: nine rounds of 25 batches (about a second), the first a
  /// warm-up; the median of the others (a shared machine's speed drifts, and a round can be
  /// slowed).
  public static func measure() -> MachineSpeed {
    let reference = RunSettings.reference
    let shape = DataShape(rows: 28, columns: 28, classes: 10)
    let count = 25 * reference.batchSize
    let pixels = (0..<(count * shape.features)).map { Float(($0 &* 7919) % 256) / 255 }
    let images = Images(pixels: pixels, labels: (0..<count).map { Int32($0 % 10) }, rows: 28, columns: 28)
    let context = ComputeContext(threads: 1)
    let trainer = Trainer(
      model: reference.makeModel(classes: shape.classes), inputWidth: shape.features, classes: shape.classes,
      batchSize: reference.batchSize, optimizer: reference.makeOptimizer(), context: context,
      seed: SeedPath(7).child("model"))
    var batches = ShuffledBatches(images, batchSize: reference.batchSize, seed: SeedPath(7).child("shuffle"))
    let history = trainer.fit(&batches, validation: Images?.none, epochs: 9)
    let rounds = history.epochs.dropFirst().map { $0.seconds / 25 }.sorted()
    return MachineSpeed(host: hostName, kernels: context.kernels.name, secondsPerBatch: rounds[rounds.count / 2])
  }

  /// This machine's kept speed in `cache`, or nil.
  static func kept(in cache: ResultCache, kernels: String) -> MachineSpeed? {
    guard let data = cache.contents(ofFile: fileName),
      let all = try? ResultsJSON.decoder().decode([MachineSpeed].self, from: data)
    else { return nil }
    return all.first { $0.host == hostName && $0.kernels == kernels }
  }

  /// This machine's kept speed, or a new measure, kept in `cache` when `keep` (and the
  /// folder exists).
  static func of(_ cache: ResultCache, keep: Bool) -> MachineSpeed {
    if let kept = kept(in: cache, kernels: Kernels.best.name) { return kept }
    let measured = measure()
    if keep { measured.keep(in: cache) }
    return measured
  }

  /// Keeps this measure in `cache` beside other hosts' (replacing this host's); a cache that
  /// cannot keep it costs a new measure next time, nothing else.
  func keep(in cache: ResultCache) {
    guard Self.kept(in: cache, kernels: kernels) != self else { return }
    var all =
      cache.contents(ofFile: Self.fileName).flatMap { try? ResultsJSON.decoder().decode([MachineSpeed].self, from: $0) }
      ?? []
    all.removeAll { $0.host == host && $0.kernels == kernels }
    all.append(self)
    if let data = try? ResultsJSON.encoder(pretty: true).encode(all) { try? cache.write(data, toFile: Self.fileName) }
  }
}

extension StudyBuild {
  /// Keeps a measured speed in the build's cache folder (once `prepare` made it).
  public func keep(_ speed: MachineSpeed) {
    guard let setup = try? setUp() else { return }
    speed.keep(in: setup.cache)
  }
}
