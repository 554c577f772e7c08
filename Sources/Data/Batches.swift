import Tensor

/// Mini-batches over a set of images (or a subset of them, by position), reshuffled every
/// epoch from a seeded stream, and copied into caller-owned buffers so that iterating
/// allocates nothing.
///
/// Epoch `e` visits the images in the permutation that `seed.child(e)` draws from the
/// subset's order, so any epoch's order can be recomputed on its own. The last batch
/// holds the remainder (as PyTorch's `DataLoader(drop_last=False)` and Keras).
public struct ShuffledBatches: Sendable {
  public let images: Images
  public let batchSize: Int
  public let shuffles: Bool
  public let seed: SeedPath
  /// The positions batched, in their natural order.
  private let subset: [Int32]
  private var order: [Int32]

  /// Batches over `images`, or over the images at `indices` only.
  public init(_ images: Images, indices: [Int]? = nil, batchSize: Int, shuffles: Bool = true, seed: SeedPath) {
    precondition(batchSize > 0, "batch size must be positive")
    self.images = images
    self.batchSize = batchSize
    self.shuffles = shuffles
    self.seed = seed
    subset = indices.map { $0.map { Int32($0) } } ?? (0..<Int32(images.count)).map { $0 }
    order = subset
  }

  public var count: Int { order.count }
  public var batchCount: Int { (order.count + batchSize - 1) / batchSize }

  /// Puts the images in epoch `epoch`'s order.
  public mutating func start(epoch: Int) {
    guard shuffles else { return }
    var generator = seed.child(epoch).generator
    order.withUnsafeMutableBufferPointer { order in
      subset.withUnsafeBufferPointer { subset in
        for i in order.indices { order[i] = subset[i] }
      }
      generator.shuffle(&order)
    }
  }

  /// The positions of the images in batch `batch` of the current order.
  public func indices(ofBatch batch: Int) -> ArraySlice<Int32> {
    let start = batch * batchSize
    return order[start..<min(start + batchSize, order.count)]
  }

  /// Copies batch `batch` into `pixels` (rows × featureCount) and `labels`; returns rows.
  @discardableResult
  public func copy(batch: Int, pixels: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
    let width = images.featureCount
    let rows = indices(ofBatch: batch)
    images.pixels.withUnsafeBufferPointer { source in
      for (row, index) in rows.enumerated() {
        (pixels + row * width).update(from: source.baseAddress! + Int(index) * width, count: width)
        labels[row] = images.labels[Int(index)]
      }
    }
    return rows.count
  }
}
