import Foundation
import TestFixtures
import Testing

@testable import Data
@testable import Report
@testable import Study

/// A study of a folder of 16 × 16 images in 4 named classes: nothing of MNIST's shape is
/// assumed anywhere.
@Suite struct AnyDataset {
  func study(_ folder: String, validation: Int = 40) -> String {
    """
    title: Compass
    data:
      path: \(folder)
      validation: \(validation)
      seed: 1
    base:
      hidden: [16]
      dropout: 0
      epochs: 2
    key_results: {baseline: baseline, tuned: tuned}
    cells:
      - {id: data, kind: data, samples_per_class: 1}
      - {id: baseline, kind: train, test: true}
      - id: search
        kind: search
        candidates: 2
        folds: 2
        space: {learning_rate: {log_uniform: [0.001, 0.01]}}
      - {id: tuned, kind: final, from: search}
    """
  }

  func dataset() -> TemporaryFolder {
    let folder = TemporaryFolder()
    var tiny = TinyDataset()
    (tiny.rows, tiny.columns, tiny.trainCount, tiny.testCount) = (16, 16, 200, 40)
    tiny.write(to: folder)
    folder.write("train-labels-idx1-ubyte.gz", gzip(idx(dimensions: [200], data: (0..<200).map { UInt8($0 % 4) })))
    folder.write("t10k-labels-idx1-ubyte.gz", gzip(idx(dimensions: [40], data: (0..<40).map { UInt8($0 % 4) })))
    folder.write("classes.txt", Array("north\neast\nsouth\nwest\n".utf8))
    return folder
  }

  @Test func aFolderOfSixteenBySixteenImagesInFourClassesBuildsAStudyAndItsReport() throws {
    let data = dataset()
    let work = TemporaryFolder()
    var options = BuildOptions(output: work.path + "/out", cacheDirectory: work.path + "/cache")
    options.threads = 2
    let built = try StudyBuild(
      study: try Study.parse(study(data.path), file: work.path + "/compass.yaml"), options: options,
      observer: SilentObserver(), cancellation: Cancellation(), version: "test"
    ).run()
    #expect(built.results.shape == DataShape(rows: 16, columns: 16, classes: 4))
    #expect(built.results.cells.allSatisfy { $0.status == .ran })
    guard case .data(_, let summary)? = built.cells[0].contents else {
      Issue.record("the data cell has no summary")
      return
    }
    #expect(summary.classNames == ["north", "east", "south", "west"])
    #expect(summary.trainCount == 160 && summary.validationCount == 40 && summary.testCount == 40)
    #expect(summary.files.allSatisfy { !$0.verified && $0.sha256.count == 64 })
    let tuned = try #require(built.cells[3].testedRun)
    #expect(tuned.parameterCount == 256 * 16 + 16 + 16 * 4 + 4)
    #expect(tuned.test?.confusion.counts.count == 4 && tuned.test?.probabilities != nil)

    let writer = ReportWriter(templates: try TemplateSet(directory: packageRoot + "/templates"), threads: 2)
    let written = try writer.write(built, to: work.path + "/out")
    let markdown = try String(contentsOfFile: written.markdown, encoding: .utf8)
    #expect(markdown.contains("256-16-4"), "the network runs from 256 pixels to 4 classes")
    #expect(markdown.contains("16 × 16 = 256 pixels"))
    // Nothing of MNIST's is said of another dataset: its name, its digits, its black ground.
    for phrase in ["MNIST", "digit", "black background", "ambiguous even to a person"] {
      #expect(!markdown.contains(phrase), "'\(phrase)' in a report on compass images")
    }
    let report = markdownTable("Classification report, test set", in: markdown)
    #expect(report.count == 2 + 4 + 3)
    #expect(
      ["north", "east", "south", "west"].allSatisfy { name in
        report.contains { $0.contains("| \(name) |") || $0.contains("| **\(name)** |") }
      })
    let predictions = try String(contentsOfFile: work.path + "/out/predictions.csv", encoding: .utf8)
    #expect(predictions.hasPrefix("index,label,predicted,p0,p1,p2,p3\n"))
  }

  @Test func theValidationBoundComesFromTheFiles() throws {
    let data = dataset()
    let work = TemporaryFolder()
    let options = BuildOptions(output: work.path + "/out", cacheDirectory: work.path + "/cache")
    let file = work.path + "/compass.yaml"
    let build = StudyBuild(
      study: try Study.parse(study(data.path, validation: 200), file: file), options: options,
      observer: SilentObserver(), cancellation: Cancellation(), version: "test")
    let error = #expect(throws: StudyError.self) { try build.run() }
    #expect(error?.file == file && error?.line == 4 && error?.key == "data.validation")
    #expect(
      error?.message
        == "expected fewer than the 200 images of the training file (\(data.path)/train-images-idx3-ubyte.gz), found 200"
    )
  }
}
