import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import { useApi, useApiGet, useApiPost } from "../api/hooks";
import { useCurrentUser } from "../auth/AuthProvider";
import { BarChart } from "../charts";
import { AreaPage } from "../components/AreaPage";
import { ApiForm } from "../components/ApiForm";
import { DataTable, type Column } from "../components/DataTable";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { checks, SelectField } from "../components/FormFields";
import { formatDateTime, formatMoney, formatNumber, formatPeriod, formatRate } from "../components/format";
import { Section } from "../components/Section";
import { useApiForm } from "../components/useApiForm";
import { CASES_KEY, CasesBoard } from "./compliance/Cases";
import { PciScanner, PiiScanner } from "./compliance/Scanners";

const METHODS = ["card", "apple_pay", "google_pay", "paypal", "bank_transfer", "bnpl", "gift_card"] as const;

/** compliance-guardian's area: the fraud checker, high-risk payments, fraud statistics, the PCI
 * and PII scanners, the cases board, and (for admins) the audit log. */
export default function CompliancePage() {
  const me = useCurrentUser();
  return (
    <AreaPage area="/compliance">
      <FraudChecker />
      <FraudStatistics />
      <HighRisk />
      <CasesBoard />
      <PciScanner />
      <PiiScanner />
      {me.data?.role === "admin" ? (
        <AuditLog />
      ) : (
        <Section title="Audit log" source="GET /compliance/audit-log">
          <p>The audit log of every API call is shown to administrators only.</p>
        </Section>
      )}
    </AreaPage>
  );
}

function FraudChecker() {
  const check = useApiPost("/compliance/fraud-detection");
  const api = useApi();
  /** POST the case, then PATCH the check's outcome onto it as its first note (the case's history
   * keeps who noted what, and when) */
  const openCase = useMutation<Schemas["Case"], ApiError, { create: Schemas["CaseCreate"]; note: string }>({
    mutationFn: async ({ create, note }) => {
      try {
        const created = await unwrap(api.client.POST("/compliance/cases", { body: create }));
        const version = (created as { version?: number }).version;
        return await unwrap(
          api.client.PATCH("/compliance/cases/{caseId}", {
            params: { path: { caseId: created.caseId } },
            body: { note, ...(version !== undefined ? { version } : {}) } as Schemas["CaseUpdate"],
          }),
        );
      } catch (e) {
        throw asApiError(e);
      }
    },
  });
  const queryClient = useQueryClient();
  const [checked, setChecked] = useState<Schemas["FraudCheckRequest"] | null>(null);
  const form = useApiForm({
    initial: {
      amount: "249.99",
      currency: "USD",
      paymentMethod: "card",
      billingCountry: "US",
      shippingCountry: "US",
      ipCountry: "US",
      attempts: "1",
      customerId: "",
      cardBin: "",
    },
    check: (v) => ({
      amount: checks.number(v.amount, { min: 0, max: 1_000_000_000, what: "The amount" }),
      currency: checks.currency(v.currency),
      billingCountry: checks.country(v.billingCountry),
      shippingCountry: checks.country(v.shippingCountry),
      ipCountry: checks.country(v.ipCountry),
      attempts: checks.number(v.attempts, { min: 1, max: 50, what: "Attempts" }) ?? (Number.isInteger(Number(v.attempts)) ? undefined : "Attempts is a whole number."),
      customerId: v.customerId.trim() ? checks.id(v.customerId, "The customer id") : undefined,
      cardBin: v.cardBin.trim() && !/^[0-9]{6}$/.test(v.cardBin.trim()) ? "A card BIN is the first 6 digits." : undefined,
    }),
    submit: (v) => {
      const opt = (value: string) => value.trim() || undefined;
      const request: Schemas["FraudCheckRequest"] = {
        amount: Number(v.amount),
        currency: v.currency.trim(),
        paymentMethod: v.paymentMethod as (typeof METHODS)[number],
        attempts: Number(v.attempts),
        ...(opt(v.billingCountry) ? { billingCountry: opt(v.billingCountry) } : {}),
        ...(opt(v.shippingCountry) ? { shippingCountry: opt(v.shippingCountry) } : {}),
        ...(opt(v.ipCountry) ? { ipCountry: opt(v.ipCountry) } : {}),
        ...(opt(v.customerId) ? { customerId: opt(v.customerId) } : {}),
        ...(opt(v.cardBin) ? { cardBin: opt(v.cardBin) } : {}),
      };
      setChecked(request);
      openCase.reset();
      return check.mutateAsync(request);
    },
    resetOnEdit: false,
  });
  const a = check.data;
  const severity = a ? ({ high: "high", medium: "medium", low: "low" } as const)[a.riskLevel] : "low";
  return (
    <Section title="Fraud checker" source="POST /compliance/fraud-detection">
      <ApiForm form={{ ...form, mutation: check }} submitLabel="Check transaction" pendingLabel="Checking…">
        <div className="form-grid">
          <Field label="Amount" inputMode="decimal" {...form.field("amount")} />
          <Field label="Currency" maxLength={3} {...form.field("currency")} />
          <SelectField label="Payment method" options={[...METHODS]} {...form.field("paymentMethod")} />
          <Field label="Billing country" maxLength={2} {...form.field("billingCountry")} />
          <Field label="Shipping country" maxLength={2} {...form.field("shippingCountry")} />
          <Field label="IP country" maxLength={2} {...form.field("ipCountry")} />
          <Field label="Attempts" inputMode="numeric" {...form.field("attempts")} />
          <Field label="Customer id (optional)" placeholder="C000001" {...form.field("customerId")} />
          <Field label="Card BIN (optional)" inputMode="numeric" maxLength={6} {...form.field("cardBin")} />
        </div>
      </ApiForm>
      {a && checked && (
        <div className="split fraud-result">
          <div>
            <p className="score" aria-label={`Fraud score ${formatRate(a.score)}`}>
              {formatRate(a.score)}
            </p>
            <meter className="meter" min={0} max={1} low={0.3} high={0.7} optimum={0} value={a.score} aria-label="Fraud score" />
            <p>
              Decision: <span className={`badge badge-${a.decision}`}>{a.decision}</span> · risk{" "}
              <span className={`badge badge-${a.riskLevel}`}>{a.riskLevel}</span>
              {a.modelVersion && <span className="insight-meta"> · model {a.modelVersion}</span>}
            </p>
            <button
              type="button"
              disabled={openCase.isPending || openCase.isSuccess}
              onClick={() =>
                openCase.mutate(
                  {
                    create: {
                      title: `Review ${checked.paymentMethod} payment of ${formatMoney(checked.amount, checked.currency)} (score ${formatRate(a.score)})`,
                      severity,
                      ...(checked.customerId ? { entityType: "customer" as const, entityId: checked.customerId } : {}),
                      tags: ["fraud-check"],
                    },
                    note: `Fraud check: ${a.decision}, ${a.reasons.map((r) => r.message).join("; ") || "no reasons given"}.`,
                  },
                  { onSuccess: () => void queryClient.invalidateQueries({ queryKey: CASES_KEY }) },
                )
              }
            >
              {openCase.isSuccess ? "Case opened" : openCase.isPending ? "Opening…" : "Open a case"}
            </button>
            {openCase.data && (
              <p role="status" className="alert alert-success">
                Case opened: {openCase.data.title}
              </p>
            )}
            {openCase.error && <ErrorAlert error={openCase.error} />}
          </div>
          <div>
            <h3>Reasons</h3>
            {a.reasons.length === 0 ? (
              <p>No risk factor stood out.</p>
            ) : (
              <>
                {a.reasons.some((r) => r.contribution !== undefined) && (
                  <BarChart
                    label={`What drove the score: ${a.reasons.map((r) => r.code).join(", ")}`}
                    bars={a.reasons.map((r) => ({ label: r.code, value: r.contribution ?? 0 }))}
                    formatValue={(v) => formatRate(v)}
                    width={440}
                  />
                )}
                <ul className="plain-list reasons">
                  {a.reasons.map((r) => (
                    <li key={r.code}>
                      <strong>{r.code}</strong>: {r.message}
                      {r.contribution !== undefined && ` (${formatRate(r.contribution)} of the score)`}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
      )}
    </Section>
  );
}

type Breakdown = Schemas["FraudBreakdown"];
const FIGURES: Column<Breakdown>[] = [
  { header: "Payments", cell: (row) => formatNumber(row.transactions), sort: (r) => r.transactions, numeric: true },
  { header: "Fraudulent", cell: (row) => formatNumber(row.fraudulent), sort: (r) => r.fraudulent, numeric: true },
  { header: "Fraud rate", cell: (row) => formatRate(row.fraudRate), sort: (r) => r.fraudRate, numeric: true },
];

function BreakdownView({
  caption,
  keyLabel,
  rows,
  chartTop = 12,
  half = false,
}: {
  caption: string;
  keyLabel: string;
  rows: Breakdown[];
  chartTop?: number;
  /** drawn in half a row */
  half?: boolean;
}) {
  if (rows.length === 0) return null;
  const ranked = [...rows].sort((a, b) => b.fraudRate - a.fraudRate);
  return (
    <div>
      <BarChart
        label={`Fraud rate ${caption.toLowerCase()}: ${ranked
          .slice(0, 3)
          .map((r) => `${r.key} ${formatRate(r.fraudRate)}`)
          .join(", ")}`}
        bars={ranked.slice(0, chartTop).map((r) => ({ label: r.key, value: r.fraudRate }))}
        formatValue={formatRate}
        width={half ? 440 : undefined}
      />
      <DataTable
        caption={caption}
        columns={[{ header: keyLabel, cell: (row) => row.key, sort: (r) => r.key }, ...FIGURES]}
        rows={ranked}
        rowKey={(row) => row.key}
        pageSize={10}
      />
    </div>
  );
}

function FraudStatistics() {
  const stats = useApiGet("/compliance/fraud-statistics");
  return (
    <Section title="Fraud statistics" source="GET /compliance/fraud-statistics" query={stats}>
      {(s) => (
        <>
          <p>{formatPeriod(s.period)}</p>
          <dl className="facts">
            <dt>Payments</dt>
            <dd>{formatNumber(s.transactions)}</dd>
            <dt>Confirmed fraud</dt>
            <dd>
              {formatNumber(s.fraudulent)} ({formatRate(s.fraudRate)})
            </dd>
            {s.fraudAmountUsd !== undefined && (
              <>
                <dt>Fraud amount</dt>
                <dd>{formatMoney(s.fraudAmountUsd)}</dd>
              </>
            )}
            {s.chargebacks !== undefined && (
              <>
                <dt>Chargebacks</dt>
                <dd>
                  {formatNumber(s.chargebacks)}
                  {s.chargebackRate !== undefined && ` (${formatRate(s.chargebackRate)})`}
                </dd>
              </>
            )}
          </dl>
          <div className="split">
            <BreakdownView caption="By payment method" keyLabel="Method" rows={s.byMethod} half />
            <BreakdownView caption="By amount band (USD)" keyLabel="Band" rows={s.byAmountBand} half />
          </div>
          <BreakdownView caption="By billing country, highest rate first" keyLabel="Country" rows={s.byCountry} />
        </>
      )}
    </Section>
  );
}

function HighRisk() {
  const page = useApiGet("/compliance/high-risk-transactions", { query: { limit: 50 } });
  return (
    <Section title="High-risk transactions" source="GET /compliance/high-risk-transactions" query={page}>
      {(p) => (
        <DataTable
          caption={`Payments scored as high risk${p.period ? `, ${formatPeriod(p.period)}` : ""}`}
          rows={p.items}
          rowKey={(t) => t.paymentId}
          pageSize={10}
          empty="No high-risk payments in this period."
          columns={[
            { header: "Payment", cell: (t) => t.paymentId, sort: (t) => t.paymentId },
            { header: "When", cell: (t) => formatDateTime(t.createdAt), sort: (t) => t.createdAt },
            { header: "Amount", cell: (t) => formatMoney(t.amount, t.currency), sort: (t) => t.amountUsd ?? t.amount, numeric: true },
            { header: "Method", cell: (t) => t.paymentMethod ?? "—", sort: (t) => t.paymentMethod },
            { header: "Countries", cell: (t) => [t.billingCountry, t.ipCountry].filter(Boolean).join(" / IP ") || "—" },
            { header: "Score", cell: (t) => formatRate(t.score), sort: (t) => t.score, numeric: true },
            { header: "Decision", cell: (t) => <span className={`badge badge-${t.decision}`}>{t.decision}</span>, sort: (t) => t.decision },
            { header: "Reasons", cell: (t) => t.reasons?.join(", ") ?? "" },
          ]}
        />
      )}
    </Section>
  );
}

function AuditLog() {
  const [status, setStatus] = useState("");
  const page = useApiGet("/compliance/audit-log", { query: { limit: 100, ...(status ? { status: Number(status) } : {}) } });
  return (
    <Section
      title="Audit log"
      source="GET /compliance/audit-log"
      query={page}
      actions={
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          options={[{ value: "", label: "Any" }, "200", "201", "204", "400", "401", "403", "404", "409", "422", "429", "500"]}
        />
      }
    >
      {(p) => (
        <DataTable
          caption="API calls, newest first"
          rows={p.items}
          rowKey={(e) => e.eventId}
          pageSize={20}
          empty="No calls recorded."
          columns={[
            { header: "When", cell: (e) => formatDateTime(e.timestamp), sort: (e) => e.timestamp },
            { header: "Who", cell: (e) => e.email ?? e.userId ?? "anonymous", sort: (e) => e.email ?? e.userId },
            { header: "Call", cell: (e) => <code>{`${e.method} ${e.path}`}</code>, sort: (e) => e.path },
            { header: "Status", cell: (e) => e.status, sort: (e) => e.status, numeric: true },
            { header: "Latency", cell: (e) => (e.latencyMs !== undefined ? `${formatNumber(e.latencyMs)} ms` : "—"), sort: (e) => e.latencyMs, numeric: true },
            { header: "From", cell: (e) => e.sourceIp ?? "—" },
          ]}
        />
      )}
    </Section>
  );
}
