import CZlib
import Foundation

/// Keras's `mnist.npz` (what `keras.datasets.mnist.load_data` saves: `x_train`, `y_train`,
/// `x_test` and `y_test` as `.npy` arrays in a zip), read into the four parts of a dataset
/// in IDX form, so that the same images give the same digests, cache keys and results as
/// the IDX files.
enum NPZDataset {
  /// The arrays, in the order of `DatasetFile.allCases`.
  static let arrays = ["x_train", "y_train", "x_test", "y_test"]

  static func read(_ path: String) throws(DataError) -> [IDXFile] {
    let zip = try ZipArchive(path)
    return try arrays.indices.map { index throws(DataError) in
      let name = arrays[index] + ".npy"
      let entry = try zip.entry(name)
      let place = "\(path):\(name)"
      let array = try NPYArray(try zip.contents(of: entry), path: place)
      let rank = DatasetFile.allCases[index].rank
      guard array.shape.count == rank else {
        throw DataError(
          .badDimensions, place,
          "an array of shape (\(array.shape.map(String.init).joined(separator: ", "))), expected \(rank == 3 ? "(images, rows, columns)" : "(labels,)")"
        )
      }
      return try IDXFile(
        path: place, bytes: idxBytes(dimensions: array.shape, data: array.data), compressed: entry.method == 8,
        fileBytes: entry.compressedSize, rank: rank, what: DatasetFile.allCases[index].what)
    }
  }
}

/// The bytes of an IDX file of unsigned bytes: the magic 00 00 08 RANK, each dimension as a
/// big-endian 32-bit size, the data.
func idxBytes(dimensions: [Int], data: some Collection<UInt8>) -> [UInt8] {
  var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
  bytes.reserveCapacity(4 + 4 * dimensions.count + data.count)
  for size in dimensions {
    bytes += [UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16)]
    bytes += [UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size)]
  }
  bytes.append(contentsOf: data)
  return bytes
}

/// A NumPy `.npy` array of unsigned bytes (format versions 1 to 3): its shape and data.
struct NPYArray {
  let shape: [Int]
  let data: ArraySlice<UInt8>

  init(_ bytes: [UInt8], path: String) throws(DataError) {
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard bytes.count >= 10, Array(bytes.prefix(6)) == magic else {
      throw DataError(.badMagic, path, "not a NumPy .npy array (expected the bytes 93 4e 55 4d 50 59 at the start)")
    }
    let major = bytes[6]
    let lengthBytes = major == 1 ? 2 : 4
    guard (1...3).contains(major), bytes.count >= 8 + lengthBytes else {
      throw DataError(.badType, path, "a .npy of format version \(major); expected 1, 2 or 3")
    }
    var length = 0
    for i in 0..<lengthBytes { length |= Int(bytes[8 + i]) << (8 * i) }
    let start = 8 + lengthBytes
    guard bytes.count >= start + length, let header = String(bytes: bytes[start..<(start + length)], encoding: .utf8)
    else { throw DataError(.sizeMismatch, path, "the .npy header runs past the end of the array") }
    func value(_ key: String) -> Substring? {
      guard let at = header.range(of: "'\(key)':") else { return nil }
      return header[at.upperBound...].drop { $0 == " " }
    }
    guard let descr = value("descr").flatMap({ $0.dropFirst().prefix { $0 != "'" } }) else {
      throw DataError(.badType, path, "the .npy header has no 'descr' (dtype)")
    }
    guard descr == "|u1" else {
      throw DataError(.badType, path, "an array of dtype '\(descr)', expected '|u1' (unsigned bytes, 0-255)")
    }
    guard value("fortran_order")?.hasPrefix("False") == true else {
      throw DataError(.badType, path, "an array in Fortran order; expected C order (row by row)")
    }
    guard let shapeText = value("shape"), shapeText.hasPrefix("(") else {
      throw DataError(.badDimensions, path, "the .npy header has no 'shape'")
    }
    let inside = shapeText.dropFirst().prefix { $0 != ")" }
    let sizes = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var shape: [Int] = []
    for size in sizes {
      guard let value = Int(size), value >= 0 else {
        throw DataError(.badDimensions, path, "the .npy shape (\(inside)) is not a list of sizes")
      }
      shape.append(value)
    }
    let found = bytes.count - start - length
    var expected = 1
    for size in shape {
      let (product, overflow) = expected.multipliedReportingOverflow(by: size)
      guard !overflow, product <= found else {
        throw DataError(
          .sizeMismatch, path,
          "shape (\(shape.map(String.init).joined(separator: ", "))) needs more bytes than the \(found) the array holds"
        )
      }
      expected = product
    }
    guard found == expected else {
      throw DataError(
        .sizeMismatch, path,
        "shape (\(shape.map(String.init).joined(separator: ", "))) needs \(expected) bytes of data, found \(found)")
    }
    self.shape = shape
    data = bytes[(start + length)...]
  }
}

/// A zip file's entries, read through its central directory: stored or deflated, ZIP64
/// sizes understood, each entry's CRC-32 checked.
struct ZipArchive {
  struct Entry {
    let name: String
    let method: Int
    let crc: UInt32
    let compressedSize: Int
    let size: Int
    let headerOffset: Int
  }

  let path: String
  let bytes: [UInt8]
  let entries: [Entry]

  init(_ path: String) throws(DataError) {
    self.path = path
    let bytes = try readFileBytes(path)
    self.bytes = bytes
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    func u64(_ at: Int) -> Int { u32(at) | u32(at + 4) << 32 }
    // The end-of-central-directory record: the last 22 bytes, or earlier by its comment.
    var end: Int?
    var at = bytes.count - 22
    while at >= max(0, bytes.count - 22 - 65_535) {
      if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 5, bytes[at + 3] == 6 {
        end = at
        break
      }
      at -= 1
    }
    guard let end else {
      throw DataError(
        .sizeMismatch, path,
        "not a whole zip file: no end-of-central-directory record (a truncated download?); expected Keras's mnist.npz, a zip of .npy arrays"
      )
    }
    var count = u16(end + 10)
    var directory = u32(end + 16)
    // ZIP64: the locator just before points at the ZIP64 end record with the real values.
    // Every 64-bit value is checked against the file before it is used as a place in it.
    if (count == 0xFFFF || directory == 0xFFFF_FFFF) && end >= 20 && u32(end - 20) == 0x0706_4B50 {
      let record = u64(end - 12)
      guard record >= 0, record <= bytes.count - 56, u32(record) == 0x0606_4B50 else {
        throw DataError(.sizeMismatch, path, "the zip's ZIP64 end record is missing or cut")
      }
      count = u64(record + 32)
      directory = u64(record + 48)
    }
    guard (0...bytes.count).contains(directory), (0...(bytes.count / 46)).contains(count) else {
      throw DataError(
        .sizeMismatch, path,
        "the zip's central directory (\(count) entries from byte \(directory)) does not fit in its \(bytes.count) bytes"
      )
    }
    var entries: [Entry] = []
    var offset = directory
    for _ in 0..<count {
      guard offset + 46 <= bytes.count, u32(offset) == 0x0201_4B50 else {
        throw DataError(.sizeMismatch, path, "the zip's central directory is cut or corrupt (entry at byte \(offset))")
      }
      let nameLength = u16(offset + 28)
      let extraLength = u16(offset + 30)
      let commentLength = u16(offset + 32)
      guard offset + 46 + nameLength + extraLength <= bytes.count else {
        throw DataError(.sizeMismatch, path, "the zip's central directory is cut (entry at byte \(offset))")
      }
      let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
      var compressed = u32(offset + 20)
      var size = u32(offset + 24)
      var header = u32(offset + 42)
      // A ZIP64 extra field holds, in order, the sizes and offset whose 32-bit fields are full.
      var extra = offset + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let id = u16(extra)
        let length = u16(extra + 2)
        if id == 1 {
          var field = extra + 4
          if size == 0xFFFF_FFFF, field + 8 <= extraEnd { (size, field) = (u64(field), field + 8) }
          if compressed == 0xFFFF_FFFF, field + 8 <= extraEnd { (compressed, field) = (u64(field), field + 8) }
          if header == 0xFFFF_FFFF, field + 8 <= extraEnd { header = u64(field) }
        }
        extra += 4 + length
      }
      // Sizes and places that cannot be: refused here, not found out of bounds later. A
      // deflated entry expands at most about 1,032 times.
      let method = u16(offset + 10)
      guard (0...bytes.count).contains(header), (0...bytes.count).contains(compressed),
        size >= 0, size <= (method == 0 ? compressed : compressed * 1032 + 1024)
      else {
        throw DataError(
          .sizeMismatch, "\(path):\(name)",
          "the entry's sizes (\(compressed) stored, \(size) whole) or place (byte \(header)) cannot be in a \(bytes.count)-byte zip"
        )
      }
      entries.append(
        Entry(
          name: name, method: u16(offset + 10), crc: UInt32(u32(offset + 16)), compressedSize: compressed, size: size,
          headerOffset: header))
      offset += 46 + nameLength + extraLength + commentLength
    }
    self.entries = entries
  }

  func entry(_ name: String) throws(DataError) -> Entry {
    guard let entry = entries.first(where: { $0.name == name }) else {
      throw DataError(
        .missingFile, "\(path):\(name)",
        "no array \(name) in the zip (found: \(entries.map(\.name).joined(separator: ", "))); expected x_train.npy, y_train.npy, x_test.npy and y_test.npy, as Keras's mnist.npz holds"
      )
    }
    return entry
  }

  /// The entry's bytes, decompressed and checked against its CRC-32.
  func contents(of entry: Entry) throws(DataError) -> [UInt8] {
    let place = "\(path):\(entry.name)"
    let local = entry.headerOffset
    guard local + 30 <= bytes.count, bytes[local] == 0x50, bytes[local + 1] == 0x4B else {
      throw DataError(.sizeMismatch, place, "the entry's header is missing (the zip is cut or corrupt)")
    }
    let start =
      local + 30 + (Int(bytes[local + 26]) | Int(bytes[local + 27]) << 8)
      + (Int(bytes[local + 28]) | Int(bytes[local + 29]) << 8)
    guard start + entry.compressedSize <= bytes.count else {
      throw DataError(
        .truncatedGzip, place,
        "the entry runs past the end of the file: \(entry.compressedSize) bytes from byte \(start), the file has \(bytes.count) (truncated?)"
      )
    }
    let stored = bytes[start..<(start + entry.compressedSize)]
    let data: [UInt8]
    switch entry.method {
    case 0: data = Array(stored)
    case 8: data = try inflateRaw(stored, size: entry.size, path: place)
    default:
      throw DataError(.badType, place, "compressed by zip method \(entry.method); expected stored (0) or deflate (8)")
    }
    let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    guard data.count == entry.size, crc == entry.crc else {
      throw DataError(.corruptGzip, place, "the entry's data does not match its size and CRC-32 (the zip is corrupt)")
    }
    return data
  }
}

/// A raw deflate stream (a zip entry's) of known decompressed `size`.
func inflateRaw(_ input: ArraySlice<UInt8>, size: Int, path: String) throws(DataError) -> [UInt8] {
  var output = [UInt8](repeating: 0, count: size + 1)
  var stream = z_stream()
  guard czlib_inflate_init2(&stream, -15) == Z_OK else {
    throw DataError(.corruptGzip, path, "zlib could not start")
  }
  defer { inflateEnd(&stream) }
  let status = input.withUnsafeBufferPointer { source in
    output.withUnsafeMutableBufferPointer { target in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = UInt32(source.count)
      stream.next_out = target.baseAddress
      stream.avail_out = UInt32(target.count)
      return inflate(&stream, Z_FINISH)
    }
  }
  let produced = output.count - Int(stream.avail_out)
  guard status == Z_STREAM_END, produced == size else {
    throw DataError(
      .corruptGzip, path,
      "corrupt deflate data: \(produced) bytes decompressed where the zip says \(size) (zlib status \(status))")
  }
  output.removeLast()
  return output
}
