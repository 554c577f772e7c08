import Foundation
import Testing

/// The ISA modules compile the generic kernel source through symbolic links (see
/// Package.swift): a file added to Sources/KernelSource but not linked into every ISA folder
/// would leave that instruction set without the kernel, or fail only on a machine that picks it.
@Suite struct KernelSourceLinks {
  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources")
  static let isaFolders = ["KernelsAVX512", "KernelsAVX2", "KernelsBaseline"]

  @Test(arguments: isaFolders)
  func everyISAFolderLinksEveryFileOfTheGenericSource(_ folder: String) throws {
    let manager = FileManager.default
    let generic = try manager.contentsOfDirectory(atPath: Self.sources.appendingPathComponent("KernelSource").path)
      .filter { $0.hasSuffix(".swift") }.sorted()
    #expect(!generic.isEmpty)
    let isa = Self.sources.appendingPathComponent(folder)
    for file in generic {
      let path = isa.appendingPathComponent(file).path
      let target = try? manager.destinationOfSymbolicLink(atPath: path)
      #expect(target == "../KernelSource/\(file)", "\(folder)/\(file) links to ../KernelSource/\(file)")
    }
    // Nothing else is linked: a link to a removed file would break the build elsewhere.
    for name in try manager.contentsOfDirectory(atPath: isa.path) {
      if let target = try? manager.destinationOfSymbolicLink(atPath: isa.appendingPathComponent(name).path) {
        #expect(generic.contains(name) && target == "../KernelSource/\(name)", "\(folder)/\(name) → \(target)")
      }
    }
  }
}
