import Foundation
import TestFixtures
import Testing

@testable import Data

@Suite struct DatasetLoading {
  @Test(arguments: [true, false])
  func loadsAFolderScaledToUnitRange(compressed: Bool) throws {
    let folder = TemporaryFolder()
    let tiny = TinyDataset()
    let files = tiny.write(to: folder, compressed: compressed)
    let dataset = try DatasetLoader.load(try DatasetSource.directory(folder.path))
    #expect(dataset.train.count == 30 && dataset.test.count == 10)
    #expect(dataset.train.rows == 4 && dataset.train.columns == 3)
    #expect(dataset.train.pixels == tiny.images(30).map { Float($0) / 255 })
    #expect(dataset.test.labels == tiny.labels(10).map { Int32($0) })
    #expect(dataset.files.allSatisfy { $0.matched == nil && $0.compressed == compressed })
    #expect(dataset.files[0].bytes == files["train-images-idx3-ubyte"]!.count)
  }

  @Test func imageAndLabelCountsDiffer() {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let labels = folder.write(
      "train-labels-idx1-ubyte.gz", gzip(idx(dimensions: [29], data: Array(repeating: 1, count: 29))))
    let error = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(error?.kind == .countMismatch)
    #expect(error?.path == labels)
    #expect(error?.message.contains("29 labels, expected 30") == true)
  }

  @Test func labelOutsideZeroToNine() {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    var labels = TinyDataset().labels(10)
    labels[7] = 12
    let path = folder.write("t10k-labels-idx1-ubyte.gz", gzip(idx(dimensions: [10], data: labels)))
    let error = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(error?.kind == .labelOutOfRange)
    #expect(error?.description == "\(path): label 12 at index 7 is outside 0-9")
  }

  @Test func classesComeFromTheLabelsOrClassesTxt() throws {
    // 16 × 16 images in 4 classes: the class count is read from the training labels.
    let folder = TemporaryFolder()
    var tiny = TinyDataset()
    (tiny.rows, tiny.columns) = (16, 16)
    tiny.write(to: folder)
    let labels = (0..<30).map { UInt8($0 % 4) }
    folder.write("train-labels-idx1-ubyte.gz", gzip(idx(dimensions: [30], data: labels)))
    folder.write("t10k-labels-idx1-ubyte.gz", gzip(idx(dimensions: [10], data: Array(labels.prefix(10)))))
    let dataset = try DatasetLoader.load(try DatasetSource.directory(folder.path))
    #expect(dataset.shape == DataShape(rows: 16, columns: 16, classes: 4))
    #expect(dataset.classNames == ["0", "1", "2", "3"])
    // classes.txt names them, and bounds the labels.
    folder.write("classes.txt", Array("north\r\neast\nsouth\nwest\n\n".utf8))
    #expect(
      try DatasetLoader.load(try DatasetSource.directory(folder.path)).classNames == ["north", "east", "south", "west"])
    folder.write("classes.txt", Array("north\neast\nsouth\n".utf8))
    let error = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(error?.message == "label 3 at index 3 is outside 0-2")
    folder.write("classes.txt", Array("north\n\nsouth\n".utf8))
    let blank = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(blank?.path == folder.path + "/classes.txt" && blank?.message == "line 2 is blank, expected a class name")
  }

  @Test func testImagesOfAnotherSize() {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    folder.write("t10k-images-idx3-ubyte.gz", gzip(idx(dimensions: [10, 3, 4], data: Array(repeating: 0, count: 120))))
    let error = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(error?.kind == .badShape)
    #expect(error?.message.contains("3×4 pixels, expected 4×3") == true)
  }

  @Test func missingFileInAFolder() {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    try? FileManager.default.removeItem(atPath: folder.path + "/train-labels-idx1-ubyte.gz")
    let error = #expect(throws: DataError.self) { try DatasetLoader.load(try DatasetSource.directory(folder.path)) }
    #expect(error?.kind == .missingFile)
    #expect(error?.path == folder.path + "/train-labels-idx1-ubyte.gz")
  }

  @Test func digestMismatchForABuiltInDataset() {
    let folder = TemporaryFolder()
    TinyDataset().write(to: folder)
    let error = #expect(throws: DataError.self) {
      try DatasetLoader.load(try DatasetSource.builtIn("mnist", in: folder.path))
    }
    #expect(error?.kind == .digestMismatch)
    #expect(error?.path == folder.path + "/train-images-idx3-ubyte.gz")
    #expect(
      error?.message.contains("expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db") == true)
  }

  @Test func unknownDataset() {
    let error = #expect(throws: DataError.self) { try DatasetSource.builtIn("cifar") }
    #expect(error?.message.contains("expected one of mnist, fashion-mnist") == true)
  }

  @Test func builtInMNISTIsVerified() throws {
    let dataset = try DatasetLoader.load(try DatasetSource.builtIn("mnist"))
    #expect(dataset.train.count == 60_000 && dataset.test.count == 10_000)
    #expect(dataset.files.allSatisfy { $0.matched == true })
    #expect(dataset.train.classCounts(classCount: 10) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    let stats = dataset.train.pixelStatistics()
    #expect(abs(stats.mean - 0.1306604762738429) < 1e-6)  // torchvision's well-known 0.1307
    #expect(abs(stats.std - 0.30810780385646264) < 1e-6)  // and 0.3081
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist")))
  func fashionMNISTIsVerified() throws {
    let dataset = try DatasetLoader.load(try DatasetSource.builtIn("fashion-mnist"))
    #expect(dataset.files.allSatisfy { $0.matched == true })
    #expect(dataset.train.classCounts(classCount: 10) == Array(repeating: 6000, count: 10))
    #expect(dataset.classNames[9] == "Ankle boot")
  }
}
