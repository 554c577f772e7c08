/// A study file that cannot be run as written: where (file, line, key) and why, with the
/// allowed values when there is a fixed set.
public struct StudyError: Error, CustomStringConvertible, Sendable {
  public let file: String
  public let line: Int?
  /// The key's path, for example `cells[2].settings.dropout`.
  public let key: String
  public let message: String

  public init(file: String, line: Int?, key: String, message: String) {
    self.file = file
    self.line = line
    self.key = key
    self.message = message
  }

  public var description: String {
    "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "\(key): ")\(message)"
  }
}
