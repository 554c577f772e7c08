import Foundation

/// The JSON mnist-report writes and reads — results.json, the cache, the cache keys and
/// every `--json` output — and results.json's text.
///
/// Names are snake_case by the coders' key strategies: a property's name is converted
/// (`epochsTrained` is written `epochs_trained`), so a type declares `CodingKeys` only where
/// its JSON name is not its property's, and then in camelCase, which the strategy converts
/// in turn (`case validationLoss = "valLoss"` is written `val_loss`). Keys of dictionaries
/// (variant names, class names, hosts) are written as they are.
///
/// results.json is pretty-printed with sorted keys, and a number that is not finite (a
/// diverged run's loss, a diverged candidate's score) is written `null`, since JSON has no
/// NaN: pandas reads `null` as NaN and keeps the column numeric.
public enum ResultsJSON {
  /// What the encoder writes for a non-finite number before it becomes `null`: a string no
  /// result holds.
  private static let nan = "\u{1}nan", infinity = "\u{1}inf", negativeInfinity = "\u{1}-inf"

  /// An encoder with sorted keys and snake_case names (see above); one that spells numbers
  /// that are not finite as `"NaN"`, `"Infinity"` and `"-Infinity"` with `nonFinite`, else
  /// one that refuses them.
  public static func encoder(pretty: Bool = false, nonFinite: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    if nonFinite {
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    }
    return encoder
  }

  /// The decoder of what `encoder` wrote: snake_case names, and the strings it writes for
  /// numbers that are not finite.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return decoder
  }

  /// results.json's text of `value`.
  public static func encode<T: Encodable>(_ value: T) throws -> Data {
    let encoder = encoder(pretty: true)
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: infinity, negativeInfinity: negativeInfinity, nan: nan)
    let tokens: Set<[UInt8]> = Set([nan, infinity, negativeInfinity].map { Array(quoted($0)) })
    return rewrite(try encoder.encode(value)) { string in tokens.contains(string) ? Array("null".utf8) : nil }
  }

  /// Reads what `encode` wrote: every `null` is a number that was not finite (NaN).
  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    try decoder().decode(type, from: nullsAsNaN(data))
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

/// A decoding error in a few words, with the path of the field it met (named as the JSON
/// names it).
func describeDecoding(_ error: Error) -> String {
  func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
    (context.codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? snakeCase($0.stringValue) }
      .joined(separator: ".")
  }
  switch error {
  case DecodingError.dataCorrupted(let context): return context.debugDescription
  case DecodingError.keyNotFound(let key, let context): return "missing \(path(context, key))"
  case DecodingError.typeMismatch(_, let context): return "wrong type at \(path(context))"
  case DecodingError.valueNotFound(_, let context): return "no value at \(path(context))"
  default: return "\(error)"
  }
}
