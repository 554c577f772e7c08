import Foundation

/// The four files of an MNIST-style dataset, under their standard names.
public enum DatasetFile: String, CaseIterable, Sendable, Codable {
  case trainImages = "train-images-idx3-ubyte"
  case trainLabels = "train-labels-idx1-ubyte"
  case testImages = "t10k-images-idx3-ubyte"
  case testLabels = "t10k-labels-idx1-ubyte"

  var rank: Int { self == .trainImages || self == .testImages ? 3 : 1 }
  var what: String { self == .trainImages || self == .testImages ? "images" : "labels" }
}

/// Where a dataset's files are and, for a built-in dataset, the SHA-256 digests of their
/// decompressed contents that they must match.
public struct DatasetSource: Sendable {
  /// `mnist`, `fashion-mnist`, or the folder given with `--data`.
  public let name: String
  /// The folder holding the four files.
  public let directory: String
  /// Expected digests; `nil` for a folder given by the user (digests are shown, not checked).
  public let expectedDigests: [DatasetFile: String]?
  /// A display name per class of a built-in dataset; nil for a folder, whose names come from
  /// its `classes.txt` or its labels (see `LoadedDataset.classNames`).
  public let classNames: [String]?
  /// The form of the files (IDX, npz, CSV, image folder) and where they are.
  public var layout: DataFormat.Layout = .idx

  /// The form of the files.
  public var format: DataFormat {
    switch layout {
    case .idx: return .idx
    case .npz: return .npz
    case .csv: return .csv
    case .images: return .images
    }
  }

  init(name: String, directory: String, expectedDigests: [DatasetFile: String]?, classNames: [String]?) {
    (self.name, self.directory, self.expectedDigests, self.classNames) = (name, directory, expectedDigests, classNames)
  }

  public var isBuiltIn: Bool { expectedDigests != nil }

  /// The names accepted by `builtIn(_:)`.
  public static let builtInNames = ["mnist", "fashion-mnist"]

  /// The built-in dataset called `name`, read from `directory` when given (its files must
  /// then match the built-in digests), else from where it lives on this machine.
  public static func builtIn(_ name: String, in directory: String? = nil) throws(DataError) -> DatasetSource {
    let digests: [DatasetFile: String]
    let classNames: [String]
    let candidates: [String]
    let hint: String
    switch name {
    case "mnist":
      (digests, classNames) = (mnistDigests, (0...9).map(String.init))
      candidates = mnistCandidates()
      hint = "run from the repository root, or pass --data DIR"
    case "fashion-mnist":
      (digests, classNames) = (fashionDigests, fashionClassNames)
      candidates = ["/usr/share/datasets/fashion-mnist"]
      hint = "install the Debian package dataset-fashion-mnist"
    default:
      throw DataError(
        .datasetNotFound, name,
        "unknown dataset: expected one of \(builtInNames.joined(separator: ", ")), or --data DIR for a folder")
    }
    if let directory {
      let folder = try DatasetSource.directory(directory)
      var source = DatasetSource(
        name: name, directory: folder.directory, expectedDigests: digests, classNames: classNames)
      source.layout = folder.layout
      return source
    }
    guard let found = candidates.first(where: hasDatasetFiles) else {
      throw DataError(
        .datasetNotFound, candidates[0],
        "the \(name) files were not found (looked in \(candidates.joined(separator: ", "))); \(hint)")
    }
    return DatasetSource(name: name, directory: found, expectedDigests: digests, classNames: classNames)
  }

  /// The dataset at `path`: a folder holding the four files under their standard names
  /// (gzip or raw), or another form (`DataFormat`), named by `format` or found from what
  /// the path holds.
  public static func directory(_ path: String, format: DataFormat? = nil) throws(DataError) -> DatasetSource {
    var source = DatasetSource(name: path, directory: path, expectedDigests: nil, classNames: nil)
    source.layout = try DataFormat.layout(of: path, format: format)
    return source
  }

  /// The path of `file`: the gzip name when it exists, else the raw name, else the gzip
  /// name (whose absence the reader then reports).
  public func path(of file: DatasetFile) -> String {
    let base = (directory as NSString).appendingPathComponent(file.rawValue)
    if FileManager.default.fileExists(atPath: base + ".gz") { return base + ".gz" }
    if FileManager.default.fileExists(atPath: base) { return base }
    return base + ".gz"
  }

  /// The built-in dataset whose digests all equal `digests`, if any.
  public static func knownName(for digests: [DatasetFile: String]) -> String? {
    if digests == mnistDigests { return "mnist" }
    if digests == fashionDigests { return "fashion-mnist" }
    return nil
  }
}

private func hasDatasetFiles(_ directory: String) -> Bool {
  DatasetFile.allCases.allSatisfy { file in
    let base = (directory as NSString).appendingPathComponent(file.rawValue)
    return FileManager.default.fileExists(atPath: base + ".gz") || FileManager.default.fileExists(atPath: base)
  }
}

/// `data/mnist` under the working directory, above the executable, and in this checkout.
private func mnistCandidates() -> [String] {
  var candidates = [
    (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("data/mnist")
  ]
  var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    .deletingLastPathComponent()
  for _ in 0..<5 where folder.path != "/" {
    candidates.append(folder.appendingPathComponent("data/mnist").path)
    folder.deleteLastPathComponent()
  }
  let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  candidates.append(checkout.appendingPathComponent("data/mnist").path)
  var seen = Set<String>()
  return candidates.filter { seen.insert($0).inserted }
}

/// The canonical MNIST contents (their MD5s are the well-known ones).
let mnistDigests: [DatasetFile: String] = [
  .trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  .trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
]

/// Fashion-MNIST as shipped by Debian's dataset-fashion-mnist.
let fashionDigests: [DatasetFile: String] = [
  .trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  .trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  .testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  .testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
]

let fashionClassNames = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
