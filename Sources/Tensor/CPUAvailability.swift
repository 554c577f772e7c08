import CSupport
import Foundation

/// How many cores this process may use, and how many of those are free right now: what
/// `--threads auto` trains with.
public struct CPUAvailability: Sendable, CustomStringConvertible {
  /// The cores this process may run on: its CPU affinity, capped by a cgroup CPU quota and
  /// by Slurm's CPUs per task when set.
  public let usable: Int
  /// Of those, the ones that other processes kept busy while this was measured.
  public let busy: Int
  /// What capped `usable`, in words.
  public let limits: [String]

  /// `usable − busy`, at least 1.
  public var free: Int { max(1, usable - busy) }

  public var description: String {
    let cap = limits.isEmpty ? "" : " (\(limits.joined(separator: ", ")))"
    return "\(free) of \(usable) usable core\(usable == 1 ? "" : "s")\(cap), \(busy) kept busy by other processes"
  }

  /// Measures the machine over `interval` seconds (from /proc/stat; 0 busy where it cannot
  /// be read). `environment` supplies SLURM_CPUS_PER_TASK.
  public static func measure(
    interval: Double = 0.2, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> CPUAvailability {
    var usable = affinityCount() ?? ProcessInfo.processInfo.activeProcessorCount
    var limits: [String] = []
    if let quota = cgroupQuota(), quota < usable {
      usable = max(1, quota)
      limits.append("cgroup CPU quota \(quota)")
    }
    if let text = environment["SLURM_CPUS_PER_TASK"], let slurm = Int(text), slurm >= 1, slurm < usable {
      usable = slurm
      limits.append("SLURM_CPUS_PER_TASK=\(slurm)")
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    var busy = 0
    if let before = cpuTimes() {
      Thread.sleep(forTimeInterval: interval)
      if let after = cpuTimes(), after.total > before.total {
        let fraction = 1 - Double(after.idle - before.idle) / Double(after.total - before.total)
        // Busy cores across the machine, counted against the ones this process may use.
        busy = min(usable, Int((fraction * Double(cores)).rounded()))
      }
    }
    return CPUAvailability(usable: usable, busy: busy, limits: limits)
  }

  /// The CPUs of this process's affinity mask.
  private static func affinityCount() -> Int? {
    let count = Int(csupport_affinity_count())
    return count > 0 ? count : nil
  }

  /// A cgroup v2 `cpu.max` quota ("200000 100000" is two cores), or cgroup v1's
  /// cfs_quota_us / cfs_period_us; nil without one.
  private static func cgroupQuota() -> Int? {
    func read(_ path: String) -> String? {
      (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var quota: Double?
    var period: Double?
    if let max = read("/sys/fs/cgroup/cpu.max") {
      let fields = max.split(separator: " ")
      if fields.count == 2 { (quota, period) = (Double(fields[0]), Double(fields[1])) }
    } else if let q = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), let p = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    {
      (quota, period) = (Double(q), Double(p))
    }
    guard let quota, let period, quota > 0, period > 0 else { return nil }
    return Int((quota / period).rounded(.up))
  }

  /// Idle and total jiffies of all CPUs, from /proc/stat's first line.
  private static func cpuTimes() -> (idle: UInt64, total: UInt64)? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return nil }
    let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
    guard values.count >= 5 else { return nil }
    // user nice system idle iowait irq softirq steal: idle and iowait are idle.
    return (values[3] + values[4], values.prefix(8).reduce(0, +))
  }
}
