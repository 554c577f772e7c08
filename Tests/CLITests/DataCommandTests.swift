import Foundation
import TestFixtures
import Testing

@Suite struct TopLevelCommand {
  @Test func helpListsEverySubcommandWithADescription() throws {
    let result = try run(["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("data") && result.stdout.contains("Load, verify and summarize a dataset"))
    #expect(result.stdout.contains("bench") && result.stdout.contains("Measure the speed"))
  }

  @Test func versionPrintsTheVersion() throws {
    let result = try run(["--version"])
    #expect(result.status == 0)
    #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
  }

  @Test func everyOptionOfDataHasHelp() throws {
    let result = try run(["data", "--help"])
    for option in ["--dataset", "--data", "--validation", "--seed", "--standardize"] {
      let line = result.stdout.split(separator: "\n").first { $0.contains(option + " ") || $0.hasSuffix(option) }
      #expect(line != nil, "\(option) is listed")
    }
    #expect(!result.stdout.contains("  --seed <seed>\n  "), "options have help text")
  }
}

@Suite struct DataCommand {
  @Test func summarizesTheBuiltInDataset() throws {
    let result = try run(["data"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  ok"))
    #expect(result.stdout.contains("train 54,000, validation 6,000, test 10,000"))
    #expect(result.stdout.contains("total  54,000       6,000  10,000"))
    #expect(result.stdout.contains("mean 0.1307, standard deviation 0.3081"))
    #expect(result.stdout.contains("Loaded in"))
  }

  @Test func showsDigestsOfAFolderWithoutRequiringThem() throws {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let result = try run(["data", "--data", folder.path, "--validation", "10"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("not checked"))
    #expect(result.stdout.contains("train 20, validation 10, test 10"))
  }

  /// One broken dataset folder per bad-input case: what to break, and what the error must say.
  enum Breakage: String, CaseIterable {
    case missingFile, notGzip, truncatedGzip, wrongMagic, wrongType, wrongDimensions
    case shortData, longData, countMismatch, labelOutOfRange, digestMismatch, emptyFile, directoryAsFile

    func apply(to folder: TemporaryFolder) -> (file: String, message: String) {
      let tiny = TinyDataset()
      let images = "train-images-idx3-ubyte.gz"
      let good = idx(dimensions: [30, 4, 3], data: tiny.images(30))
      switch self {
      case .missingFile:
        try! FileManager.default.removeItem(atPath: folder.path + "/" + images)
        return (images, "file not found")
      case .notGzip:
        folder.write(images, Array("<html>not found</html>".utf8))
        return (images, "expected the bytes 1f 8b (gzip) or 00 00 (IDX) at the start, found 3c 68 74 6d")
      case .truncatedGzip:
        folder.write(images, Array(gzip(good).prefix(40)))
        return (images, "truncated gzip data")
      case .wrongMagic:
        folder.write(images, gzip([0, 1] + good.dropFirst(2)))
        return (images, "wrong IDX magic number: expected 00 00 08 03, found 00 01 08 03")
      case .wrongType:
        folder.write(images, gzip([0, 0, 0x0B] + good.dropFirst(3)))
        return (images, "unsupported IDX element type 0x0b: expected 0x08 (unsigned byte)")
      case .wrongDimensions:
        folder.write(images, gzip(idx(dimensions: [360], data: tiny.images(30))))
        return (images, "expected 3 dimensions for images, found 1")
      case .shortData:
        folder.write(images, gzip(Array(good.dropLast(5))))
        return (images, "shorter than its header says: 30×4×3 needs 376 bytes, found 371")
      case .longData:
        folder.write(images, gzip(good + [9, 9]))
        return (images, "longer than its header says: 30×4×3 needs 376 bytes, found 378")
      case .countMismatch:
        folder.write("t10k-labels-idx1-ubyte.gz", gzip(idx(dimensions: [9], data: tiny.labels(9))))
        return ("t10k-labels-idx1-ubyte.gz", "9 labels, expected 10")
      case .labelOutOfRange:
        // The training labels name classes 0-9; a test label beyond them is an error.
        folder.write("t10k-labels-idx1-ubyte.gz", gzip(idx(dimensions: [10], data: tiny.labels(9) + [10])))
        return ("t10k-labels-idx1-ubyte.gz", "label 10 at index 9 is outside 0-9")
      case .digestMismatch:
        return (images, "does not match the built-in mnist dataset: expected ba891046")
      case .emptyFile:
        folder.write("train-labels-idx1-ubyte.gz", [])
        return ("train-labels-idx1-ubyte.gz", "the file is empty (0 bytes)")
      case .directoryAsFile:
        try! FileManager.default.removeItem(atPath: folder.path + "/t10k-images-idx3-ubyte.gz")
        try! FileManager.default.createDirectory(
          atPath: folder.path + "/t10k-images-idx3-ubyte.gz", withIntermediateDirectories: false)
        return ("t10k-images-idx3-ubyte.gz", "is a directory, expected an IDX file")
      }
    }
  }

  @Test(arguments: Breakage.allCases)
  func badInputGivesAClearErrorAndNonZeroExit(_ breakage: Breakage) throws {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let expected = breakage.apply(to: folder)
    var arguments = ["data", "--data", folder.path, "--validation", "10"]
    if breakage == .digestMismatch { arguments += ["--dataset", "mnist"] }
    let result = try run(arguments)
    #expect(result.status != 0)
    #expect(result.stderr.contains(folder.path + "/" + expected.file + ": "), "names the file: \(result.stderr)")
    #expect(result.stderr.contains(expected.message), "says what was expected and found: \(result.stderr)")
    #expect(!result.stderr.contains("Fatal error"))
  }

  @Test func digestMismatchStillPrintsTheSummaryFirst() throws {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let result = try run(["data", "--dataset", "mnist", "--data", folder.path, "--validation", "10"])
    #expect(result.status != 0)
    #expect(result.stdout.contains("MISMATCH"))
  }

  /// More validation images than the training file has is an error naming the file; a
  /// negative count is read as a number and rejected as one (not "Missing value").
  @Test func validationCountsAreCheckedAgainstTheFile() throws {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let tooMany = try run(["data", "--data", folder.path, "--validation", "70000"])
    #expect(tooMany.status != 0)
    #expect(
      tooMany.stderr.contains(
        "--validation 70000: expected fewer than the 30 images of the training file (\(folder.path)/train-images-idx3-ubyte.gz)"
      ), "\(tooMany.stderr)")
    #expect(!tooMany.stderr.contains("Usage:") && tooMany.stdout.isEmpty, "a data error, not a usage error")
    let negative = try run(["data", "--data", folder.path, "--validation", "-5"])
    #expect(negative.status != 0 && negative.stderr.contains("--validation must be 0 or more, got -5"))
  }

  @Test func unknownDatasetIsRejected() throws {
    let result = try run(["data", "--dataset", "cifar"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("unknown dataset 'cifar'"))
  }
}

/// `data --data DIR` and `build --data DIR` read one folder through one loader: a folder
/// that is not MNIST's files (a label 11 among MNIST's ten classes) is a dataset of its own
/// to `data`, which also gives build's verdict on it as MNIST's files, word for word, and
/// `build` refuses it with that verdict and says how to train on it instead.
@Suite struct OneFolderOneVerdict {
  @Test func dataAndBuildGiveTheSameVerdictOnAFolder() throws {
    let folder = TemporaryFolder()
    let tiny = TinyDataset()
    tiny.write(to: folder)
    var labels = tiny.labels(tiny.trainCount)
    labels[7] = 11
    folder.write("train-labels-idx1-ubyte.gz", gzip(idx(dimensions: [tiny.trainCount], data: labels)))
    let summary = try run(["data", "--data", folder.path, "--validation", "10"])
    #expect(summary.status == 0, "\(summary.stderr)")
    #expect(
      summary.stdout.contains(
        "As a dataset of its own (a study with data: {path: \(folder.path)}): 12 classes, usable."),
      "\(summary.stdout)")
    let verdict = "\(folder.path)/train-labels-idx1-ubyte.gz: label 11 at index 7 is outside 0-9"
    #expect(summary.stdout.contains("build --data \(folder.path) with a study of mnist"), "\(summary.stdout)")
    #expect(summary.stdout.contains("refused, " + verdict), "\(summary.stdout)")

    let scratch = try Scratch()
    defer { scratch.remove() }
    try smallStudy.write(toFile: scratch.path("study.yaml"), atomically: true, encoding: .utf8)
    let build = try run([
      "build", "--study", scratch.path("study.yaml"), "--data", folder.path, "--out", scratch.path("out"), "--cache",
      scratch.path("cache"), "--profile", "quick",
    ])
    #expect(build.status != 0)
    #expect(build.stderr.contains(verdict), "\(build.stderr)")
    #expect(build.stderr.contains("give the study data: {path: \(folder.path)}"), "\(build.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache")))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
  }
}

/// A quick study built on each form a dataset may take — Keras's mnist.npz, a CSV pair, an
/// image folder — gives the results of the same images in IDX form, bit for bit, and `data`
/// summarizes each with the digests of what it read.
@Suite struct DatasetForms {
  func study(_ path: String) -> String {
    """
    title: Forms
    data: {path: \(path), validation: 10, seed: 1}
    base: {hidden: [8], epochs: 2, dropout: 0.1}
    cells:
      - id: baseline
        kind: train
        test: true
    """
  }

  /// Every run's epochs and test results, and the data's digests, of a build on `path`.
  func results(_ path: String, _ scratch: Scratch, _ name: String) throws -> (runs: String, digests: [String]) {
    try study(path).write(toFile: scratch.path("\(name).yaml"), atomically: true, encoding: .utf8)
    let built = try run([
      "build", "--study", scratch.path("\(name).yaml"), "--out", scratch.path("out-\(name)"), "--cache",
      scratch.path("cache-\(name)"), "--profile", "quick", "--quiet", "--no-report",
    ])
    #expect(built.status == 0, "\(name): \(built.stderr)")
    let data = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out-\(name)/results.json")))
    let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let cells = try #require(results["cells"] as? [[String: Any]])
    let runs = cells.flatMap { $0["runs"] as? [[String: Any]] ?? [] }.map { entry -> String in
      let run = entry["run"] as? [String: Any] ?? [:]
      let kept: [String: Any] = [
        "history": ((run["history"] as? [String: Any])?["epochs"] as? [[String: Any]] ?? []).map {
          $0.filter { $0.key != "seconds" }
        },
        "test": (run["test"] as? [String: Any])?.filter { ["accuracy", "loss", "confusion"].contains($0.key) } ?? [:],
      ]
      return String(decoding: try! JSONSerialization.data(withJSONObject: kept, options: .sortedKeys), as: UTF8.self)
    }
    let files = try #require(results["files"] as? [[String: Any]])
    return (runs.joined(separator: "\n"), files.compactMap { $0["sha256"] as? String })
  }

  @Test func aStudyOnEachFormGivesTheResultsOfItsIDXForm() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let tiny = TinyDataset()
    let (idxFolder, byClass, csv, images) = (TemporaryFolder(), TemporaryFolder(), TemporaryFolder(), TemporaryFolder())
    tiny.write(to: idxFolder)
    tiny.writeInClassOrder(to: byClass)
    tiny.writeCSV(to: csv)
    tiny.writeImageFolder(to: images)
    let npz = packageRoot.appendingPathComponent("Tests/DataTests/fixtures/tiny.npz").path
    let reference = try results(idxFolder.path, scratch, "idx")
    #expect(!reference.runs.isEmpty && reference.digests.count == 4)
    for (path, name) in [(npz, "npz"), (csv.path, "csv")] {
      let form = try results(path, scratch, name)
      #expect(form.runs == reference.runs, "\(name): the same runs, bit for bit")
      #expect(form.digests == reference.digests, "\(name): the same digests")
    }
    let classOrdered = try results(byClass.path, scratch, "by-class")
    let folder = try results(images.path, scratch, "images")
    #expect(folder.runs == classOrdered.runs, "an image folder: the runs of its images in IDX form, in its order")
    #expect(folder.digests == classOrdered.digests)
    // A form the study file names must be the one the path holds, and one of the four.
    try study(csv.path).replacingOccurrences(of: "seed: 1}", with: "seed: 1, format: images}")
      .write(toFile: scratch.path("named.yaml"), atomically: true, encoding: .utf8)
    let named = try run([
      "build", "--study", scratch.path("named.yaml"), "--out", scratch.path("out-named"), "--cache",
      scratch.path("cache-named"), "--profile", "quick",
    ])
    #expect(named.status != 0)
    #expect(
      named.stderr.contains(
        "\(csv.path): holds no train and test folders; expected an image folder: train/CLASS/*.png and test/CLASS/*.png"
      ),
      "\(named.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache-named")))
    try study(csv.path).replacingOccurrences(of: "seed: 1}", with: "seed: 1, format: parquet}")
      .write(toFile: scratch.path("unknown.yaml"), atomically: true, encoding: .utf8)
    let unknown = try run(["plan", "--study", scratch.path("unknown.yaml"), "--profile", "quick"])
    #expect(unknown.stderr.contains("unknown format 'parquet' (allowed: idx, npz, csv, images)"), "\(unknown.stderr)")
    // `data` names the form and shows the digests of what it read.
    let summary = try run(["data", "--data", npz, "--validation", "10"])
    #expect(summary.status == 0, "\(summary.stderr)")
    #expect(summary.stdout.contains("tiny.npz:x_train.npy"), "\(summary.stdout)")
    for digest in reference.digests { #expect(summary.stdout.contains(digest)) }
  }
}
