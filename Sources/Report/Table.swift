/// A table as the templates see it: a caption, column headers with their alignment, and rows
/// of already formatted text. Mustache has no logic, so everything a template needs to draw
/// a Markdown or an HTML table is spelled out here (the Markdown alignment row, CSS classes).
struct TableView {
  struct Column {
    let title: String
    /// "left" or "right" (numbers).
    let align: String
    /// The Markdown separator cell: `---` or `---:`.
    let rule: String
    /// The title as HTML that may break after an underscore (`learning_<wbr />rate`), so that a
    /// table of study-file names fits the page. Stored: the templates see stored properties only.
    let titleHTML: String

    init(title: String, align: String, rule: String) {
      self.title = title
      self.align = align
      self.rule = rule
      titleHTML = SafeHTML.escape(title).replacingOccurrences(of: "_", with: "_<wbr />")
    }
  }

  struct Cell {
    let text: String
    let align: String
    /// Set in an emphasized row, for a cell that has text to emphasize.
    let strong: Bool
  }

  struct Row {
    let cells: [Cell]
    /// A highlighted row (the best candidate, a total).
    let emphasis: Bool
  }

  let caption: String
  let columns: [Column]
  let rows: [Row]
  /// Where the table's label ("Table 12", anchored) goes (see ``Numbering``); stored, as the
  /// templates see stored properties only.
  let label = Numbering.tableMark
}

/// Builds a `TableView` row by row.
struct TableBuilder {
  enum Alignment {
    case left, right
  }

  private let caption: String
  private let titles: [String]
  private let alignments: [Alignment]
  private var rows: [TableView.Row] = []

  /// Columns given as title and alignment: numbers align right.
  init(_ caption: String, columns: [(String, Alignment)]) {
    self.caption = caption
    titles = columns.map(\.0)
    alignments = columns.map(\.1)
  }

  mutating func add(_ cells: [String], emphasis: Bool = false) {
    precondition(cells.count == titles.count, "a row of \(cells.count) cells for \(titles.count) columns")
    rows.append(
      TableView.Row(
        cells: zip(cells, alignments).map {
          TableView.Cell(
            text: $0, align: $1 == .left ? "left" : $0.count > 12 ? "right long" : "right",
            strong: emphasis && !$0.isEmpty)
        },
        emphasis: emphasis))
  }

  var table: TableView {
    TableView(
      caption: caption,
      columns: zip(titles, alignments).map {
        TableView.Column(title: $0, align: $1 == .right ? "right" : "left", rule: $1 == .right ? "---:" : "---")
      },
      rows: rows)
  }
}
