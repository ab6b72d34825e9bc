import { useState, type Key, type ReactNode } from "react";

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** the value the column sorts by; none: the column does not sort */
  sort?: (row: Row) => number | string | undefined;
  /** right-aligned figures */
  numeric?: boolean;
}

interface Props<Row> {
  caption: string;
  /** the first column heads each row (`<th scope="row">`) */
  columns: readonly [Column<Row>, ...Column<Row>[]];
  rows: readonly Row[];
  rowKey: (row: Row) => Key;
  /** shown instead of an empty table; none: nothing is drawn */
  empty?: ReactNode;
  /** rows per page; more rows get Previous / Next (default: all on one page) */
  pageSize?: number;
  /** a row to highlight (e.g. the one whose details are open) */
  selected?: Key;
}

type Sort = { index: number; direction: "ascending" | "descending" } | null;

function compare(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** A captioned table of rows, scrolling sideways on a narrow screen; columns with a `sort` sort
 * on a click of their header (aria-sort says how), long tables page. */
export function DataTable<Row>({ caption, columns, rows, rowKey, empty, pageSize, selected }: Props<Row>) {
  const [sort, setSort] = useState<Sort>(null);
  const [page, setPage] = useState(0);
  if (rows.length === 0) return empty ? <p className="table-empty">{empty}</p> : null;

  let ordered = rows;
  const by = sort ? columns[sort.index]?.sort : undefined;
  if (sort && by) {
    const sign = sort.direction === "ascending" ? 1 : -1;
    ordered = [...rows].sort((a, b) => sign * compare(by(a), by(b)));
  }
  const size = pageSize ?? rows.length;
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(page, pages - 1);
  const shown = ordered.slice(current * size, current * size + size);

  const toggle = (index: number) => {
    setSort((s) =>
      s?.index === index
        ? { index, direction: s.direction === "ascending" ? "descending" : "ascending" }
        : { index, direction: "descending" },
    );
    setPage(0);
  };

  const [head, ...rest] = columns;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th
                scope="col"
                key={c.header}
                className={c.numeric ? "numeric" : undefined}
                aria-sort={c.sort ? (sort?.index === i ? sort.direction : "none") : undefined}
              >
                {c.sort ? (
                  <button type="button" className="sort-button" onClick={() => toggle(i)}>
                    {c.header}
                  </button>
                ) : (
                  c.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const key = rowKey(row);
            return (
              <tr key={key} className={selected !== undefined && key === selected ? "row-selected" : undefined}>
                <th scope="row">{head.cell(row)}</th>
                {rest.map((c) => (
                  <td key={c.header} className={c.numeric ? "numeric" : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {pages > 1 && (
        <div className="pager">
          <button
            type="button"
            className="button-secondary"
            onClick={() => setPage(current - 1)}
            disabled={current === 0}
            aria-label={`Previous page of ${caption}`}
          >
            Previous
          </button>
          <span>
            Rows {current * size + 1}–{Math.min(rows.length, (current + 1) * size)} of {rows.length}
          </span>
          <button
            type="button"
            className="button-secondary"
            onClick={() => setPage(current + 1)}
            disabled={current >= pages - 1}
            aria-label={`Next page of ${caption}`}
          >
            Next
          </button>
        </div>
      )}
    </div>
  );
}
