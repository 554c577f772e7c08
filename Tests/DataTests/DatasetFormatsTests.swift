import Foundation
import TestFixtures
import Testing

@testable import Data

/// The fixtures of this folder (`fixtures/make_npz_fixtures.py` made the .npz files).
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fixtures")
  .path

/// The forms a dataset may take — IDX files, Keras's mnist.npz, a Kaggle-style CSV pair, an
/// image folder — hold the same images the same way: each is read into the same parts, with
/// the same digests, and every malformed input is an error naming the file (and row or
/// entry) and what was expected.
@Suite struct DatasetFormats {
  let tiny = TinyDataset()

  func load(_ path: String, format: DataFormat? = nil) throws -> LoadedDataset {
    try DatasetLoader.load(try DatasetSource.directory(path, format: format))
  }

  @Test func everyFormHoldsTheSameImagesWithTheSameDigests() throws {
    let idxFolder = TemporaryFolder()
    tiny.write(to: idxFolder)
    let reference = try load(idxFolder.path)
    #expect(reference.source.format == .idx)
    let csvFolder = TemporaryFolder()
    tiny.writeCSV(to: csvFolder)
    let imageFolder = TemporaryFolder()
    tiny.writeImageFolder(to: imageFolder)
    // An image folder holds its images by class, then by name (torchvision's order): the
    // same images in IDX form, in that order, are its reference.
    let byClass = TemporaryFolder()
    tiny.writeInClassOrder(to: byClass)
    let classOrdered = try load(byClass.path)
    let forms: [(String, DataFormat, LoadedDataset)] = [
      (fixtures + "/tiny.npz", .npz, reference), (fixtures + "/tiny-compressed.npz", .npz, reference),
      (csvFolder.path, .csv, reference), (imageFolder.path, .images, classOrdered),
    ]
    for (path, format, reference) in forms {
      let dataset = try load(path)
      #expect(dataset.source.format == format, "\(path) is found to be \(format)")
      #expect(dataset.train.pixels == reference.train.pixels, "\(format): the same training pixels")
      #expect(dataset.train.labels == reference.train.labels)
      #expect(dataset.test.pixels == reference.test.pixels && dataset.test.labels == reference.test.labels)
      #expect(dataset.shape == reference.shape, "\(format): \(dataset.shape)")
      #expect(dataset.digests == reference.digests, "\(format): the digests of the parts in IDX form")
    }
    // Named rather than found: the same.
    #expect(try load(csvFolder.path, format: .csv).digests == reference.digests)
    #expect(throws: DataError.self) { try load(csvFolder.path, format: .images) }
  }

  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return ""
    } catch {
      return "\(error)"
    }
  }

  @Test func malformedNPZFilesAreRefusedNamingTheEntry() throws {
    let folder = TemporaryFolder()
    let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixtures + "/tiny.npz")))
    let truncated = folder.write("truncated.npz", Array(whole.prefix(whole.count - 200)))
    #expect(message { _ = try load(truncated) }.contains("\(truncated): not a whole zip file"))
    let cut = folder.write("cut.npz", Array(whole.prefix(700)) + Array(whole.suffix(22)))
    #expect(!message { _ = try load(cut) }.isEmpty)
    let float = message { _ = try load(fixtures + "/tiny-float.npz") }
    #expect(
      float.contains("tiny-float.npz:x_train.npy: an array of dtype '<f4', expected '|u1' (unsigned bytes, 0-255)"),
      "\(float)")
    let flat = message { _ = try load(fixtures + "/tiny-flat.npz") }
    #expect(
      flat.contains("tiny-flat.npz:x_train.npy: an array of shape (30, 12), expected (images, rows, columns)"),
      "\(flat)")
    let huge = message { _ = try load(fixtures + "/tiny-huge-shape.npz") }
    #expect(huge.contains("x_train.npy: shape (4294967296, 4294967296, 1) needs more bytes than the 12"), "\(huge)")
    // A ZIP64 locator pointing before the file's start, and an end record whose central
    // directory lies past its end: refused, not read out of bounds.
    let locator: [UInt8] =
      [0x50, 0x4B, 0x06, 0x07, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0x80] + [1, 0, 0, 0]
      + [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0]
    #expect(message { _ = try load(folder.write("locator.npz", locator)) }.contains("ZIP64 end record"))
    let pastTheEnd: [UInt8] = [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 3, 0, 3, 0, 46, 0, 0, 0, 0xF0, 0xFF, 0, 0, 0, 0]
    #expect(message { _ = try load(folder.write("past.npz", pastTheEnd)) }.contains("does not fit in its 22 bytes"))
    let notZip = folder.write("plain.npz", Array("not a zip at all".utf8) + [UInt8](repeating: 0, count: 30))
    #expect(message { _ = try load(notZip) }.contains("not a whole zip file"))
  }

  @Test func malformedCSVFilesAreRefusedNamingTheLine() throws {
    func error(_ edit: @escaping (inout [String]) -> Void) -> String {
      let folder = TemporaryFolder()
      tiny.writeCSV(to: folder, edit: edit)
      return message { _ = try load(folder.path) }
    }
    let narrow = error { $0[3] = "1,2,3" }
    #expect(narrow.contains("mnist_train.csv: line 4 has 3 values, expected 13 like the header"), "\(narrow)")
    let wide = error { $0[5] += ",7" }
    #expect(wide.contains("mnist_train.csv: line 6 has more than 13 values"), "\(wide)")
    let large = error { $0[2] = $0[2].replacingOccurrences(of: ",", with: ",300,", options: [], range: nil) }
    #expect(large.contains("mnist_train.csv: line 3, column"), "\(large)")
    #expect(large.contains("is not a whole number from 0 to 255"), "\(large)")
    let word = error { $0[7] = "7," + Array(repeating: "x", count: 12).joined(separator: ",") }
    #expect(word.contains("line 8, column 2: 'x' is not a whole number from 0 to 255"), "\(word)")
    let spaced = error { $0[4] = $0[4].replacingOccurrences(of: ",", with: ",2 ") }
    #expect(spaced.contains("line 5, column"), "a space inside a value: \(spaced)")
    let giant = error {
      $0[0] = "label," + Array(repeating: "p", count: 11).joined(separator: ",") + ",9999999999x9999999999"
    }
    #expect(giant.contains("line 1: 12 pixel columns are not a square image"), "\(giant)")
    let header = error { $0[0] = $0[0].replacingOccurrences(of: "label", with: "digit") }
    #expect(header.contains("line 1: the header starts with 'digit', expected 'label'"), "\(header)")
  }

  @Test func malformedImageFoldersAreRefusedNamingTheFile() throws {
    func error(_ change: (String) -> Void) -> String {
      let folder = TemporaryFolder()
      tiny.writeImageFolder(to: folder)
      change(folder.path)
      return message { _ = try load(folder.path) }
    }
    let size = error { writePNG([UInt8](repeating: 9, count: 20), width: 5, height: 4, to: $0 + "/train/3/003.png") }
    #expect(size.contains("train/3/003.png: is 5×4 pixels, expected 3×4 like"), "\(size)")
    let colour = error {
      writePNG([UInt8](repeating: 9, count: 36), width: 3, height: 4, channels: 3, to: $0 + "/train/4/004.png")
    }
    #expect(colour.contains("train/4/004.png: a colour PNG; expected greyscale"), "\(colour)")
    let empty = error {
      try? FileManager.default.createDirectory(atPath: $0 + "/train/zz", withIntermediateDirectories: true)
    }
    #expect(empty.contains("train/zz: holds no PNG image; every class folder needs at least one"), "\(empty)")
    let unknown = error {
      try? FileManager.default.createDirectory(atPath: $0 + "/test/cat", withIntermediateDirectories: true)
      writePNG([UInt8](repeating: 9, count: 12), width: 3, height: 4, to: $0 + "/test/cat/1.png")
    }
    #expect(unknown.contains("test/cat: class 'cat' is not among the training set's classes"), "\(unknown)")
  }

  /// torchvision's ImageFolder order: classes sorted by name (code point: "B" before "a"),
  /// files by name within a class; the class names are the folders'.
  @Test func imageFoldersAreReadInTorchvisionsOrder() throws {
    let folder = TemporaryFolder()
    for (part, classes) in [("train", ["b", "B", "a"]), ("test", ["a"])] {
      for (index, name) in classes.enumerated() {
        let directory = "\(folder.path)/\(part)/\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in ["10.png", "2.png"] {
          let value = UInt8(index * 10 + (file == "2.png" ? 2 : 1))
          writePNG([value, value], width: 2, height: 1, to: "\(directory)/\(file)")
        }
      }
    }
    let dataset = try load(folder.path)
    #expect(dataset.classNames == ["B", "a", "b"])
    // Class B (written second) first; within it 10.png before 2.png.
    #expect(
      dataset.train.pixels.enumerated().filter { $0.offset % 2 == 0 }.map { Int(($0.element * 255).rounded()) } == [
        11, 12, 21, 22, 1, 2,
      ])
    #expect(dataset.train.labels == [0, 0, 1, 1, 2, 2])
    #expect(dataset.test.labels == [1, 1], "the test set's only class, a, keeps the training set's index")
  }
}
