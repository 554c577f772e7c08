import CZlib
import Foundation

/// The bytes of an IDX file: 00 00, type, rank, big-endian sizes, data.
public func idx(type: UInt8 = 0x08, dimensions: [Int], data: [UInt8]) -> [UInt8] {
  var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
  for size in dimensions {
    bytes += [UInt8(size >> 24 & 255), UInt8(size >> 16 & 255), UInt8(size >> 8 & 255), UInt8(size & 255)]
  }
  return bytes + data
}

/// gzip-compresses `bytes` with zlib (level 6).
public func gzip(_ bytes: [UInt8]) -> [UInt8] {
  var stream = z_stream()
  precondition(czlib_deflate_init2(&stream, 6, 15 + 16) == Z_OK)
  defer { deflateEnd(&stream) }
  var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
  var input = bytes
  let produced = input.withUnsafeMutableBufferPointer { source in
    output.withUnsafeMutableBufferPointer { target in
      stream.next_in = source.baseAddress
      stream.avail_in = UInt32(source.count)
      stream.next_out = target.baseAddress
      stream.avail_out = UInt32(target.count)
      precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
      return target.count - Int(stream.avail_out)
    }
  }
  return Array(output[..<produced])
}

/// A temporary folder, removed when the fixture is released.
public final class TemporaryFolder {
  public let path: String

  public init() {
    path = NSTemporaryDirectory() + "mnist-report-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  @discardableResult
  public func write(_ name: String, _ bytes: [UInt8]) -> String {
    let file = (path as NSString).appendingPathComponent(name)
    precondition(FileManager.default.createFile(atPath: file, contents: Data(bytes)), "cannot write \(file)")
    return file
  }
}

/// Deterministic small images: `count` 4×3 images whose pixels encode their position,
/// labels cycling 0-9.
public struct TinyDataset {
  public var trainCount = 30
  public var testCount = 10
  public var rows = 4
  public var columns = 3

  public init() {}

  public func images(_ count: Int) -> [UInt8] {
    (0..<(count * rows * columns)).map { UInt8(($0 * 37) % 256) }
  }

  public func labels(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 10) } }

  /// Writes the four files (gzip by default) and returns their contents by name.
  @discardableResult
  public func write(to folder: TemporaryFolder, compressed: Bool = true) -> [String: [UInt8]] {
    let files: [String: [UInt8]] = [
      "train-images-idx3-ubyte": idx(dimensions: [trainCount, rows, columns], data: images(trainCount)),
      "train-labels-idx1-ubyte": idx(dimensions: [trainCount], data: labels(trainCount)),
      "t10k-images-idx3-ubyte": idx(dimensions: [testCount, rows, columns], data: images(testCount)),
      "t10k-labels-idx1-ubyte": idx(dimensions: [testCount], data: labels(testCount)),
    ]
    for (name, bytes) in files {
      if compressed {
        folder.write(name + ".gz", gzip(bytes))
      } else {
        folder.write(name, bytes)
      }
    }
    return files
  }
}

/// A results.json without what depends on where and when it was built: every timing, and
/// every finding read off one (an epoch's seconds, which variant is fastest, where a larger
/// batch stops paying), the hosts, the caches' part, the provenance and the thread count.
/// Two builds of one study must agree on the rest bit for bit.
public func resultsWithoutTimings(_ data: Data) throws -> Data {
  let timing: Set<String> = [
    "seconds", "mean_fit_time", "std_fit_time", "epochs_trained_now", "cached_runs", "cached_cells", "hosts",
    "trained_on", "provenance", "seconds_per_epoch", "training_seconds", "cell_seconds", "cost", "payoff", "threads",
    "timing", "steps",
  ]
  func strip(_ value: Any) -> Any {
    if let object = value as? [String: Any] { return object.filter { !timing.contains($0.key) }.mapValues(strip) }
    if let array = value as? [Any] { return array.map(strip) }
    return value
  }
  let json = try JSONSerialization.jsonObject(with: data)
  return try JSONSerialization.data(withJSONObject: strip(json), options: [.sortedKeys])
}

extension TinyDataset {
  /// The dataset as a CSV pair (`mnist_train.csv`, `mnist_test.csv`, the "MNIST in CSV"
  /// names, the pixel columns named ROWxCOLUMN); `edit` changes the training file's lines
  /// (the header first).
  public func writeCSV(to folder: TemporaryFolder, edit: (inout [String]) -> Void = { _ in }) {
    for (name, count) in [("mnist_train.csv", trainCount), ("mnist_test.csv", testCount)] {
      let header =
        "label," + (1...rows).flatMap { r in (1...columns).map { c in "\(r)x\(c)" } }.joined(separator: ",")
      let (pixels, labels, size) = (images(count), self.labels(count), rows * columns)
      var lines = [header]
      for i in 0..<count {
        lines.append(([labels[i]] + pixels[(i * size)..<((i + 1) * size)]).map(String.init).joined(separator: ","))
      }
      if name.contains("train") { edit(&lines) }
      _ = folder.write(name, Array((lines.joined(separator: "\n") + "\n").utf8))
    }
  }

  /// The dataset as an image folder: `train/LABEL/NNN.png`, `test/LABEL/NNN.png`.
  public func writeImageFolder(to folder: TemporaryFolder) {
    for (part, count) in [("train", trainCount), ("test", testCount)] {
      let (pixels, labels, size) = (images(count), self.labels(count), rows * columns)
      for i in 0..<count {
        let directory = "\(folder.path)/\(part)/\(labels[i])"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        writePNG(
          Array(pixels[(i * size)..<((i + 1) * size)]), width: columns, height: rows,
          to: "\(directory)/\(String(format: "%03d", i)).png")
      }
    }
  }

  /// The dataset in IDX files with its images in an image folder's order (by class, then
  /// by name): what `writeImageFolder` holds, in IDX form.
  public func writeInClassOrder(to folder: TemporaryFolder) {
    for (part, count) in [("train", trainCount), ("t10k", testCount)] {
      let (pixels, labels, size) = (images(count), self.labels(count), rows * columns)
      let order = (0..<count).sorted { (labels[$0], $0) < (labels[$1], $1) }
      _ = folder.write(
        "\(part)-images-idx3-ubyte",
        idx(dimensions: [count, rows, columns], data: order.flatMap { pixels[($0 * size)..<(($0 + 1) * size)] }))
      _ = folder.write("\(part)-labels-idx1-ubyte", idx(dimensions: [count], data: order.map { labels[$0] }))
    }
  }
}
