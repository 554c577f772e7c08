/// A figure: one chart on a canvas of `width × height` points with a title, described as
/// plain values and drawn by `render(_:)`.
public struct Figure: Sendable {
  public var title: String
  /// A line under the title, for example the configuration the chart comes from.
  public var subtitle: String?
  public var width: Double
  public var height: Double
  public var chart: Chart

  public init(title: String, subtitle: String? = nil, width: Double = 720, height: Double = 440, chart: Chart) {
    self.title = title
    self.subtitle = subtitle
    self.width = width
    self.height = height
    self.chart = chart
  }
}

/// What a figure shows.
public enum Chart: Sendable {
  case line(LineChart)
  case bar(BarChart)
  case heatmap(Heatmap)
  case images(ImageGrid)
  case scatter(ScatterChart)
  case intervals(IntervalChart)
}

/// How a value axis maps and labels its values.
public struct Axis: Sendable {
  public enum Scale: Sendable { case linear, log }
  public enum Format: Sendable {
    /// Decimals chosen from the tick step.
    case automatic
    /// Values in [0, 1] shown as percentages.
    case percent
    case integer
  }

  public var title: String
  public var scale: Scale
  /// A fixed range; `nil` fits the data with nice round bounds.
  public var range: ClosedRange<Double>?
  public var format: Format
  /// Whether the fitted range must reach zero (bars always do).
  public var includesZero: Bool

  public init(
    _ title: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil, format: Format = .automatic,
    includesZero: Bool = false
  ) {
    self.title = title
    self.scale = scale
    self.range = range
    self.format = format
    self.includesZero = includesZero
  }
}

/// One line of a line chart.
public struct LineSeries: Sendable {
  public var name: String
  public var x: [Double]
  public var y: [Double]
  public var dashed: Bool
  public var markers: Bool
  /// A shaded band around the line, one (low, high) per x: the spread of repeats, say.
  public var band: [(low: Double, high: Double)]?

  public init(
    _ name: String, x: [Double], y: [Double], dashed: Bool = false, markers: Bool = false,
    band: [(low: Double, high: Double)]? = nil
  ) {
    self.name = name
    self.x = x
    self.y = y
    self.dashed = dashed
    self.markers = markers
    self.band = band
  }
}

/// A marked point with a label, for example the epoch that early stopping restored.
public struct Annotation: Sendable {
  public var x: Double
  public var y: Double
  public var label: String

  public init(x: Double, y: Double, label: String) {
    self.x = x
    self.y = y
    self.label = label
  }
}

/// Lines over a shared x axis: training curves, optimizer overlays, learning rates.
public struct LineChart: Sendable {
  public var series: [LineSeries]
  public var x: Axis
  public var y: Axis
  public var annotations: [Annotation]

  public init(series: [LineSeries], x: Axis, y: Axis, annotations: [Annotation] = []) {
    self.series = series
    self.x = x
    self.y = y
    self.annotations = annotations
  }
}

/// One series of a grouped bar chart: a value (and optionally ± an error) per category.
public struct BarGroup: Sendable {
  public var name: String
  public var values: [Double]
  /// Half-widths of error bars (for example one standard deviation), or nil.
  public var errors: [Double]?

  public init(_ name: String, values: [Double], errors: [Double]? = nil) {
    self.name = name
    self.values = values
    self.errors = errors
  }
}

/// Grouped vertical bars over categories.
public struct BarChart: Sendable {
  public var categories: [String]
  public var groups: [BarGroup]
  /// The category axis's title.
  public var categoryTitle: String
  public var y: Axis
  /// Whether each bar carries its value.
  public var valueLabels: Bool

  public init(categories: [String], groups: [BarGroup], categoryTitle: String, y: Axis, valueLabels: Bool = true) {
    self.categories = categories
    self.groups = groups
    self.categoryTitle = categoryTitle
    self.y = y
    self.valueLabels = valueLabels
  }
}

/// A matrix of colored cells: a confusion matrix, or an accuracy grid.
public struct Heatmap: Sendable {
  public enum CellText: Sendable {
    case none
    /// The value as an integer count and its share of the row, for confusion matrices.
    case countAndRowShare
    /// The value formatted like an axis.
    case value(Axis.Format)
    /// The value formatted like an axis, and under it "± spread" from `spreads`.
    case valueAndSpread(Axis.Format)
  }

  /// Row-major values, one array per row.
  public var values: [[Double]]
  public var rowLabels: [String]
  public var columnLabels: [String]
  public var rowTitle: String
  public var columnTitle: String
  public var cellText: CellText
  /// Color by each value's share of its row (confusion matrices) rather than by the value.
  public var colorsByRowShare: Bool
  public var colorbarTitle: String
  /// Each value's spread (a standard deviation over repeats), for `.valueAndSpread`.
  public var spreads: [[Double]]?

  public init(
    values: [[Double]], rowLabels: [String], columnLabels: [String], rowTitle: String, columnTitle: String,
    cellText: CellText, colorsByRowShare: Bool = false, colorbarTitle: String = "", spreads: [[Double]]? = nil
  ) {
    self.spreads = spreads
    self.values = values
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.rowTitle = rowTitle
    self.columnTitle = columnTitle
    self.cellText = cellText
    self.colorsByRowShare = colorsByRowShare
    self.colorbarTitle = colorbarTitle
  }
}

/// One grayscale image with a caption.
public struct ImageTile: Sendable {
  /// Row-major intensities in [0, 1] (0 black, 1 white); drawn white-on-black as MNIST is.
  public var pixels: [Float]
  public var rows: Int
  public var columns: Int
  public var caption: String
  /// Framed in the accent color (a mistake, say).
  public var highlighted: Bool

  public init(pixels: [Float], rows: Int, columns: Int, caption: String, highlighted: Bool = false) {
    self.pixels = pixels
    self.rows = rows
    self.columns = columns
    self.caption = caption
    self.highlighted = highlighted
  }
}

/// Images in a grid, scaled up without smoothing.
public struct ImageGrid: Sendable {
  public var images: [ImageTile]
  public var columns: Int

  public init(images: [ImageTile], columns: Int) {
    self.images = images
    self.columns = columns
  }
}

/// One point of a scatter chart.
public struct ScatterPoint: Sendable {
  public var x: Double
  public var y: Double
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// Points (search trials: a parameter against the score), one of them highlighted.
public struct ScatterChart: Sendable {
  public var points: [ScatterPoint]
  public var x: Axis
  public var y: Axis
  /// The index of the point to highlight (the best trial), and its label.
  public var highlighted: Int?
  public var highlightLabel: String

  public init(points: [ScatterPoint], x: Axis, y: Axis, highlighted: Int? = nil, highlightLabel: String = "") {
    self.points = points
    self.x = x
    self.y = y
    self.highlighted = highlighted
    self.highlightLabel = highlightLabel
  }
}

/// A figure that cannot be drawn as described.
public struct ChartError: Error, CustomStringConvertible, Sendable {
  public let figure: String
  public let message: String
  public init(_ figure: String, _ message: String) {
    self.figure = figure
    self.message = message
  }
  public var description: String { "figure '\(figure)': \(message)" }
}

/// Estimates with their intervals, one row per category and one dot per series, on a value
/// axis that need not reach zero: a dot-and-interval (forest) plot, as papers show
/// accuracies near 98%, where bars from an axis above zero would exaggerate differences.
/// Rows run down the chart with their labels on the left, so long names fit.
public struct IntervalChart: Sendable {
  /// One estimate per category, with its interval (or none).
  public struct Series: Sendable {
    public var name: String
    public var values: [Double]
    public var low: [Double]?
    public var high: [Double]?

    public init(_ name: String, values: [Double], low: [Double]? = nil, high: [Double]? = nil) {
      self.name = name
      self.values = values
      self.low = low
      self.high = high
    }
  }

  public var categories: [String]
  public var series: [Series]
  /// The value axis, along the bottom.
  public var x: Axis
  /// A value marked by a vertical line (0 for differences, a reference's accuracy), with
  /// its label.
  public var reference: (value: Double, label: String)?

  public init(categories: [String], series: [Series], x: Axis, reference: (value: Double, label: String)? = nil) {
    self.categories = categories
    self.series = series
    self.x = x
    self.reference = reference
  }
}
