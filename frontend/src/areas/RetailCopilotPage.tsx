import { formatDateTime, formatNumber } from "../components/format";
import { ServiceArea } from "./ServiceArea";

/** GET /copilot/conversations (retail-copilot). */
export default function RetailCopilotPage() {
  return (
    <ServiceArea area="/copilot" get="/copilot/conversations" query={{ limit: 20 }}>
      {(page) =>
        page.items.length === 0 ? (
          <p>You have no conversations yet.</p>
        ) : (
          <>
            <ul className="conversation-list">
              {page.items.map((c) => (
                <li key={c.conversationId}>
                  <p className="conversation-title">{c.title}</p>
                  <p className="conversation-meta">
                    {formatNumber(c.messageCount)} message{c.messageCount === 1 ? "" : "s"} · last{" "}
                    {formatDateTime(c.updatedAt)}
                  </p>
                </li>
              ))}
            </ul>
            {page.nextCursor && <p>Showing your {page.count} most recent conversations.</p>}
          </>
        )
      }
    </ServiceArea>
  );
}
