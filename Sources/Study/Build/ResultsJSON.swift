import Foundation

/// results.json's text: pretty-printed with sorted keys, and a number that is not finite (a
/// diverged run's loss, a diverged candidate's score) written as `null`, since JSON has no
/// NaN: pandas reads `null` as NaN and keeps the column numeric.
public enum ResultsJSON {
  /// What the encoder writes for a non-finite number before it becomes `null`: a string no
  /// result holds.
  private static let nan = "\u{1}nan", infinity = "\u{1}inf", negativeInfinity = "\u{1}-inf"

  public static func encode<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: infinity, negativeInfinity: negativeInfinity, nan: nan)
    let tokens: Set<[UInt8]> = Set([nan, infinity, negativeInfinity].map { Array(quoted($0)) })
    return rewrite(try encoder.encode(value)) { string in tokens.contains(string) ? Array("null".utf8) : nil }
  }

  /// Reads what `encode` wrote: every `null` is a number that was not finite (NaN).
  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try decoder.decode(type, from: nullsAsNaN(data))
  }

  /// The JSON text of `string`, as the encoder writes it (`\u0001nan`).
  private static func quoted(_ string: String) -> Data {
    (try? JSONEncoder().encode(string)) ?? Data()
  }

  /// `data` with every `null` outside a string replaced by `"NaN"`, which the decoder reads
  /// as NaN where it expects a number (results.json writes `null` nowhere else).
  private static func nullsAsNaN(_ data: Data) -> Data {
    let bytes = [UInt8](data)
    let token = [UInt8](#""NaN""#.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + bytes.count / 16)
    var i = 0
    while i < bytes.count {
      let byte = bytes[i]
      if byte == UInt8(ascii: "\"") {
        let end = stringEnd(bytes, from: i)
        out.append(contentsOf: bytes[i..<end])
        i = end
      } else if byte == UInt8(ascii: "n"), bytes[i..<min(i + 4, bytes.count)].elementsEqual("null".utf8) {
        out.append(contentsOf: token)
        i += 4
      } else {
        out.append(byte)
        i += 1
      }
    }
    return Data(out)
  }

  /// `data` with each string token for which `replace` gives bytes replaced by them.
  private static func rewrite(_ data: Data, _ replace: ([UInt8]) -> [UInt8]?) -> Data {
    let bytes = [UInt8](data)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "\"") {
        let end = stringEnd(bytes, from: i)
        let string = Array(bytes[i..<end])
        out.append(contentsOf: replace(string) ?? string)
        i = end
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return Data(out)
  }

  /// The index just past the string token that opens at `start` (a `"`), escapes skipped.
  private static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int {
    var i = start + 1
    while i < bytes.count {
      switch bytes[i] {
      case UInt8(ascii: "\\"): i += 2
      case UInt8(ascii: "\""): return i + 1
      default: i += 1
      }
    }
    return bytes.count
  }
}
