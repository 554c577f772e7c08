import ArgumentParser
import Data
import Foundation
import Study

struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Load, verify and summarize a dataset: file digests, split and class counts, pixel statistics.",
    discussion: """
      Exits with a non-zero status when a file is missing, malformed, or (for a built-in dataset) does not match its known SHA-256 digest.
      """)

  @OptionGroup var data: DatasetOptions

  @Flag(help: "Print one JSON object (snake_case names) instead of tables.")
  var json = false

  func run() throws {
    let dataset = try data.settings.load(verify: false)
    // Known only once the files are read: an error of the data, not of the command line's
    // form, so without the usage lines.
    guard data.validation < dataset.train.count else {
      throw CommandFailure(
        "--validation \(data.validation): expected fewer than the \(grouped(dataset.train.count)) images of the training file (\(dataset.files[0].path)), so that some are left to train on"
      )
    }
    print(json ? jsonSummary(dataset) : summary(dataset))
    try dataset.verifyDigests()
    if !json, let verdict = try builtInVerdict(dataset) { print(verdict) }
  }

  /// A folder given alone is summarized as a dataset of its own (what a study with
  /// `data: {path: DIR}` trains on). `build --data DIR` with a study of a built-in dataset,
  /// such as the default one, reads the folder as that dataset's files instead: its verdict
  /// on them, from the same loader, so that the two commands never disagree unseen.
  func builtInVerdict(_ dataset: LoadedDataset) throws -> String? {
    guard let directory = data.directory, data.dataset == nil, DatasetSource.knownName(for: dataset.digests) == nil
    else { return nil }
    var mnist = DataSettings()
    mnist.source = .builtIn("mnist", path: directory)
    let own =
      "As a dataset of its own (a study with data: {path: \(directory)}): \(dataset.classNames.count) classes, usable."
    do {
      _ = try mnist.load()
      return own
    } catch {
      return own
        + "\nAs the built-in mnist's files (build --data \(directory) with a study of mnist, such as the default one): refused, \(error)"
    }
  }

  /// What `summary` prints, as data.
  func jsonSummary(_ dataset: LoadedDataset) -> String {
    let prepared = PreparedData(
      dataset, validationCount: data.validation, seed: data.seed, normalization: data.normalization)
    let names = dataset.classNames
    let counts = [prepared.train, prepared.validation, prepared.test].map { $0.classCounts(classCount: names.count) }
    let object: [String: Any] = [
      "dataset": [
        "name": dataset.source.name, "built_in": dataset.source.isBuiltIn, "directory": dataset.source.directory,
      ],
      "files": dataset.files.map { check -> [String: Any] in
        var file: [String: Any] = [
          "file": (check.path as NSString).lastPathComponent, "path": check.path, "compressed": check.compressed,
          "file_bytes": check.fileBytes, "decompressed_bytes": check.bytes, "sha256": check.sha256,
          "check": check.matched.map { $0 ? "ok" : "mismatch" } ?? "not checked",
        ]
        if let expected = check.expected { file["expected_sha256"] = expected }
        return file
      },
      "images": [
        "rows": dataset.train.rows, "columns": dataset.train.columns, "train_file": dataset.train.count,
        "test_file": dataset.test.count,
      ],
      "split": [
        "seed": data.seed, "train": prepared.train.count, "validation": prepared.validation.count,
        "test": prepared.test.count,
      ],
      "classes": names.indices.map { c -> [String: Any] in
        ["class": c, "name": names[c], "train": counts[0][c], "validation": counts[1][c], "test": counts[2][c]]
      },
      "pixels": [
        "mean": prepared.mean, "std": prepared.std, "normalization": data.normalization.rawValue,
      ],
      "load_seconds": dataset.seconds,
    ]
    return jsonText(object)
  }

  func summary(_ dataset: LoadedDataset) -> String {
    var lines: [String] = []
    let source = dataset.source
    let forms: [DataFormat: String] = [
      .idx: "IDX files", .npz: "a .npz of arrays", .csv: "a CSV pair", .images: "an image folder",
    ]
    let kind =
      source.isBuiltIn
      ? "built-in dataset \(source.name), \(forms[source.format]!)" : "a dataset of your own, \(forms[source.format]!)"
    lines.append("Dataset: \(kind) (\(source.directory))")
    lines.append("")

    var files = TextTable(
      header: ["file", "bytes", "decompressed", "SHA-256 (decompressed)", "check"], rightAligned: [1, 2])
    for check in dataset.files {
      let status: String
      switch check.matched {
      case true?: status = "ok"
      case false?: status = "MISMATCH (expected \(check.expected!.prefix(16))…)"
      case nil: status = "not checked"
      }
      let name = (check.path as NSString).lastPathComponent
      files.rows.append([
        name, grouped(check.fileBytes), check.compressed ? grouped(check.bytes) : "(not compressed)", check.sha256,
        status,
      ])
    }
    lines.append(files.render())
    if !source.isBuiltIn {
      if let known = DatasetSource.knownName(for: dataset.digests) {
        lines.append("  These are the files of the built-in dataset '\(known)'.")
      } else {
        lines.append("  No built-in digests to check against: digests are shown, not verified.")
      }
    }
    lines.append("")

    let prepared = PreparedData(
      dataset, validationCount: data.validation, seed: data.seed, normalization: data.normalization)
    let train = dataset.train
    lines.append(
      "Images: \(train.rows)×\(train.columns) pixels; \(grouped(train.count)) training and \(grouped(dataset.test.count)) test images."
    )
    lines.append(
      "Split (stratified, seed \(data.seed)): train \(grouped(prepared.train.count)), validation \(grouped(prepared.validation.count)), test \(grouped(prepared.test.count))."
    )
    lines.append("")

    let names = dataset.classNames
    let classCount = names.count
    var classes = TextTable(
      header: ["class", "train", "validation", "test"], rightAligned: [1, 2, 3])
    let counts = [prepared.train, prepared.validation, prepared.test].map { $0.classCounts(classCount: classCount) }
    for c in 0..<classCount {
      let name = names[c] == String(c) ? String(c) : "\(c) \(names[c])"
      classes.rows.append([name] + counts.map { grouped($0[c]) })
    }
    classes.rows.append(["total"] + [prepared.train, prepared.validation, prepared.test].map { grouped($0.count) })
    lines.append(classes.render())
    lines.append("")

    lines.append(
      String(
        format: "Pixels scaled to [0, 1]: training split mean %.4f, standard deviation %.4f%@.",
        prepared.mean, prepared.std,
        data.standardize ? " (standardized with these)" : ""))
    lines.append(String(format: "Loaded in %.3f s (read, decompress, verify, convert; 2 threads).", dataset.seconds))
    return lines.joined(separator: "\n")
  }
}
