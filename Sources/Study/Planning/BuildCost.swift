import Foundation

/// The memory a build may use: what `--memory` gives, else the machine's, or less when the
/// process's control group (a container, a Slurm job) is limited below it.
public struct MemoryLimit: Sendable, Equatable {
  public let bytes: Double
  /// Whose limit it is, for messages: "this machine's", "the control group's", "--memory".
  public let source: String

  public init(bytes: Double, source: String) {
    self.bytes = bytes
    self.source = source
  }

  /// The machine's memory, or its control group's limit when lower: cgroup v2's
  /// `memory.max`, v1's `memory.limit_in_bytes`, of this process's own group (from
  /// `/proc/self/cgroup`, as a Slurm job's or a container's) and of the groups above it.
  public static var machine: MemoryLimit {
    let physical = Double(ProcessInfo.processInfo.physicalMemory)
    var files: [String] = []
    let lines = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8))?.split(separator: "\n") ?? []
    for line in lines {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3, fields[1].isEmpty || fields[1].split(separator: ",").contains("memory") else { continue }
      let (root, file) =
        fields[1].isEmpty ? ("/sys/fs/cgroup", "memory.max") : ("/sys/fs/cgroup/memory", "memory.limit_in_bytes")
      var group = String(fields[2])
      while true {
        files.append(root + (group == "/" ? "" : group) + "/" + file)
        guard group != "/", !group.isEmpty else { break }
        group = (group as NSString).deletingLastPathComponent
      }
    }
    files += ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
    let group = files.compactMap { file -> Double? in
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
      return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }.min()
    if let group, group < physical { return MemoryLimit(bytes: group, source: "the control group's") }
    return MemoryLimit(bytes: physical, source: "this machine's")
  }
}

/// What a build will cost, known before it trains or writes: the plan (its runs, memory,
/// disk and speed), what the build has, and the expected training time.
public struct BuildCost: Sendable {
  public let plan: StudyPlan
  public let memory: MemoryLimit
  /// Free bytes where the cache and the output go (nil when unknown), and whether one file
  /// system holds both.
  public let cacheFree: Double?
  public let outputFree: Double?
  public let sharedDisk: Bool
  /// Expected seconds of training at this machine's speed.
  public let seconds: Double
}

extension StudyBuild {
  /// Plans the build and refuses it, naming the cell, the estimate and what the build has,
  /// when its memory is past the limit or its writes past the free space of the cache's or
  /// the output's file system. Called before `prepare`, so that a refused build writes
  /// nothing; the machine's measured speed is kept once `prepare` made the cache folder
  /// (`keep`), and a plan keeps it only where a cache folder already is.
  public func checkCost() throws -> BuildCost {
    let plan = try plan()
    let memory = options.memoryLimit.map { MemoryLimit(bytes: $0, source: "--memory") } ?? MemoryLimit.machine
    if let largest = plan.trainingMemory.max(by: { $0.peakBytes < $1.peakBytes }), largest.peakBytes > memory.bytes {
      let network = largest.hidden.count > 8 ? "\(largest.hidden.count) layers" : "\(largest.hidden)"
      throw BuildError.doesNotFit(
        "cell '\(largest.cell)' needs about \(sizeText(largest.peakBytes)) of memory at its peak (\(options.threads == 1 ? "a run" : "\(options.threads) runs") of hidden \(network) side by side, each about \(sizeText(largest.runBytes)), beside the data), more than \(memory.source) \(sizeText(memory.bytes)); use fewer --threads, smaller batches or networks"
          + (memory.source == "--memory" ? ", or a larger --memory" : ""))
    }
    let cacheFree = PlannedDisk.freeBytes(at: options.cacheDirectory)
    let outputFree = PlannedDisk.freeBytes(at: options.output)
    let shared =
      PlannedDisk.device(of: options.cacheDirectory).map { $0 == PlannedDisk.device(of: options.output) } ?? false
    let disk = plan.disk
    if shared, let free = cacheFree, disk.cacheBytes + disk.outputBytes > free {
      throw BuildError.doesNotFit(
        "the cache (\(options.cacheDirectory)) and the output (\(options.output)) need about \(sizeText(disk.cacheBytes)) and \(sizeText(disk.outputBytes)), more than the \(sizeText(free)) free on their file system"
      )
    }
    if !shared, let free = cacheFree, disk.cacheBytes > free {
      throw BuildError.doesNotFit(
        "the cache (\(options.cacheDirectory)) needs about \(sizeText(disk.cacheBytes)) for this build's entries, more than the \(sizeText(free)) free on its file system"
      )
    }
    if !shared, let free = outputFree, disk.outputBytes > free {
      throw BuildError.doesNotFit(
        "the output (\(options.output)) needs about \(sizeText(disk.outputBytes)), more than the \(sizeText(free)) free on its file system"
      )
    }
    return BuildCost(
      plan: plan, memory: memory, cacheFree: cacheFree, outputFree: outputFree, sharedDisk: shared,
      seconds: plan.trainingSeconds(threads: options.threads))
  }
}

/// Bytes as `850.2 MB`, or `1.3 GB` from a thousand megabytes on.
public func sizeText(_ bytes: Double) -> String {
  bytes < 1e9 ? String(format: "%.1f MB", bytes / 1e6) : String(format: "%.1f GB", bytes / 1e9)
}
