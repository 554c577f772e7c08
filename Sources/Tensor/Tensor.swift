/// A row-major matrix of Float32 values that owns 64-byte-aligned storage, as the engine
/// uses it: layers allocate their tensors once, for the largest batch, and reuse them.
///
/// A vector is a 1 × n tensor. `rows` may shrink and grow again within the capacity set at
/// creation (the last batch of an epoch is smaller), which never reallocates.
public final class Tensor: @unchecked Sendable {
  /// The storage, `capacity` floats.
  public let data: UnsafeMutablePointer<Float>
  /// How many floats the storage holds.
  public let capacity: Int
  public private(set) var rows: Int
  public let columns: Int

  /// A zero-filled `rows × columns` tensor that can later hold up to `capacityRows` rows.
  public init(rows: Int, columns: Int, capacityRows: Int? = nil) {
    precondition(rows >= 0 && columns >= 0, "negative tensor shape \(rows) × \(columns)")
    let maxRows = max(capacityRows ?? rows, rows)
    capacity = maxRows * columns
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1) * 4, alignment: 64)
    data = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
    data.initialize(repeating: 0, count: max(capacity, 1))
    self.rows = rows
    self.columns = columns
  }

  /// A `rows × columns` tensor holding `values` in row-major order.
  public convenience init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "\(values.count) values for a \(rows) × \(columns) tensor")
    self.init(rows: rows, columns: columns)
    values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { UnsafeMutableRawPointer(data).deallocate() }

  /// The number of values in the current shape.
  public var count: Int { rows * columns }

  /// Changes the number of rows, within the capacity; the values are left as they are.
  public func setRows(_ newRows: Int) {
    precondition(newRows >= 0 && newRows * columns <= capacity, "\(newRows) rows exceed the capacity")
    rows = newRows
  }

  public subscript(row: Int, column: Int) -> Float {
    get { data[row * columns + column] }
    set { data[row * columns + column] = newValue }
  }

  /// The values of the current shape, row-major.
  public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// A pointer to the first value of `row`.
  public func row(_ row: Int) -> UnsafeMutablePointer<Float> { data + row * columns }

  /// Copies the values (and number of rows) of `other`, which must have as many columns.
  public func copy(from other: Tensor) {
    precondition(other.columns == columns && other.count <= capacity, "cannot copy a tensor of another shape")
    setRows(other.rows)
    data.update(from: other.data, count: other.count)
  }

  /// Sets every value of the current shape to `value`.
  public func fill(_ value: Float) { data.update(repeating: value, count: count) }
}
