import Foundation

/// Results stored by key: one JSON file per run (`runs/KEY.json`) and per cell
/// (`cells/KEY.json`). A key is the SHA-256 of everything a result depends on, so a
/// changed setting is a new key and nothing is ever invalidated by hand.
///
/// Entries are written to a temporary file and renamed into place, so an interrupted build
/// leaves no half-written entry; an entry that does not decode, or whose key differs, is
/// reported and recomputed, never trusted.
public final class ResultCache: @unchecked Sendable {
  public let directory: String
  private let lock = NSLock()
  /// Problems met reading entries (a corrupt file, say), for the build's log.
  public private(set) var problems: [String] = []

  public init(directory: String) {
    self.directory = directory
  }

  private func path(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)/\(key).json" }

  /// The entry of `kind` under `key`, or nil when there is none or it cannot be trusted.
  func load<T: Decodable>(_ type: T.Type, kind: String, key: String, keyOf: (T) -> String) -> T? {
    let file = path(kind, key)
    guard let data = FileManager.default.contents(atPath: file) else { return nil }
    do {
      let decoder = JSONDecoder()
      decoder.nonConformingFloatDecodingStrategy = .convertFromString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
      let value = try decoder.decode(T.self, from: data)
      guard keyOf(value) == key else {
        note("\(file): the entry holds another key (\(keyOf(value).prefix(12))…); recomputing")
        return nil
      }
      return value
    } catch {
      note("\(file): corrupt cache entry (\(describe(error))); recomputing")
      return nil
    }
  }

  /// Stores `value` under `key`, atomically. A cache that cannot be written is reported,
  /// not fatal: the build goes on without it.
  func store<T: Encodable>(_ value: T, kind: String, key: String) {
    let file = path(kind, key)
    do {
      try FileManager.default.createDirectory(atPath: "\(directory)/\(kind)", withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      // A diverged run's losses and a diverged candidate's scores are NaN: kept as results.json
      // writes them, so that they are cached like any other.
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
      try encoder.encode(value).write(to: URL(fileURLWithPath: file), options: .atomic)
    } catch {
      note("\(file): cannot write the cache entry (\(error.localizedDescription))")
    }
  }

  /// The shortest stored run of `family` (keys `FAMILY-EPOCHS`, or `FAMILY-EPOCHS-test` for a
  /// run also evaluated on the test set) that trained at least `epochs` epochs, other than
  /// the run of `epochs` epochs itself.
  func longerRun(family: String, than epochs: Int) -> RunRecord? {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/runs")) ?? []
    let stored = names.compactMap { name -> (epochs: Int, key: String)? in
      guard name.hasPrefix(family + "-"), name.hasSuffix(".json") else { return nil }
      let key = String(name.dropLast(5))
      let rest = key.dropFirst(family.count + 1)
      let tested = rest.hasSuffix("-test")
      guard let length = Int(tested ? rest.dropLast(5) : rest), length > epochs || (length == epochs && tested)
      else { return nil }
      return (length, key)
    }
    for (_, key) in stored.sorted(by: { $0.epochs < $1.epochs }) {
      if let record = load(RunRecord.self, kind: "runs", key: key, keyOf: \.key) { return record }
    }
    return nil
  }

  /// Whether an entry exists (without reading it).
  func contains(kind: String, key: String) -> Bool {
    FileManager.default.fileExists(atPath: path(kind, key))
  }

  private func note(_ problem: String) {
    lock.withLock { problems.append(problem) }
  }

  private func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context): return context.debugDescription
    case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
    case DecodingError.typeMismatch(_, let context):
      return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    default: return "\(error)"
    }
  }
}

/// Base64 without Foundation's allocation-heavy options, for the probabilities of final runs.
enum Base64 {
  static func encode(_ values: [Float]) -> String {
    values.withUnsafeBytes { Data($0).base64EncodedString() }
  }

  static func decode(_ text: String) -> Data? { Data(base64Encoded: text) }
}
