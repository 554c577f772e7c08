import Foundation

/// The forms a dataset's files may take: a folder of the four IDX files; Keras's `mnist.npz`;
/// a Kaggle-style CSV pair; or an image folder (`train/CLASS/*.png`, `test/CLASS/*.png`).
/// Each is read into the same four parts in IDX form (`IDXFile`), so that the same images
/// give the same digests, cache keys and results whatever form they came in.
public enum DataFormat: String, CaseIterable, Sendable, Codable {
  case idx, npz, csv, images

  /// What each form is, for messages.
  var described: String {
    switch self {
    case .idx: return "a folder holding the four IDX files"
    case .npz: return "a .npz file of x_train, y_train, x_test and y_test (Keras's mnist.npz), or a folder holding one"
    case .csv: return "a folder holding a training and a test CSV file (names containing 'train' and 'test')"
    case .images: return "an image folder: train/CLASS/*.png and test/CLASS/*.png"
    }
  }

  /// Where the files of a dataset in this form are.
  public enum Layout: Sendable, Equatable {
    case idx
    case npz(String)
    case csv(train: String, test: String)
    case images
  }

  /// The layout of `path` in `format`, or in the form found there when `format` is nil.
  static func layout(of path: String, format: DataFormat?) throws(DataError) -> Layout {
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw DataError(.missingFile, path, "not found; expected \(expected(format))")
    }
    if !isFolder.boolValue {
      guard path.lowercased().hasSuffix(".npz"), format == nil || format == .npz else {
        throw DataError(.notAFile, path, "is a file; expected \(expected(format))")
      }
      return .npz(path)
    }
    let names = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    func full(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    let idxFiles = DatasetFile.allCases.filter { names.contains($0.rawValue) || names.contains($0.rawValue + ".gz") }
    let hasIDX = idxFiles.count == DatasetFile.allCases.count
    let npz = names.filter { $0.lowercased().hasSuffix(".npz") }
    let csv = names.filter { $0.lowercased().hasSuffix(".csv") }
    let trainCSV = csv.filter { $0.lowercased().contains("train") }
    let testCSV = csv.filter { $0.lowercased().contains("test") && !$0.lowercased().contains("train") }
    let hasImages = ["train", "test"].allSatisfy { name in
      var folder: ObjCBool = false
      return manager.fileExists(atPath: full(name), isDirectory: &folder) && folder.boolValue
    }
    switch format {
    case .idx?,
      nil where hasIDX:
      return .idx
    case .npz?,
      nil where npz.count == 1:
      guard npz.count == 1 else {
        throw DataError(.missingFile, path, "holds \(npz.count) .npz files; expected \(DataFormat.npz.described)")
      }
      return .npz(full(npz[0]))
    case .csv?,
      nil where trainCSV.count == 1 && testCSV.count == 1:
      guard trainCSV.count == 1, testCSV.count == 1 else {
        throw DataError(
          .missingFile, path,
          "holds \(trainCSV.count) training and \(testCSV.count) test CSV files; expected \(DataFormat.csv.described)")
      }
      return .csv(train: full(trainCSV[0]), test: full(testCSV[0]))
    case .images?,
      nil where hasImages:
      guard hasImages else {
        throw DataError(.missingFile, path, "holds no train and test folders; expected \(DataFormat.images.described)")
      }
      return .images
    case nil where !idxFiles.isEmpty:
      return .idx  // some IDX files: the reader names the one missing
    default:
      throw DataError(
        .missingFile, path,
        "holds none of the forms a dataset may take: \(DataFormat.allCases.map(\.described).joined(separator: "; "))")
    }
  }

  private static func expected(_ format: DataFormat?) -> String {
    format?.described ?? DataFormat.allCases.map(\.described).joined(separator: "; or ")
  }
}
