import Foundation
import Synchronization
import TestFixtures
import Testing

/// What a run of the `mnist-report` binary printed and how it exited.
struct CommandResult {
  let status: Int32
  let stdout: String
  let stderr: String
}

/// The `mnist-report` executable that SwiftPM built beside the test bundle.
let executable: URL = {
  var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for _ in 0..<4 {
    let candidate = folder.appendingPathComponent("mnist-report")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    folder.deleteLastPathComponent()
  }
  fatalError("mnist-report executable not found near \(CommandLine.arguments[0])")
}()

/// The package root (so built-in data resolves as it does for a user).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// Runs `mnist-report arguments…` in `directory` and waits for it.
/// `environment` adds to (or, with a nil value, removes from) this process's environment.
func run(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String?] = [:]) throws
  -> CommandResult
{
  let result = try launch(executable, arguments, in: directory, environment: environment)
  // Every results.json a command writes must be what schemas/results.schema.json describes.
  if result.status == 0, let command = arguments.first, ["build", "render"].contains(command),
    !arguments.contains("--help")
  {
    func value(_ option: String) -> String? { arguments.firstIndex(of: option).map { arguments[$0 + 1] } }
    // render writes into the folder it reads unless told otherwise.
    let out = value("--out") ?? (command == "render" ? value("--from") : nil) ?? "reports"
    let file = URL(fileURLWithPath: out, relativeTo: directory).appendingPathComponent("results.json").path
    if FileManager.default.fileExists(atPath: file) {
      let problems = resultsSchemaViolations(ofFile: file)
      let count = problems.count
      #expect(count == 0, "\(file) breaks the schema: \(problems.prefix(5).joined(separator: "; "))")
    }
  }
  return result
}

/// Runs a command found on PATH (`scontrol`, `scancel`) and waits for it.
func shell(_ arguments: [String]) throws -> CommandResult {
  try launch(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: packageRoot, environment: [:])
}

private func launch(_ program: URL, _ arguments: [String], in directory: URL, environment: [String: String?]) throws
  -> CommandResult
{
  let process = Process()
  process.executableURL = program
  process.arguments = arguments
  process.currentDirectoryURL = directory
  var variables = ProcessInfo.processInfo.environment
  for (name, value) in environment { variables[name] = value }
  process.environment = variables
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  // Read both pipes before waiting, so a large output cannot fill a pipe and block.
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs `mnist-report arguments…`, sends it SIGINT (Ctrl-C) as soon as its standard error
/// holds `marker`, and waits for it.
func runInterrupted(_ arguments: [String], at marker: String) throws -> CommandResult {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  process.currentDirectoryURL = packageRoot
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  let errors = Mutex(Data())
  let sent = Mutex(false)
  err.fileHandleForReading.readabilityHandler = { handle in
    let chunk = handle.availableData
    let text = errors.withLock { data -> String in
      data.append(chunk)
      return String(decoding: data, as: UTF8.self)
    }
    if text.contains(marker),
      sent.withLock({ was in
        defer { was = true }; return !was
      })
    {
      kill(process.processIdentifier, SIGINT)
    }
  }
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  err.fileHandleForReading.readabilityHandler = nil
  errors.withLock { $0.append(err.fileHandleForReading.readDataToEndOfFile()) }
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: errors.withLock { String(decoding: $0, as: UTF8.self) })
}
