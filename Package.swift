// swift-tools-version: 6.1
import PackageDescription

/// Modules whose inner loops must be fast even in a debug build (`swift test`):
/// they carry their own optimization flag, which SwiftPM places after its `-Onone`.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo", "-num-threads", "2"])]

/// Each kernel module is compiled for one instruction set (`nil`: the target's baseline);
/// the engine picks one at run time from the CPU's features, so the binary runs on any
/// x86-64 machine. Without `-fno-math-errno`, `squareRoot()` becomes a libm call per lane.
///
/// The kernels are written once, in Sources/KernelSource (not a module), and each ISA folder
/// (Sources/KernelsAVX512, KernelsAVX2, KernelsBaseline) holds its own ISA.swift plus a
/// symbolic link to every file of KernelSource: `ln -s ../KernelSource/NAME.swift
/// Sources/KernelsAVX2/NAME.swift`, and likewise for the other two, when a file is added.
/// SwiftPM compiles a target's files, not another folder's, hence the links; the test
/// KernelSourceLinks fails when an ISA folder misses one.
func isa(_ level: String?) -> [SwiftSetting] {
  var flags = ["-O", "-Xcc", "-fno-math-errno"]
  #if arch(x86_64)
    if let level { flags += ["-Xcc", "-march=\(level)"] }
  #endif
  return [.unsafeFlags(flags)]
}

let package = Package(
  name: "mnist-report",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "mnist-report", targets: ["mnist-report"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    // Tests only: random facts for the claims test.
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // System libraries and small C helpers.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "CSupport"),
    .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
    .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CCmarkGFM", pkgConfig: "libcmark-gfm",
      providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),

    // Kernels: generic SIMD code once (Sources/KernelSource), compiled per instruction set.
    .target(name: "KernelCore", swiftSettings: optimized),
    .target(name: "KernelsAVX512", dependencies: ["KernelCore"], swiftSettings: isa("x86-64-v4")),
    .target(name: "KernelsAVX2", dependencies: ["KernelCore"], swiftSettings: isa("x86-64-v3")),
    .target(name: "KernelsBaseline", dependencies: ["KernelCore"], swiftSettings: isa(nil)),

    // The layers, bottom to top.
    .target(
      name: "Tensor", dependencies: ["CSupport", "KernelCore", "KernelsAVX512", "KernelsAVX2", "KernelsBaseline"],
      swiftSettings: optimized),
    .target(name: "NN", dependencies: ["Tensor"], swiftSettings: optimized),
    .target(
      name: "Data",
      dependencies: ["Tensor", "NN", "CZlib", "CPNG", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: optimized),
    .target(name: "Metrics"),
    .target(name: "Statistics", dependencies: ["Tensor"]),
    .target(name: "Charts", dependencies: ["CCairo", "CPangoCairo"]),
    .target(
      name: "Study",
      dependencies: [
        "Tensor", "NN", "Data", "Metrics", "Statistics", "Yams", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(
      name: "Report",
      dependencies: [
        "Study", "Charts", "Metrics", "Statistics", "NN", "Tensor",
        .product(name: "Mustache", package: "swift-mustache"),
        "CCmarkGFM",
      ]),
    .target(
      name: "Tracking", dependencies: ["Study", .product(name: "Crypto", package: "swift-crypto")]),
    .target(name: "Benchmark", dependencies: ["Study", "Data", "NN", "Tensor"], swiftSettings: optimized),
    .executableTarget(
      name: "mnist-report",
      dependencies: [
        "Study", "Report", "Tracking", "Benchmark", "Data", "NN", "Tensor", "CSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    .target(name: "TestFixtures", dependencies: ["CZlib", "CPNG", "Tensor"], path: "Tests/TestFixtures"),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestFixtures"]),
    .target(name: "MallocCounter", path: "Tests/MallocCounter"),
    .testTarget(
      name: "NNTests", dependencies: ["NN", "Data", "Tensor", "MallocCounter", "TestFixtures"],
      exclude: ["fixtures/make_optimizer_fixtures.py"]),
    .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
    .testTarget(
      name: "StatisticsTests", dependencies: ["Statistics", "Tensor"], exclude: ["fixtures/make_statistics_fixtures.py"]
    ),
    .testTarget(
      name: "StudyTests", dependencies: ["Study", "Data", "NN", "Tensor", "Metrics", "TestFixtures"],
      exclude: ["fixtures"]),
    .testTarget(
      name: "ReportTests",
      dependencies: [
        "Report", "Study", "NN", "TestFixtures", .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(name: "ChartsTests", dependencies: ["Charts", "CCairo"]),
    .testTarget(name: "DataTests", dependencies: ["Data", "TestFixtures"], exclude: ["fixtures"]),
    .testTarget(name: "CLITests", dependencies: ["mnist-report", "TestFixtures", "Data", "Study"]),
  ]
)
