import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "../../api/client";
import { useApi, useApiGet, useApiPost } from "../../api/hooks";
import { asApiError, type ApiError } from "../../api/errors";
import { ApiForm } from "../../components/ApiForm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Field } from "../../components/Field";
import { SelectField } from "../../components/FormFields";
import { formatDateTime } from "../../components/format";
import { Section } from "../../components/Section";
import { useApiForm } from "../../components/useApiForm";

type Case = Schemas["Case"];
type Status = Case["status"];
const COLUMNS: { status: Status; title: string }[] = [
  { status: "open", title: "Open" },
  { status: "investigating", title: "Investigating" },
  { status: "resolved", title: "Resolved" },
  { status: "dismissed", title: "Dismissed" },
];
/** where a case may go from each status (the contract's lifecycle; a closed case stays closed) */
const NEXT: Record<Status, { status: Status; label: string }[]> = {
  open: [
    { status: "investigating", label: "Investigate" },
    { status: "dismissed", label: "Dismiss" },
  ],
  investigating: [
    { status: "resolved", label: "Resolve" },
    { status: "dismissed", label: "Dismiss" },
  ],
  resolved: [],
  dismissed: [],
};
export const CASES_KEY = ["get", "/compliance/cases"];

/** The cases board (GET /compliance/cases): a column per status, each card with the moves its
 * status allows (PATCH with the case's version, so a stale board gets the API's 409 in words),
 * and the form that opens a case (POST). */
export function CasesBoard() {
  const cases = useApiGet("/compliance/cases", { query: { limit: 100 } });
  return (
    <Section title="Cases" source="GET /compliance/cases · PATCH /compliance/cases/{caseId}" query={cases}>
      {(page) => (
        <>
          <div className="board">
            {COLUMNS.map((column) => {
              const items = page.items.filter((c) => c.status === column.status);
              return (
                <section key={column.status} className="board-column" aria-label={`${column.title} cases`}>
                  <h3>
                    {column.title} ({items.length})
                  </h3>
                  {items.map((c) => (
                    <CaseCard key={c.caseId} item={c} />
                  ))}
                </section>
              );
            })}
          </div>
          <NewCase />
        </>
      )}
    </Section>
  );
}

function CaseCard({ item }: { item: Case }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const move = useMutation({
    mutationFn: (status: Status) => {
      const version = (item as { version?: number }).version;
      const closing = status === "resolved" || status === "dismissed";
      return unwrap(
        api.client.PATCH("/compliance/cases/{caseId}", {
          params: { path: { caseId: item.caseId } },
          body: {
            status,
            ...(version !== undefined ? { version } : {}),
            ...(closing ? { resolution: `${status === "resolved" ? "Resolved" : "Dismissed"} from the cases board` } : {}),
          } as Schemas["CaseUpdate"],
        }),
      );
    },
    onMutate: () => setError(null),
    onError: (e) => setError(asApiError(e)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: CASES_KEY }),
  });
  return (
    <article className="case-card" aria-label={item.title}>
      <p>
        <span className={`badge badge-${item.severity}`}>{item.severity}</span> <strong>{item.title}</strong>
      </p>
      {item.entityType && (
        <p className="insight-meta">
          {item.entityType} {item.entityId}
        </p>
      )}
      <p className="insight-meta">
        Opened {formatDateTime(item.createdAt)}
        {item.assignee && ` · ${item.assignee}`}
      </p>
      {item.resolution && <p>{item.resolution}</p>}
      {NEXT[item.status].length > 0 && (
        <div className="actions">
          {NEXT[item.status].map((n) => (
            <button
              key={n.status}
              type="button"
              className="button-secondary"
              disabled={move.isPending}
              onClick={() => move.mutate(n.status)}
              aria-label={`${n.label}: ${item.title}`}
            >
              {n.label}
            </button>
          ))}
        </div>
      )}
      {error && <ErrorAlert error={error} />}
    </article>
  );
}

function NewCase() {
  const queryClient = useQueryClient();
  const create = useApiPost("/compliance/cases");
  const form = useApiForm({
    initial: { title: "", severity: "medium", description: "" },
    check: (v) => ({
      title: !v.title.trim() ? "Give the case a title." : v.title.length > 200 ? "At most 200 characters." : undefined,
    }),
    submit: (v) =>
      create.mutateAsync({
        title: v.title.trim(),
        severity: v.severity as Case["severity"],
        ...(v.description.trim() ? { description: v.description.trim() } : {}),
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: CASES_KEY }),
    clearOnSuccess: true,
  });
  return (
    <ApiForm form={{ ...form, mutation: create }} submitLabel="Open case" pendingLabel="Opening…" success="The case was opened.">
      <h3>Open a case</h3>
      <Field label="Title" {...form.field("title")} />
      <SelectField label="Severity" options={["low", "medium", "high", "critical"]} {...form.field("severity")} />
      <Field label="Description (optional)" {...form.field("description")} />
    </ApiForm>
  );
}
