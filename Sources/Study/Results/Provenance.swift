import Foundation

/// Where a build's results come from: the code, the tools, the machine and when. Kept in
/// results.json, so that a report rendered again later (`mnist-report render`) still says
/// where its numbers were computed. The results carry the rest (seed, digests, cells, epochs).
public struct Provenance: Codable, Sendable, Equatable {
  /// The checkout's commit, or nil outside a git checkout.
  public var commit: String?
  /// Whether tracked files differed from the commit (the output folder aside).
  public var dirty: Bool
  public var version: String
  public var swift: String
  public var cpu: String
  public var cores: Int
  public var operatingSystem: String
  /// When the build started and when it finished (UTC, ISO 8601, to the second).
  public var started: String
  public var finished: String

  public init(
    commit: String?, dirty: Bool, version: String, swift: String, cpu: String, cores: Int, operatingSystem: String,
    started: String, finished: String
  ) {
    self.commit = commit
    self.dirty = dirty
    self.version = version
    self.swift = swift
    self.cpu = cpu
    self.cores = cores
    self.operatingSystem = operatingSystem
    self.started = started
    self.finished = finished
  }

  /// Reads the provenance of this process, for a build that started at `started` and ends
  /// now: git is asked about the working directory, and the output folder (`excluding`) does
  /// not make the tree dirty, since the build rewrites it.
  public static func current(version: String, cpu: String, excluding output: String, started: Date) -> Provenance {
    let commit = git(["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines)
    var dirty = false
    if commit != nil {
      let status = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)\(output)"]) ?? ""
      dirty = !status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    let system = ProcessInfo.processInfo.operatingSystemVersionString
    return Provenance(
      commit: commit, dirty: dirty, version: version, swift: swiftVersion, cpu: cpu,
      cores: ProcessInfo.processInfo.activeProcessorCount, operatingSystem: system,
      started: formatter.string(from: started), finished: formatter.string(from: Date()))
  }

  /// The compiler that built this binary.
  public static var swiftVersion: String {
    #if compiler(>=6.4)
      return "Swift 6.4 or later"
    #elseif compiler(>=6.3.1)
      return "Swift 6.3.1"
    #elseif compiler(>=6.3)
      return "Swift 6.3"
    #elseif compiler(>=6.2)
      return "Swift 6.2"
    #else
      return "Swift 6.1"
    #endif
  }

  /// git's output, or nil when git is missing or fails (not a checkout).
  private static func git(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}
