/// Labelled images as Float32 features, one row of `rows × columns` values per image.
public struct Images: Sendable {
  /// Row-major `count × featureCount` pixel values.
  public var pixels: [Float]
  /// One class label (0 to the number of classes − 1) per image.
  public var labels: [Int32]
  /// The image height and width in pixels.
  public let rows: Int, columns: Int

  public init(pixels: [Float], labels: [Int32], rows: Int, columns: Int) {
    precondition(pixels.count == labels.count * rows * columns, "pixels and labels disagree")
    self.pixels = pixels
    self.labels = labels
    self.rows = rows
    self.columns = columns
  }

  public var count: Int { labels.count }

  /// The images at `indices`, in that order.
  public func subset(_ indices: [Int]) -> Images {
    let width = featureCount
    var pixels = [Float](repeating: 0, count: indices.count * width)
    pixels.withUnsafeMutableBufferPointer { target in
      self.pixels.withUnsafeBufferPointer { source in
        for (row, index) in indices.enumerated() {
          (target.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
        }
      }
    }
    return Images(pixels: pixels, labels: indices.map { labels[$0] }, rows: rows, columns: columns)
  }

  /// The number of images of each class 0..<classCount.
  public func classCounts(classCount: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }

  /// Mean and standard deviation (population) over every pixel, summed in Double in
  /// image order so the result never depends on threading.
  public func pixelStatistics() -> (mean: Double, std: Double) {
    guard !pixels.isEmpty else { return (0, 0) }
    var sum = 0.0
    var squares = 0.0
    pixels.withUnsafeBufferPointer { values in
      var start = 0
      while start < values.count {
        let end = min(start + 4096, values.count)
        var s: Float = 0
        var q: Float = 0
        for v in values[start..<end] {
          s += v
          q += v * v
        }
        sum += Double(s)
        squares += Double(q)
        start = end
      }
    }
    let n = Double(pixels.count)
    let mean = sum / n
    return (mean, max(squares / n - mean * mean, 0).squareRoot())
  }

  /// Applies `(x - mean) / std` to every pixel.
  public mutating func standardize(mean: Float, std: Float) {
    let scale = 1 / std
    pixels.withUnsafeMutableBufferPointer { values in
      for i in values.indices { values[i] = (values[i] - mean) * scale }
    }
  }
}
