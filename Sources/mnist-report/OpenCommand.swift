import ArgumentParser
import Foundation

struct OpenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "open",
    abstract: "Open the HTML report in a browser, or print its path when there is no desktop.")

  @Option(help: ArgumentHelp("The folder holding report.html.", valueName: "dir"))
  var out = "reports"

  @Flag(help: "Only print the report's path.")
  var printPath = false

  func run() throws {
    let path = URL(fileURLWithPath: out).appendingPathComponent("report.html").standardizedFileURL.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw ValidationError("\(path): no report yet; run `mnist-report build` first")
    }
    if printPath || !hasDesktop() {
      print(path)
      return
    }
    #if os(macOS)
      let opener = "open"
    #else
      let opener = "xdg-open"
    #endif
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [opener, path]
    do {
      try process.run()
      process.waitUntilExit()
    } catch {
      print(path)
      return
    }
    if process.terminationStatus != 0 { print(path) }
  }

  /// Whether a browser can be shown: macOS always, elsewhere a display and xdg-open.
  private func hasDesktop() -> Bool {
    #if os(macOS)
      return true
    #else
      let environment = ProcessInfo.processInfo.environment
      guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return false }
      let paths = (environment["PATH"] ?? "").split(separator: ":")
      return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/xdg-open") }
    #endif
  }
}
