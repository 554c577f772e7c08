/// What a dataset's images and labels are like, as far as a network cares: the image size
/// (its input width) and the number of classes (its output width). Read from the files,
/// never assumed.
public struct DataShape: Codable, Hashable, Sendable {
  public var rows: Int
  public var columns: Int
  public var classes: Int

  public init(rows: Int, columns: Int, classes: Int) {
    self.rows = rows
    self.columns = columns
    self.classes = classes
  }

  /// Pixels per image: the network's input width.
  public var features: Int { rows * columns }
}
