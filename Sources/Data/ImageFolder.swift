import Foundation

/// An image folder (`train/CLASS/*.png` and `test/CLASS/*.png`, greyscale, all one size),
/// read in torchvision's `ImageFolder` order — classes sorted by name, files sorted by name
/// within a class — into the four parts of a dataset in IDX form. The class names are the
/// training folder's class folders; a test class the training set lacks is refused.
enum ImageFolderDataset {
  static func read(_ directory: String) throws(DataError) -> (parts: [IDXFile], classes: [String]) {
    let train = (directory as NSString).appendingPathComponent("train")
    let test = (directory as NSString).appendingPathComponent("test")
    let classes = try classFolders(train)
    guard classes.count <= 256 else {
      throw DataError(.badShape, train, "holds \(classes.count) class folders; at most 256")
    }
    var size: (rows: Int, columns: Int, first: String)?
    let trainParts = try read(train, classes: classes, size: &size)
    let testClasses = try classFolders(test)
    if let unknown = testClasses.first(where: { !classes.contains($0) }) {
      throw DataError(
        .labelOutOfRange, (test as NSString).appendingPathComponent(unknown),
        "class '\(unknown)' is not among the training set's classes (\(classes.joined(separator: ", ")))")
    }
    return (trainParts + (try read(test, classes: classes, only: testClasses, size: &size)), classes)
  }

  /// The class folders of `folder`, sorted by name as Python sorts strings (by code point).
  private static func classFolders(_ folder: String) throws(DataError) -> [String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw DataError(.missingFile, folder, "not a readable folder; expected one folder per class of PNG images")
    }
    let classes = names.filter { name in
      var isFolder: ObjCBool = false
      return !name.hasPrefix(".")
        && FileManager.default.fileExists(
          atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isFolder)
        && isFolder.boolValue
    }
    .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    guard !classes.isEmpty else {
      throw DataError(.missingFile, folder, "holds no class folder; expected one folder per class of PNG images")
    }
    return classes
  }

  /// The images and labels of one part: each class's PNGs in name order.
  private static func read(
    _ folder: String, classes: [String], only: [String]? = nil, size: inout (rows: Int, columns: Int, first: String)?
  ) throws(DataError) -> [IDXFile] {
    var pixels: [UInt8] = []
    var labels: [UInt8] = []
    var fileBytes = 0
    for (label, name) in classes.enumerated() where only?.contains(name) ?? true {
      let classFolder = (folder as NSString).appendingPathComponent(name)
      let files = ((try? FileManager.default.contentsOfDirectory(atPath: classFolder)) ?? [])
        .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png") }
        .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
      guard !files.isEmpty else {
        throw DataError(.emptyFile, classFolder, "holds no PNG image; every class folder needs at least one")
      }
      for file in files {
        let path = (classFolder as NSString).appendingPathComponent(file)
        let image = try GreyscaleImage(png: path)
        if let size, (image.rows, image.columns) != (size.rows, size.columns) {
          throw DataError(
            .badShape, path,
            "is \(image.columns)×\(image.rows) pixels, expected \(size.columns)×\(size.rows) like \(size.first)")
        }
        if size == nil { size = (image.rows, image.columns, path) }
        pixels += image.pixels
        labels.append(UInt8(label))
        fileBytes += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      }
    }
    let (rows, columns) = (size?.rows ?? 0, size?.columns ?? 0)
    return [
      try IDXFile(
        path: folder + "#pixels", bytes: idxBytes(dimensions: [labels.count, rows, columns], data: pixels),
        compressed: true, fileBytes: fileBytes, rank: 3, what: "images"),
      try IDXFile(
        path: folder + "#labels", bytes: idxBytes(dimensions: [labels.count], data: labels), compressed: false,
        fileBytes: 0, rank: 1, what: "labels"),
    ]
  }
}
