import Foundation
import Testing

@testable import Study

@Suite struct StagedOutputs {
  func folder() -> String { NSTemporaryDirectory() + "mnist-report-staged-" + UUID().uuidString }

  func stage(_ output: String, _ text: String) throws -> StagedOutput {
    let staged = try StagedOutput(output: output)
    try FileManager.default.createDirectory(atPath: staged.path + "/sub", withIntermediateDirectories: true)
    for name in ["a.txt", "sub/b.txt", "sub/c.txt"] {
      try text.write(toFile: staged.path + "/" + name, atomically: false, encoding: .utf8)
    }
    return staged
  }

  func read(_ output: String) throws -> [String] {
    try ["a.txt", "sub/b.txt", "sub/c.txt"].map { try String(contentsOfFile: output + "/" + $0, encoding: .utf8) }
  }

  @Test func nothingMovesUntilCommitAndDiscardLeavesNoTrace() throws {
    let output = folder()
    defer { try? FileManager.default.removeItem(atPath: output) }
    try stage(output, "first").commit()
    let second = try stage(output, "second")
    #expect(try read(output) == ["first", "first", "first"])
    second.discard()
    #expect(try read(output) == ["first", "first", "first"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: output).sorted() == ["a.txt", "sub"])
  }

  /// Builds that commit at once take turns: the output is one build's or another's, not a mix.
  @Test func concurrentCommitsNeverMix() throws {
    let output = folder()
    defer { try? FileManager.default.removeItem(atPath: output) }
    for round in 0..<20 {
      let staged = try (0..<4).map { try stage(output, "build \($0) round \(round)") }
      DispatchQueue.concurrentPerform(iterations: staged.count) { try! staged[$0].commit() }
      let seen = try read(output)
      #expect(Set(seen).count == 1, "one build's output: \(seen)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: output).sorted() == ["a.txt", "sub"])
  }

  @Test func anOutputThatIsAFileIsRefused() throws {
    let output = folder()
    defer { try? FileManager.default.removeItem(atPath: output) }
    try "x".write(toFile: output, atomically: true, encoding: .utf8)
    #expect(throws: OutputError.self) { try StagedOutput(output: output) }
  }
}
