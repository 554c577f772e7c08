import Data
import Foundation

/// A dataset file as the results record it: its name, decompressed digest and size, and
/// whether it matched a built-in digest.
public struct FileDigest: Codable, Sendable {
  public var file: String
  public var sha256: String
  public var bytes: Int
  public var verified: Bool

  init(file: String, sha256: String, bytes: Int, verified: Bool) {
    (self.file, self.sha256, self.bytes, self.verified) = (file, sha256, bytes, verified)
  }

  public init(_ check: FileCheck) {
    file = (check.path as NSString).lastPathComponent
    sha256 = check.sha256
    bytes = check.bytes
    verified = check.matched == true
  }
}

/// `path` relative to the working directory when it lies inside it (so that results written
/// on one machine do not carry its folders), else as given.
func displayPath(_ path: String) -> String {
  let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
  let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
  guard absolute.hasPrefix(here + "/") else { return path }
  return String(absolute.dropFirst(here.count + 1))
}
