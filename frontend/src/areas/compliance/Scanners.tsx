import type { Schemas } from "../../api/client";
import { useApiPost } from "../../api/hooks";
import { ApiForm } from "../../components/ApiForm";
import { DataTable } from "../../components/DataTable";
import { checks, SelectField, TextAreaField } from "../../components/FormFields";
import { formatNumber } from "../../components/format";
import { Section } from "../../components/Section";
import { useApiForm } from "../../components/useApiForm";

/** Text typed into a scanner: JSON when it parses as JSON, else the text itself. */
function payloadOf(text: string): unknown {
  const trimmed = text.trim();
  if (/^[[{"]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      /* not JSON after all: scanned as text */
    }
  }
  return text;
}

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

function Findings({ caption, findings }: { caption: string; findings: Schemas["ScanFinding"][] }) {
  return (
    <DataTable
      caption={caption}
      rows={findings.map((f, i) => ({ ...f, i }))}
      rowKey={(f) => f.i}
      pageSize={10}
      empty="Nothing found."
      columns={[
        { header: "Type", cell: (f) => f.type.replace("_", " "), sort: (f) => f.type },
        { header: "Where", cell: (f) => <code>{f.path || "(the text)"}</code>, sort: (f) => f.path },
        { header: "Masked", cell: (f) => <code>{f.masked}</code> },
        { header: "Kind", cell: (f) => f.brand ?? f.subtype ?? "—" },
      ]}
    />
  );
}

export function PciScanner() {
  const scan = useApiPost("/compliance/pci-compliance");
  const form = useApiForm({
    initial: { payload: "", keepLast: "4" },
    check: (v) => ({
      payload: v.payload.trim() ? undefined : "Paste the text or JSON to scan.",
      keepLast: checks.number(v.keepLast, { min: 0, max: 4, what: "Digits kept" }),
    }),
    submit: (v) => scan.mutateAsync({ payload: payloadOf(v.payload), keepLast: Number(v.keepLast) }),
  });
  const r = scan.data;
  return (
    <Section title="PCI scanner" source="POST /compliance/pci-compliance">
      <ApiForm form={{ ...form, mutation: scan }} submitLabel="Scan for card data" pendingLabel="Scanning…">
        <TextAreaField label="Text or JSON to scan" spellCheck={false} {...form.field("payload")} />
        <SelectField label="Digits kept" options={["4", "3", "2", "1", "0"]} {...form.field("keepLast")} />
      </ApiForm>
      {r && (
        <>
          <p role="status">
            {r.compliant ? "No card data found: compliant." : `${formatNumber(r.findingCount)} finding${r.findingCount === 1 ? "" : "s"}: not compliant.`}
          </p>
          <h3>Masked</h3>
          <pre className="output" aria-label="Masked output">
            {show(r.masked)}
          </pre>
          <Findings caption="Card data found" findings={r.findings} />
        </>
      )}
    </Section>
  );
}

export function PiiScanner() {
  const scan = useApiPost("/compliance/pii-scan");
  const form = useApiForm({
    initial: { payload: "", redaction: "mask" },
    check: (v) => ({ payload: v.payload.trim() ? undefined : "Paste the text or JSON to scan." }),
    submit: (v) => scan.mutateAsync({ payload: payloadOf(v.payload), redaction: v.redaction as "mask" | "remove" | "hash" }),
  });
  const r = scan.data;
  return (
    <Section title="PII scanner" source="POST /compliance/pii-scan">
      <ApiForm form={{ ...form, mutation: scan }} submitLabel="Scan for personal data" pendingLabel="Scanning…">
        <TextAreaField label="Text or JSON to scan for personal data" spellCheck={false} {...form.field("payload")} />
        <SelectField
          label="Redaction"
          options={[
            { value: "mask", label: "Mask" },
            { value: "remove", label: "Remove" },
            { value: "hash", label: "Hash" },
          ]}
          {...form.field("redaction")}
        />
      </ApiForm>
      {r && (
        <>
          <p role="status">
            {formatNumber(r.findingCount)} finding{r.findingCount === 1 ? "" : "s"}:{" "}
            {Object.entries(r.countsByType)
              .map(([type, n]) => `${type} ${n}`)
              .join(", ")}
            .
          </p>
          <h3>Redacted</h3>
          <pre className="output" aria-label="Redacted output">
            {show(r.redacted)}
          </pre>
          <Findings caption="Personal data found" findings={r.findings} />
        </>
      )}
    </Section>
  );
}
