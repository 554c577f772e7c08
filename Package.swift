// swift-tools-version: 6.1
import PackageDescription

/// Modules whose inner loops must be fast even in a debug build (`swift test`):
/// they carry their own optimization flag, which SwiftPM places after its `-Onone`.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
  name: "mnist-report",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "mnist-report", targets: ["mnist-report"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // System libraries and small C helpers.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "CSupport"),

    // The layers, bottom to top.
    .target(name: "Tensor", dependencies: ["CSupport"], swiftSettings: optimized),
    .target(
      name: "Data",
      dependencies: ["Tensor", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: optimized),
    .executableTarget(
      name: "mnist-report",
      dependencies: ["Data", "Tensor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
    ),

    .target(name: "TestFixtures", dependencies: ["CZlib"], path: "Tests/TestFixtures"),
    .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
    .testTarget(name: "DataTests", dependencies: ["Data", "TestFixtures"]),
    .testTarget(name: "CLITests", dependencies: ["mnist-report", "TestFixtures"]),
  ]
)
