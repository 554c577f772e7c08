import Foundation
import Metrics

/// A model evaluated once on the test set.
public struct TestEvaluation: Codable, Sendable {
  public var loss: Double
  public var accuracy: Double
  public var confusion: ConfusionMatrix
  public var report: ClassificationReport
  public var mistakes: [Mistake]
  /// The images of `mistakes`, in the same order.
  public var mistakeImages: [StoredImage]
  /// Softmax probabilities, `count × classes` Float32 values, base64 of little-endian bytes;
  /// kept in the cache, left out of results.json (predictions.csv has them).
  public var probabilities: String?

  public func decodedProbabilities() -> [Float] {
    guard let probabilities, let data = Base64.decode(probabilities) else { return [] }
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  }
}

/// An image kept in the results (a sample digit, a mistake): its position in its file and
/// its pixels, one byte each (0–255), base64.
public struct StoredImage: Codable, Sendable {
  public var index: Int
  public var pixels: String

  public init(index: Int, pixels: [Float]) {
    self.index = index
    self.pixels = Data(pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) }).base64EncodedString()
  }

  /// The pixels in [0, 1].
  public var values: [Float] {
    guard let data = Data(base64Encoded: pixels) else { return [] }
    return data.map { Float($0) / 255 }
  }
}

extension Float {
  fileprivate func clamped(_ low: Float, _ high: Float) -> Float { Swift.min(Swift.max(self, low), high) }
}

/// Base64 without Foundation's allocation-heavy options, for the probabilities of final runs.
enum Base64 {
  static func encode(_ values: [Float]) -> String {
    values.withUnsafeBytes { Data($0).base64EncodedString() }
  }

  static func decode(_ text: String) -> Data? { Data(base64Encoded: text) }
}
