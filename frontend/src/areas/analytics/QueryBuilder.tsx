import { useState } from "react";
import type { Schemas } from "../../api/client";
import { useApiGet, useApiPost } from "../../api/hooks";
import { BarChart, dateToX, LineChart } from "../../charts";
import { ApiForm } from "../../components/ApiForm";
import { DataTable } from "../../components/DataTable";
import { Field } from "../../components/Field";
import { checks, SelectField } from "../../components/FormFields";
import { formatNumber } from "../../components/format";
import { hasProblems, type Problems } from "../../components/formErrors";
import { Section } from "../../components/Section";

type Dataset = Schemas["Dataset"];
type Result = Schemas["QueryResult"];
type Agg = Schemas["QueryMetric"]["agg"];
const AGGS: Agg[] = ["sum", "avg", "count", "count_distinct", "min", "max"];
const OPS: Schemas["QueryFilter"]["op"][] = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "between"];
const NUMERIC = /int|double|float|decimal|number|real/i;

interface Values {
  dataset: string;
  agg: string;
  metric: string;
  dimension: string;
  dimension2: string;
  filterField: string;
  filterOp: string;
  filterValue: string;
  from: string;
  to: string;
  limit: string;
}

/** The structured query (POST /analytics/query) as a form over the data lake's own catalog
 * (GET /analytics/datasets): pick a table, a metric and up to two dimensions, filter, and see
 * the rows as a table, and as a chart when they have a date or one dimension. */
export function QueryBuilder() {
  const datasets = useApiGet("/analytics/datasets");
  return (
    <Section title="Query builder" source="POST /analytics/query" query={datasets}>
      {(list) => <QueryForm datasets={list.datasets} />}
    </Section>
  );
}

function parseValue(op: string, raw: string): unknown {
  const one = (s: string): string | number | boolean => {
    const t = s.trim();
    if (t === "true" || t === "false") return t === "true";
    return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t;
  };
  return op === "in" || op === "between" ? raw.split(",").map(one) : one(raw);
}

function QueryForm({ datasets }: { datasets: Dataset[] }) {
  const first = datasets.find((d) => d.name === "orders") ?? datasets[0];
  const [values, setValues] = useState<Values>({
    dataset: first?.name ?? "",
    agg: "count",
    metric: "",
    dimension: "",
    dimension2: "",
    filterField: "",
    filterOp: "eq",
    filterValue: "",
    from: "",
    to: "",
    limit: "100",
  });
  const [problems, setProblems] = useState<Problems>({});
  const query = useApiPost("/analytics/query");
  const dataset = datasets.find((d) => d.name === values.dataset);
  const columns = dataset?.columns ?? [];
  const numeric = columns.filter((c) => NUMERIC.test(c.type));
  const set = (name: keyof Values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value, ...(name === "dataset" ? { metric: "", dimension: "", dimension2: "", filterField: "" } : {}) }));

  const check = (v: Values): Problems => ({
    metric: v.agg === "count" || v.metric ? undefined : "Choose the column to aggregate.",
    dimension2: v.dimension2 && v.dimension2 === v.dimension ? "Choose two different dimensions." : undefined,
    filterValue: v.filterField && !v.filterValue.trim() ? "Give the value to compare with." : undefined,
    limit: checks.number(v.limit, { min: 1, max: 10000, what: "The row limit" }),
    to: v.from && v.to && v.from > v.to ? "The end is before the start." : undefined,
  });

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const found = check(values);
    setProblems(found);
    if (hasProblems(found)) return;
    const metricField = values.metric || columns[0]?.name || "*";
    query.mutate({
      dataset: values.dataset as Schemas["StructuredQuery"]["dataset"],
      metrics: [{ field: metricField, agg: values.agg as Agg, alias: `${values.agg}_${metricField}`.replace(/[^A-Za-z0-9_]/g, "_") }],
      dimensions: [values.dimension, values.dimension2].filter(Boolean),
      filters: values.filterField
        ? [{ field: values.filterField, op: values.filterOp as Schemas["QueryFilter"]["op"], value: parseValue(values.filterOp, values.filterValue) }]
        : [],
      ...(values.dimension ? { orderBy: [{ field: `${values.agg}_${metricField}`.replace(/[^A-Za-z0-9_]/g, "_"), direction: "desc" as const }] } : {}),
      ...(values.from ? { from: values.from } : {}),
      ...(values.to ? { to: values.to } : {}),
      limit: Number(values.limit),
    });
  };
  const apiErrors = (field: string) => [...(problems[field] ? [problems[field]!] : []), ...(query.error?.fieldMessages(field) ?? [])];
  const columnOptions = (list: typeof columns, none: string) => [{ value: "", label: none }, ...list.map((c) => ({ value: c.name, label: `${c.name} (${c.type})` }))];

  return (
    <>
      <ApiForm
        form={{ onSubmit, fields: ["dataset", "metrics", "dimensions", "filters", "limit", "from", "to"], mutation: query }}
        submitLabel="Run query"
        pendingLabel="Running…"
      >
        <div className="form-grid">
          <SelectField
            label="Dataset"
            value={values.dataset}
            onChange={set("dataset")}
            options={datasets.map((d) => ({ value: d.name, label: `${d.name} (${formatNumber(d.rowCount)} rows)` }))}
            errors={apiErrors("dataset")}
          />
          <SelectField label="Aggregate" value={values.agg} onChange={set("agg")} options={AGGS} />
          <SelectField
            label="Of column"
            value={values.metric}
            onChange={set("metric")}
            options={columnOptions(values.agg === "count" || values.agg === "count_distinct" ? columns : numeric, values.agg === "count" ? "(rows)" : "Choose…")}
            errors={[...apiErrors("metric"), ...(query.error?.fieldMessages("metrics") ?? []), ...(query.error?.fieldMessages("metrics[0].field") ?? [])]}
          />
          <SelectField label="By" value={values.dimension} onChange={set("dimension")} options={columnOptions(columns, "(no dimension)")} errors={query.error?.fieldMessages("dimensions") ?? []} />
          <SelectField label="And by" value={values.dimension2} onChange={set("dimension2")} options={columnOptions(columns, "(none)")} errors={apiErrors("dimension2")} />
          <SelectField label="Filter on" value={values.filterField} onChange={set("filterField")} options={columnOptions(columns, "(no filter)")} errors={query.error?.fieldMessages("filters") ?? []} />
          <SelectField label="Comparison" value={values.filterOp} onChange={set("filterOp")} options={OPS} />
          <Field label="Filter value" value={values.filterValue} onChange={set("filterValue")} errors={apiErrors("filterValue")} hint="Lists (in, between): comma-separated." />
          <Field label="From" type="date" value={values.from} onChange={set("from")} errors={apiErrors("from")} />
          <Field label="To" type="date" value={values.to} onChange={set("to")} errors={apiErrors("to")} />
          <Field label="Row limit" inputMode="numeric" value={values.limit} onChange={set("limit")} errors={apiErrors("limit")} />
        </div>
      </ApiForm>
      {query.data && <QueryResultView result={query.data} />}
    </>
  );
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatNumber(value, 2);
  return String(value);
}

/** The rows as a table; a line chart when the first column is a date, a bar chart when there
 * is one dimension and a numeric metric. */
export function QueryResultView({ result }: { result: Result }) {
  const { columns, rows } = result;
  const metricIndex = columns.findIndex((c, i) => i > 0 && (c.type === "number" || c.type === "integer"));
  const first = columns[0];
  let chart = null;
  if (first && metricIndex > 0 && rows.length > 1) {
    if (first.type === "date" || first.type === "timestamp") {
      const points = rows
        .filter((r) => typeof r[0] === "string" && typeof r[metricIndex] === "number")
        .map((r) => ({ x: dateToX(r[0] as string), y: r[metricIndex] as number }))
        .sort((a, b) => a.x - b.x);
      chart = <LineChart label={`${columns[metricIndex]!.name} by ${first.name}`} series={[{ name: columns[metricIndex]!.name, points }]} />;
    } else if (metricIndex === 1) {
      chart = (
        <BarChart
          label={`${columns[1]!.name} by ${first.name}`}
          bars={rows.slice(0, 20).map((r) => ({ label: cellText(r[0]), value: Number(r[1]) || 0 }))}
        />
      );
    }
  }
  const head = columns[0]?.name ?? "row";
  return (
    <div className="query-result">
      <p>
        {formatNumber(result.rowCount)} row{result.rowCount === 1 ? "" : "s"}
        {result.truncated ? " (more matched: raise the limit)" : ""}
        {result.elapsedMs !== undefined && ` in ${formatNumber(result.elapsedMs)} ms`}
        {result.engine && ` on ${result.engine}`}.
      </p>
      {chart}
      <DataTable
        caption={`Result from ${result.dataset}`}
        rows={rows.map((r, i) => ({ r, i }))}
        rowKey={({ i }) => i}
        pageSize={20}
        empty="No rows matched."
        columns={[
          { header: head, cell: ({ r }) => cellText(r[0]), sort: ({ r }) => r[0] as string },
          ...columns.slice(1).map((c, j) => ({
            header: c.name,
            numeric: c.type === "number" || c.type === "integer",
            cell: ({ r }: { r: unknown[] }) => cellText(r[j + 1]),
            sort: ({ r }: { r: unknown[] }) => r[j + 1] as number,
          })),
        ]}
      />
    </div>
  );
}
