import Foundation
import Study
import Testing

@testable import Report

/// Every figure of a report, at its full size and compact (a phone, a printed half page):
/// no text over another or past the figure's edge, no legend or callout over the data.
@Suite struct FigureLayout {
  func problems(_ built: BuiltStudy) -> [String] {
    ReportWriter.figures(of: built).flatMap { $0.figure.layoutProblems() + $0.compact.layoutProblems() }
  }

  @Test func aSmallStudysFiguresAreReadableAtEverySize() {
    let problems = problems(TinyReport.shared.built)
    #expect(problems.isEmpty, "\(problems)")
  }

  /// The published study's figures, redrawn from `reports/`.
  @Test func thePublishedFiguresAreReadableAtEverySize() throws {
    let published = try PublishedResults(folder: packageRoot + "/reports")
    let study = try Study.load(
      packageRoot + "/" + published.results.studyFile, overrides: published.results.overrides)
    let folder = NSTemporaryDirectory() + "mnist-report-layout-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let staged = try StagedOutput(output: folder)
    let problems = problems(try published.render(study, into: staged))
    #expect(problems.isEmpty, "\(problems)")
  }
}
