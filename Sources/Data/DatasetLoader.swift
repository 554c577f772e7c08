import Dispatch
import Foundation

/// What was found for one file: where, how big, its digest and whether it matched.
public struct FileCheck: Sendable, Codable {
  public let file: DatasetFile
  public let path: String
  public let compressed: Bool
  /// The file's size on disk, in bytes (compressed when `compressed`).
  public let fileBytes: Int
  /// Decompressed size in bytes.
  public let bytes: Int
  public let sha256: String
  /// The digest it must have, for a built-in dataset.
  public let expected: String?

  /// `true` or `false` against a built-in digest; `nil` when there is nothing to match.
  public var matched: Bool? { expected.map { $0 == sha256 } }
}

/// A dataset in memory: all training images (before the train/validation split), the
/// test images, and the checks of the four files.
public struct LoadedDataset: Sendable {
  public let source: DatasetSource
  public var train: Images
  public var test: Images
  public let files: [FileCheck]
  /// A name per class: the built-in dataset's, the lines of the folder's `classes.txt`, or
  /// `0…n-1` for the n classes of the training labels.
  public let classNames: [String]
  /// Wall time of read + decompress + verify + convert.
  public let seconds: Double

  /// The shape every network trained on it has at its ends.
  public var shape: DataShape { DataShape(rows: train.rows, columns: train.columns, classes: classNames.count) }

  /// The decompressed digests, by file.
  public var digests: [DatasetFile: String] {
    Dictionary(uniqueKeysWithValues: files.map { ($0.file, $0.sha256) })
  }

  /// Throws for the first file whose digest differs from the built-in one.
  public func verifyDigests() throws(DataError) {
    for check in files where check.matched == false {
      throw DataError(
        .digestMismatch, check.path,
        "SHA-256 of the decompressed data does not match the built-in \(source.name) dataset: "
          + "expected \(check.expected!), found \(check.sha256)")
    }
  }
}

/// Loads the four files of a dataset, two threads side by side: one reads the large
/// training images, the other the rest. Pixels become Float32 in [0, 1] (`byte / 255`, as
/// torchvision's `ToTensor`).
public enum DatasetLoader {
  /// Loads and validates `source`. With `verify`, a built-in dataset whose digests differ
  /// is an error; without, the mismatch is only recorded in `files`.
  public static func load(_ source: DatasetSource, verify: Bool = true) throws(DataError) -> LoadedDataset {
    let start = DispatchTime.now().uptimeNanoseconds
    var parts: [LoadedFile] = []
    var folderClasses: [String]?
    switch source.layout {
    case .idx:
      let paths = DatasetFile.allCases.map { source.path(of: $0) }
      let jobs: [[Int]] = [[0], [2, 1, 3]]  // train images alone; the rest together
      let results = ResultSlots(count: DatasetFile.allCases.count)
      DispatchQueue.concurrentPerform(iterations: jobs.count) { worker in
        for index in jobs[worker] {
          let file = DatasetFile.allCases[index]
          results.set(index) { () throws(DataError) in
            try loaded(try IDXFile.read(paths[index], rank: file.rank, what: file.what), file)
          }
        }
      }
      for index in DatasetFile.allCases.indices {
        parts.append(try results.get(index))
      }
    case .npz(let path):
      parts = try zip(try NPZDataset.read(path), DatasetFile.allCases).map { idx, file throws(DataError) in
        try loaded(idx, file)
      }
    case .csv(let train, let test):
      parts = try zip(try CSVDataset.read(train: train, test: test), DatasetFile.allCases).map {
        idx, file throws(DataError) in try loaded(idx, file)
      }
    case .images:
      let folder = try ImageFolderDataset.read(source.directory)
      folderClasses = folder.classes
      parts = try zip(folder.parts, DatasetFile.allCases).map { idx, file throws(DataError) in try loaded(idx, file) }
    }

    let (trainImages, trainLabels, testImages, testLabels) = (parts[0], parts[1], parts[2], parts[3])
    try checkPair(images: trainImages, labels: trainLabels)
    try checkPair(images: testImages, labels: testLabels)
    var classNames = source.classNames ?? folderClasses
    if classNames == nil { classNames = try readClassNames(source) }
    let names = classNames ?? (0...Int(trainLabels.labels.max() ?? 0)).map(String.init)
    for part in [trainLabels, testLabels] { try checkLabels(part, classes: names.count) }
    if trainImages.idx.dimensions.dropFirst() != testImages.idx.dimensions.dropFirst() {
      throw DataError(
        .badShape, testImages.idx.path,
        "test images are \(shape(testImages)) pixels, expected \(shape(trainImages)) like the training images")
    }

    let files = zip(DatasetFile.allCases, parts).map { file, part in
      FileCheck(
        file: file, path: part.idx.path, compressed: part.idx.compressed, fileBytes: part.idx.fileBytes,
        bytes: part.idx.byteCount,
        sha256: part.idx.sha256, expected: source.expectedDigests?[file])
    }
    let rows = trainImages.idx.dimensions[1]
    let columns = trainImages.idx.dimensions[2]
    let dataset = LoadedDataset(
      source: source,
      train: Images(pixels: trainImages.pixels, labels: trainLabels.labels, rows: rows, columns: columns),
      test: Images(pixels: testImages.pixels, labels: testLabels.labels, rows: rows, columns: columns),
      files: files, classNames: names,
      seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    if verify { try dataset.verifyDigests() }
    return dataset
  }

  private static func shape(_ part: LoadedFile) -> String {
    part.idx.dimensions.dropFirst().map(String.init).joined(separator: "×")
  }

  /// Every label names one of `classes` classes.
  private static func checkLabels(_ part: LoadedFile, classes: Int) throws(DataError) {
    if let bad = part.labels.firstIndex(where: { Int($0) >= classes }) {
      throw DataError(
        .labelOutOfRange, part.idx.path, "label \(part.labels[bad]) at index \(bad) is outside 0-\(classes - 1)")
    }
  }

  /// The class names of a folder's `classes.txt` (one per line, blank lines at the end
  /// ignored), or nil when it has none.
  static func readClassNames(_ source: DatasetSource) throws(DataError) -> [String]? {
    let path = (source.directory as NSString).appendingPathComponent("classes.txt")
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    guard let text = String(data: data, encoding: .utf8) else {
      throw DataError(.unreadable, path, "is not UTF-8 text (expected one class name per line)")
    }
    var names = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
      .map { $0.trimmingCharacters(in: .whitespaces) }
    while names.last?.isEmpty == true { names.removeLast() }
    guard !names.isEmpty else { throw DataError(.emptyFile, path, "holds no class name (expected one per line)") }
    if let blank = names.firstIndex(of: "") {
      throw DataError(.unreadable, path, "line \(blank + 1) is blank, expected a class name")
    }
    guard names.count <= 256 else {
      throw DataError(.unreadable, path, "names \(names.count) classes; IDX labels are bytes, so at most 256")
    }
    return names
  }

  private static func checkPair(images: LoadedFile, labels: LoadedFile) throws(DataError) {
    if images.idx.count != labels.idx.count {
      throw DataError(
        .countMismatch, labels.idx.path,
        "\(labels.idx.count) labels, expected \(images.idx.count) to match the images in \(images.idx.path)")
    }
  }
}

/// One file read and converted: pixels for images, labels for labels.
struct LoadedFile: Sendable {
  let idx: IDXFile
  var pixels: [Float] = []
  var labels: [Int32] = []
}

/// One part of a dataset in IDX form, converted: pixels for images, labels for labels.
func loaded(_ idx: IDXFile, _ file: DatasetFile) throws(DataError) -> LoadedFile {
  let path = idx.path
  var loaded = LoadedFile(idx: idx)
  if file.rank == 3 {
    guard idx.dimensions[1] > 0, idx.dimensions[2] > 0 else {
      throw DataError(
        .badShape, path, "images are \(idx.dimensions[1])×\(idx.dimensions[2]) pixels, expected both sizes above 0")
    }
    loaded.pixels = idx.withData(scaledPixels)
  } else {
    loaded.labels = idx.withData { data in data.map { Int32($0) } }
  }
  return loaded
}

/// `byte / 255` for every byte; a plain loop that the compiler vectorizes.
func scaledPixels(_ bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
  [Float](unsafeUninitializedCapacity: bytes.count) { out, count in
    for i in 0..<bytes.count { out[i] = Float(bytes[i]) / 255 }
    count = bytes.count
  }
}

/// Results filled in by concurrent workers, one slot each, read after they finish.
final class ResultSlots: @unchecked Sendable {
  private var slots: [Result<LoadedFile, DataError>?]
  private let lock = NSLock()

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ body: () throws(DataError) -> LoadedFile) {
    let result: Result<LoadedFile, DataError>
    do { result = .success(try body()) } catch { result = .failure(error) }
    lock.withLock { slots[index] = result }
  }

  func get(_ index: Int) throws(DataError) -> LoadedFile {
    try lock.withLock { slots[index]! }.get()
  }
}
