import CSupport
import KernelCore
import KernelsAVX2
import KernelsAVX512
import KernelsBaseline

@_exported import enum KernelCore.Activation
@_exported import struct KernelCore.AdamUpdate
@_exported import struct KernelCore.KernelTable
@_exported import struct KernelCore.RMSpropUpdate
@_exported import struct KernelCore.SGDUpdate

/// Chooses the kernel table for this CPU at run time, so that one binary runs on any
/// x86-64 machine and uses AVX-512 where it exists.
public enum Kernels {
  /// Every table this build has.
  public static let all: [KernelTable] = [
    KernelsAVX512.kernelTable, KernelsAVX2.kernelTable, KernelsBaseline.kernelTable,
  ]

  /// The tables this CPU can run, fastest first.
  public static let supported: [KernelTable] = {
    var tables: [KernelTable] = []
    #if arch(x86_64)
      if csupport_has_avx512f() != 0 { tables.append(KernelsAVX512.kernelTable) }
      if csupport_has_avx2_fma() != 0 { tables.append(KernelsAVX2.kernelTable) }
    #endif
    tables.append(KernelsBaseline.kernelTable)
    return tables
  }()

  /// The fastest supported table, or the one named by the environment variable
  /// `MNIST_REPORT_KERNELS` (avx512, avx2, baseline) when this CPU supports it.
  public static let best: KernelTable = {
    if let name = getenv("MNIST_REPORT_KERNELS").map({ String(cString: $0) }),
      let chosen = supported.first(where: { $0.name == name })
    {
      return chosen
    }
    return supported[0]
  }()

  /// The CPU's brand string.
  public static var cpuName: String {
    String(cString: csupport_cpu_brand()).trimmingCharacters(in: " ")
  }
}

extension String {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return String(s)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
