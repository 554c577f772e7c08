import Foundation

/// `text` written to `path` through a temporary file and a rename, so that no reader sees
/// half a file; the folder is created when missing.
func atomically(_ text: String, to path: String) throws { try atomically(Data(text.utf8), to: path) }

/// `bytes` written to `path` the same way.
func atomically(_ bytes: Data, to path: String) throws {
  let folder = (path as NSString).deletingLastPathComponent
  do {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
  } catch {
    throw OutputError(path: path, message: "cannot write (\(error.localizedDescription))")
  }
}

/// A results file or folder that cannot be written.
public struct OutputError: Error, CustomStringConvertible {
  public let path: String
  public let message: String
  public var description: String { "\(path): \(message)" }
}
