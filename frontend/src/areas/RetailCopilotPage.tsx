import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import { useApi, useApiGet, useApiPost } from "../api/hooks";
import { AreaPage } from "../components/AreaPage";
import { DataTable } from "../components/DataTable";
import { ErrorAlert } from "../components/ErrorAlert";
import { TextAreaField } from "../components/FormFields";
import { formatDateTime, formatNumber } from "../components/format";
import { Markdown } from "../components/Markdown";
import { Section } from "../components/Section";

type ChatResponse = Schemas["ChatResponse"];
const LIST_KEY = ["get", "/copilot/conversations"];
/** questions to start from when there is no conversation yet (the copilot's own suggestions
 * follow each answer) */
const STARTERS = ["What were total sales last month?", "Top 5 products by revenue", "Which customers are at risk?"];

/** retail-copilot's area: the conversations, and a chat whose answers show as Markdown with the
 * table behind them, their sources and follow-up suggestions. */
export default function RetailCopilotPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [conversationId, setConversationId] = useState<string | null>(null);
  /** the full answers of this visit by message id (a stored conversation keeps only the text) */
  const [answers, setAnswers] = useState<Record<string, ChatResponse>>({});
  const [message, setMessage] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const conversations = useApiGet("/copilot/conversations", { query: { limit: 50 } });
  const conversation = useApiGet(
    "/copilot/conversations/{conversationId}",
    { path: { conversationId: conversationId ?? "" } },
    { enabled: !!conversationId },
  );
  const chat = useApiPost("/copilot/chat");
  const remove = useMutation<unknown, ApiError, string>({
    mutationFn: (id) =>
      unwrap(api.client.DELETE("/copilot/conversations/{conversationId}", { params: { path: { conversationId: id } } })).catch((e: unknown) =>
        Promise.reject(asApiError(e)),
      ),
    onSuccess: () => {
      setConversationId(null);
      void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });

  const send = (text: string) => {
    const trimmed = text.trim();
    const found = !trimmed ? "Type a question." : trimmed.length > 4000 ? "At most 4,000 characters." : undefined;
    setProblem(found);
    if (found) return;
    chat.mutate(
      { message: trimmed, ...(conversationId ? { conversationId } : {}) },
      {
        onSuccess: (answer) => {
          setAnswers((a) => ({ ...a, [answer.messageId]: answer }));
          setConversationId(answer.conversationId);
          setMessage("");
          void queryClient.invalidateQueries({ queryKey: LIST_KEY });
          void queryClient.invalidateQueries({ queryKey: ["get", "/copilot/conversations/{conversationId}"] });
        },
      },
    );
  };

  const messages = conversationId ? (conversation.data?.messages ?? []) : [];
  // The answer just received shows even before the conversation is fetched again.
  const latest = chat.data && chat.data.conversationId === conversationId && !messages.some((m) => m.messageId === chat.data!.messageId) ? chat.data : null;

  return (
    <AreaPage area="/copilot">
      <div className="chat">
        <Section title="Conversations" source="GET /copilot/conversations" query={conversations}>
          {(page) => (
            <>
              <button type="button" className="button-secondary" onClick={() => setConversationId(null)}>
                New conversation
              </button>
              {page.items.length === 0 ? (
                <p>You have no conversations yet.</p>
              ) : (
                <ul className="conversation-list">
                  {page.items.map((c) => (
                    <li key={c.conversationId} aria-current={c.conversationId === conversationId || undefined}>
                      <button type="button" className="link-button conversation-title" onClick={() => setConversationId(c.conversationId)}>
                        {c.title}
                      </button>
                      <p className="conversation-meta">
                        {formatNumber(c.messageCount)} message{c.messageCount === 1 ? "" : "s"} · last {formatDateTime(c.updatedAt)}
                      </p>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </Section>
        <Section
          title={conversation.data && conversationId ? conversation.data.title : "New conversation"}
          source="POST /copilot/chat"
          actions={
            conversationId && (
              <button type="button" className="button-secondary" onClick={() => remove.mutate(conversationId)} disabled={remove.isPending}>
                Delete conversation
              </button>
            )
          }
        >
          {conversation.error && <ErrorAlert error={conversation.error} />}
          {remove.error && <ErrorAlert error={remove.error} />}
          {messages.length === 0 && !latest && !chat.isPending && (
            <>
              <p>Ask about sales, products, categories, regions, customers, orders, stock, fraud or forecasts.</p>
              <Suggestions items={STARTERS} onPick={send} disabled={chat.isPending} />
            </>
          )}
          <ol className="messages" aria-label="Messages">
            {messages.map((m) => (
              <ChatMessage key={m.messageId} role={m.role} content={m.content} sources={m.sources} answer={answers[m.messageId]} onPick={send} />
            ))}
            {latest && <ChatMessage role="assistant" content={latest.answer} sources={latest.sources} answer={latest} onPick={send} />}
            {chat.isPending && chat.variables && (
              <>
                {!messages.some((m) => m.role === "user" && m.content === chat.variables!.message) && (
                  <ChatMessage role="user" content={chat.variables.message} />
                )}
                <li className="message" role="status">
                  Thinking…
                </li>
              </>
            )}
          </ol>
          {chat.error && <ErrorAlert error={chat.error} inlineFields={["message"]} />}
          <form
            className="chat-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              send(message);
            }}
          >
            <TextAreaField
              label="Your question"
              name="message"
              value={message}
              rows={2}
              onChange={(e) => setMessage(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  send(message);
                }
              }}
              errors={[...(problem ? [problem] : []), ...(chat.error?.fieldMessages("message") ?? [])]}
            />
            <button type="submit" disabled={chat.isPending}>
              {chat.isPending ? "Asking…" : "Ask"}
            </button>
          </form>
        </Section>
      </div>
    </AreaPage>
  );
}

function Suggestions({ items, onPick, disabled }: { items: string[]; onPick: (text: string) => void; disabled?: boolean }) {
  return (
    <div className="suggestions" role="group" aria-label="Suggested questions">
      {items.map((s) => (
        <button key={s} type="button" className="button-secondary" onClick={() => onPick(s)} disabled={disabled}>
          {s}
        </button>
      ))}
    </div>
  );
}

function ChatMessage({
  role,
  content,
  sources,
  answer,
  onPick,
}: {
  role: "user" | "assistant";
  content: string;
  sources?: Schemas["ChatSource"][];
  answer?: ChatResponse;
  onPick?: (text: string) => void;
}) {
  const data = answer?.data;
  return (
    <li className={`message message-${role}`}>
      <p className="message-role">
        {role === "user" ? "You" : "Copilot"}
        {answer?.model && ` · ${answer.model}`}
      </p>
      {role === "assistant" ? <Markdown text={content} /> : <p>{content}</p>}
      {data && data.columns.length > 0 && data.rows.length > 0 && (
        <DataTable
          caption="The data behind the answer"
          rows={data.rows.map((r, i) => ({ r, i }))}
          rowKey={({ i }) => i}
          pageSize={10}
          columns={[
            { header: data.columns[0]!, cell: ({ r }) => show(r[0]), sort: ({ r }) => sortable(r[0]) },
            ...data.columns.slice(1).map((c, j) => ({
              header: c,
              cell: ({ r }: { r: unknown[] }) => show(r[j + 1]),
              sort: ({ r }: { r: unknown[] }) => sortable(r[j + 1]),
              numeric: typeof data.rows[0]?.[j + 1] === "number",
            })),
          ]}
        />
      )}
      {sources && sources.length > 0 && (
        <details className="sources">
          <summary>Sources ({sources.length})</summary>
          <ul>
            {sources.map((s, i) => (
              <li key={i}>
                {s.type}: {s.description}
                {s.dataset && ` (${s.dataset})`}
              </li>
            ))}
          </ul>
        </details>
      )}
      {answer?.suggestions && answer.suggestions.length > 0 && onPick && <Suggestions items={answer.suggestions} onPick={onPick} />}
    </li>
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatNumber(value, 2);
  return String(value);
}

function sortable(value: unknown): number | string | undefined {
  return typeof value === "number" || typeof value === "string" ? value : undefined;
}
