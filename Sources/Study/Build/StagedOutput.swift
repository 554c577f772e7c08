import Foundation

/// A build's output written whole or not at all.
///
/// Every file of a build (results.json, `runs/`, the predictions, the reports, `figures/`) is
/// first written into a staging folder inside the output folder, so that a failure at any
/// point — a figure that cannot be drawn, a full disk, a killed process — leaves the previous
/// output as it was. `commit()` then checks every target (a file where the build writes a
/// folder, or a folder where it writes a file, stops it before anything is replaced) and
/// renames each top-level entry into place: files over files, folders by swapping the whole
/// folder, which also removes what the previous build wrote and this one did not (the CSV of a
/// variant since renamed). Entries the build does not write (sbatch scripts, a user's own
/// files) are left alone. Should a rename fail half-way, those already done are undone.
///
/// Two builds that commit into one folder at once take turns (an advisory lock held only for
/// the renames), so the output is one build's or the other's, never a mix.
public final class StagedOutput: @unchecked Sendable {  // used by one thread at a time
  /// The folder the build's output belongs in.
  public let output: String
  /// Where the build writes it meanwhile.
  public let path: String
  private var finished = false

  /// Staging folders are named `.staging-PID-RANDOM`; those of processes that died are removed.
  static let prefix = ".staging-"

  public init(output: String) throws {
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    if manager.fileExists(atPath: output, isDirectory: &isFolder), !isFolder.boolValue {
      throw OutputError(path: output, message: "is a file; the output must be a folder")
    }
    do {
      try manager.createDirectory(atPath: output, withIntermediateDirectories: true)
    } catch {
      throw OutputError(path: output, message: "cannot create the output folder (\(error.localizedDescription))")
    }
    guard manager.isWritableFile(atPath: output) else {
      throw OutputError(path: output, message: "the output folder is not writable")
    }
    Self.removeAbandoned(in: output)
    self.output = output
    path = (output as NSString).appendingPathComponent(
      "\(Self.prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
    } catch {
      throw OutputError(path: path, message: "cannot create a staging folder (\(error.localizedDescription))")
    }
  }

  deinit { discard() }

  /// Removes the staging folder and what it holds; the output folder is untouched.
  public func discard() {
    guard !finished else { return }
    finished = true
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Moves everything staged into the output folder, or nothing.
  public func commit() throws {
    precondition(!finished, "a staged output is committed once")
    defer { discard() }
    let manager = FileManager.default
    let entries = try manager.contentsOfDirectory(atPath: path).sorted()
    // Checked before anything moves: a target of the wrong kind stops the build here.
    for name in entries {
      let target = (output as NSString).appendingPathComponent(name)
      var targetIsFolder: ObjCBool = false
      guard manager.fileExists(atPath: target, isDirectory: &targetIsFolder) else { continue }
      var stagedIsFolder: ObjCBool = false
      _ = manager.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &stagedIsFolder)
      if targetIsFolder.boolValue != stagedIsFolder.boolValue {
        throw OutputError(
          path: target,
          message: targetIsFolder.boolValue
            ? "is a folder where the build writes a file; move it away (nothing was replaced)"
            : "is a file where the build writes a folder; move it away (nothing was replaced)")
      }
    }
    let lock = try OutputLock(folder: output)
    defer { lock.release() }
    let replaced = (path as NSString).appendingPathComponent(".replaced")
    try manager.createDirectory(atPath: replaced, withIntermediateDirectories: false)
    // Each step is undone, latest first, if a later one fails.
    var done: [(from: String, to: String)] = []
    do {
      for name in entries {
        let staged = (path as NSString).appendingPathComponent(name)
        let target = (output as NSString).appendingPathComponent(name)
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue {
          let aside = (replaced as NSString).appendingPathComponent(name)
          try rename(target, aside)
          done.append((target, aside))
        }
        try rename(staged, target)
        done.append((staged, target))
      }
    } catch {
      for step in done.reversed() { _ = Foundation.rename(step.to, step.from) }
      throw error
    }
  }

  /// `rename(2)`: atomic within a file system, and replaces a file that is there.
  private func rename(_ from: String, _ to: String) throws {
    if Foundation.rename(from, to) != 0 {
      let reason = String(cString: strerror(errno))
      throw OutputError(path: to, message: "cannot move the new output into place (\(reason)); nothing was replaced")
    }
  }

  /// Staging folders left by builds that were killed.
  static func removeAbandoned(in output: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
    for name in names where name.hasPrefix(prefix) {
      let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
      if let pid, pid == getpid() || kill(pid, 0) == 0 || errno == EPERM { continue }
      try? FileManager.default.removeItem(atPath: (output as NSString).appendingPathComponent(name))
    }
  }
}

/// An advisory lock (`flock(2)`) on the output folder itself, held while a build moves its
/// output in: no lock file is left behind.
struct OutputLock {
  private let descriptor: Int32

  init(folder: String) throws {
    descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw OutputError(path: folder, message: "cannot open the output folder (\(String(cString: strerror(errno))))")
    }
    while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
  }

  func release() {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
