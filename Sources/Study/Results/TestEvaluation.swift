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
  /// Whether each test image (in the test set's order) was classified right: bit i of byte
  /// i / 8 (least significant first), base64. Every tested repeat keeps it, in results.json
  /// too, for tests image by image (McNemar's) and for intervals over images.
  public var correct: String?

  /// `correct` read back: one flag per test image.
  public var correctImages: [Bool]? {
    guard let correct, let bytes = Data(base64Encoded: correct) else { return nil }
    let count = confusion.total
    guard bytes.count == (count + 7) / 8 else { return nil }
    return (0..<count).map { bytes[bytes.startIndex + $0 / 8] & (1 << UInt8($0 % 8)) != 0 }
  }

  /// `flags` packed as `correct` keeps them.
  public static func packed(_ flags: [Bool]) -> String {
    var bytes = [UInt8](repeating: 0, count: (flags.count + 7) / 8)
    for (i, flag) in flags.enumerated() where flag { bytes[i / 8] |= 1 << UInt8(i % 8) }
    return Data(bytes).base64EncodedString()
  }

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
