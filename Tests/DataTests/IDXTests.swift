import Foundation
import TestFixtures
import Testing

@testable import Data

/// Reads `bytes` written as `name` and returns the error, which must name the file.
private func readError(
  _ bytes: [UInt8], name: String = "train-images-idx3-ubyte.gz", rank: Int = 3,
  sourceLocation: SourceLocation = #_sourceLocation
) -> DataError? {
  let folder = TemporaryFolder()
  let path = folder.write(name, bytes)
  let error = #expect(throws: DataError.self, sourceLocation: sourceLocation) {
    try IDXFile.read(path, rank: rank, what: rank == 3 ? "images" : "labels")
  }
  #expect(error?.description.hasPrefix(path) == true, "the message names the file", sourceLocation: sourceLocation)
  return error
}

@Suite struct IDXReading {
  let image = idx(dimensions: [2, 2, 3], data: Array(0..<12))

  @Test func readsGzipAndRawAlike() throws {
    let folder = TemporaryFolder()
    let zipped = try IDXFile.read(folder.write("a.gz", gzip(image)), rank: 3, what: "images")
    let raw = try IDXFile.read(folder.write("a", image), rank: 3, what: "images")
    #expect(zipped.dimensions == [2, 2, 3])
    #expect(zipped.compressed && !raw.compressed)
    #expect(zipped.sha256 == raw.sha256)
    #expect(zipped.withData { Array($0) } == Array(0..<12))
  }

  @Test func digestIsTheSHA256OfTheDecompressedFile() throws {
    // SHA-256 of the 16-byte file 00 00 08 01 00 00 00 0c 00 01 .. 07, computed with Python's hashlib.
    let folder = TemporaryFolder()
    let bytes = idx(dimensions: [12], data: Array(0..<12))
    let file = try IDXFile.read(folder.write("l", bytes), rank: 1, what: "labels")
    #expect(file.sha256 == "b2d0ba8dfaf2c28213086dee24cdc06d43db071e6084526f38e17cc95f23f905")
  }

  @Test func concatenatedGzipMembersAreOneFile() throws {
    let folder = TemporaryFolder()
    let halves = gzip(Array(image[..<10])) + gzip(Array(image[10...]))
    let file = try IDXFile.read(folder.write("two.gz", halves), rank: 3, what: "images")
    #expect(file.withData { Array($0) } == Array(0..<12))
  }

  @Test func missingFile() {
    let error = #expect(throws: DataError.self) {
      try IDXFile.read("/nonexistent/train-images-idx3-ubyte.gz", rank: 3, what: "images")
    }
    #expect(error?.kind == .missingFile)
    #expect(
      error?.description
        == "/nonexistent/train-images-idx3-ubyte.gz: file not found (expected an IDX file, gzip-compressed or raw)")
  }

  @Test func directoryInsteadOfFile() throws {
    let folder = TemporaryFolder()
    let error = #expect(throws: DataError.self) { try IDXFile.read(folder.path, rank: 3, what: "images") }
    #expect(error?.kind == .notAFile)
    #expect(error?.description == "\(folder.path): is a directory, expected an IDX file")
  }

  @Test func emptyFile() {
    let error = readError([])
    #expect(error?.kind == .emptyFile)
    #expect(error?.message.contains("empty (0 bytes)") == true)
  }

  @Test func neitherGzipNorIDX() {
    let error = readError(Array("hello, world".utf8))
    #expect(error?.kind == .notGzipOrIDX)
    #expect(error?.message.contains("expected the bytes 1f 8b (gzip) or 00 00 (IDX)") == true)
    #expect(error?.message.contains("found 68 65 6c 6c") == true)
  }

  @Test func truncatedGzip() {
    let whole = gzip(idx(dimensions: [50, 28, 28], data: (0..<39200).map { UInt8($0 * 7 % 251) }))
    let error = readError(Array(whole[..<(whole.count / 2)]))
    #expect(error?.kind == .truncatedGzip)
    #expect(error?.message.contains("ends after \(whole.count / 2) bytes") == true)
  }

  @Test func gzipCutBeforeItsChecksum() {
    let whole = gzip(image)
    let error = readError(Array(whole.dropLast(3)))
    #expect(error?.kind == .truncatedGzip)
  }

  @Test func corruptGzipChecksum() {
    var bytes = gzip(image)
    bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
    let error = readError(bytes)
    #expect(error?.kind == .corruptGzip)
    #expect(error?.message.contains("incorrect data check") == true)
  }

  @Test func wrongMagic() {
    var bytes = image
    bytes[1] = 0x01
    let error = readError(gzip(bytes))
    #expect(error?.kind == .badMagic)
    #expect(error?.message == "wrong IDX magic number: expected 00 00 08 03, found 00 01 08 03")
  }

  @Test func wrongTypeByte() {
    let error = readError(gzip(idx(type: 0x0D, dimensions: [2, 2, 3], data: Array(repeating: 0, count: 48))))
    #expect(error?.kind == .badType)
    #expect(error?.message == "unsupported IDX element type 0x0d: expected 0x08 (unsigned byte) for images")
  }

  @Test func wrongNumberOfDimensions() {
    let error = readError(gzip(idx(dimensions: [12], data: Array(0..<12))))
    #expect(error?.kind == .badDimensions)
    #expect(error?.message == "expected 3 dimensions for images, found 1")
    let labels = readError(idx(dimensions: [1, 2, 3], data: Array(0..<6)), name: "l", rank: 1)
    #expect(labels?.message == "expected 1 dimension for labels, found 3")
  }

  @Test func shorterThanTheHeaderSays() {
    let error = readError(gzip(Array(image.dropLast(2))))
    #expect(error?.kind == .sizeMismatch)
    #expect(
      error?.message
        == "the decompressed file is shorter than its header says: 2×2×3 needs 28 bytes, found 26 (2 missing)")
  }

  @Test func longerThanTheHeaderSays() {
    let error = readError(image + [1, 2, 3])
    #expect(error?.kind == .sizeMismatch)
    #expect(error?.message == "the file is longer than its header says: 2×2×3 needs 28 bytes, found 31 (3 extra)")
  }

  @Test func headerCutShort() {
    let error = readError(Array(image[..<9]))
    #expect(error?.kind == .sizeMismatch)
    #expect(error?.message.contains("too short for a 3-dimensional IDX header (16 bytes)") == true)
  }
}

/// Sizes whose product passes Int's range are refused, not multiplied into a crash.
@Test func idxSizesWhoseProductOverflowsAreRefused() {
  let header: [UInt8] = [0, 0, 0x08, 3] + [UInt8](repeating: 0xFF, count: 12) + [UInt8](repeating: 7, count: 12)
  let error = readError(header, name: "train-images-idx3-ubyte")
  #expect(error?.message.contains("needs more than the 28 bytes found") == true, "\(error?.message ?? "")")
}
