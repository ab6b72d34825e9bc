import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, json, tokenPair, type Call } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const T = "2026-06-30T10:00:00Z";
const ANSWER = {
  conversationId: "conv-1",
  messageId: "m2",
  answer: "**Top products** in June 2026:\n\n1. Garden hose\n2. Atlas",
  sources: [{ type: "query", description: "order_items by product, June 2026", dataset: "order_items" }],
  data: {
    columns: ["product", "revenue"],
    rows: [
      ["Garden hose", 5000],
      ["Atlas", 3000.5],
    ],
  },
  suggestions: ["And in May?", "Top categories"],
  model: "local",
  createdAt: T,
};
const CONVERSATION = {
  conversationId: "conv-1",
  title: "Top products",
  messageCount: 2,
  createdAt: T,
  updatedAt: T,
  messages: [
    { messageId: "m1", role: "user", content: "Top 2 products in June 2026", createdAt: T },
    { messageId: "m2", role: "assistant", content: ANSWER.answer, createdAt: T, sources: ANSWER.sources },
  ],
};

describe("Retail copilot", () => {
  it("holds a conversation: the answer as Markdown, its table, sources and suggestions as buttons", async () => {
    let asked = 0;
    const server = fakeApi({
      ...SIGNED_IN,
      "GET /copilot/conversations": () =>
        json(200, asked ? { items: [{ ...CONVERSATION, messages: undefined }], count: 1 } : { items: [], count: 0 }),
      "POST /copilot/chat": [
        (call: Call) => {
          asked++;
          expect(call.body).toEqual({ message: "Top 2 products in June 2026" });
          return json(200, ANSWER);
        },
        () => json(200, { ...ANSWER, messageId: "m4", answer: "In May: Atlas first.", data: undefined, suggestions: [] }),
      ],
      "GET /copilot/conversations/conv-1": [
        () => json(200, CONVERSATION),
        () =>
          json(200, {
            ...CONVERSATION,
            messageCount: 4,
            messages: [
              ...CONVERSATION.messages,
              { messageId: "m3", role: "user", content: "And in May?", createdAt: T },
              { messageId: "m4", role: "assistant", content: "In May: Atlas first.", createdAt: T },
            ],
          }),
      ],
    });
    renderApp({ path: "/copilot", fetch: server.fetch, tokens: tokenPair(1) });
    expect(await screen.findByText("You have no conversations yet.")).toBeTruthy();

    const chat = screen.getByRole("region", { name: "New conversation" });
    fireEvent.click(within(chat).getByRole("button", { name: "Ask" }));
    expect(await within(chat).findByText("Type a question.")).toBeTruthy();
    expect(server.callsTo("POST", "/copilot/chat")).toHaveLength(0);

    fireEvent.change(within(chat).getByLabelText("Your question"), { target: { value: "Top 2 products in June 2026" } });
    fireEvent.click(within(chat).getByRole("button", { name: "Ask" }));
    const conversation = await screen.findByRole("region", { name: "Top products" });
    const answer = await within(conversation).findByText("Top products", { selector: "strong" });
    expect(answer.closest(".markdown")!.querySelectorAll("ol li")).toHaveLength(2);
    const table = within(conversation).getByRole("table", { name: "The data behind the answer" });
    expect(within(table).getAllByRole("row")[2]!.textContent).toBe("Atlas3,000.5");
    expect(conversation.textContent).toContain("query: order_items by product, June 2026 (order_items)");
    expect(conversation.textContent).toContain("Copilot · local");
    expect(await screen.findByRole("button", { name: "Top products" })).toBeTruthy(); // in the list

    fireEvent.click(within(conversation).getByRole("button", { name: "And in May?" }));
    expect(await within(conversation).findByText("In May: Atlas first.")).toBeTruthy();
    expect(server.callsTo("POST", "/copilot/chat")[1]!.body).toEqual({ message: "And in May?", conversationId: "conv-1" });
  });

  it("shows the API's refusal of a question in words", async () => {
    const server = fakeApi({
      ...SIGNED_IN,
      "GET /copilot/conversations": () => json(200, { items: [], count: 0 }),
      "POST /copilot/chat": () => apiError(400, "VALIDATION_ERROR", "The request is invalid", { fields: [{ field: "message", message: "must not be blank" }] }),
    });
    renderApp({ path: "/copilot", fetch: server.fetch, tokens: tokenPair(1) });
    const chat = await screen.findByRole("region", { name: "New conversation" });
    fireEvent.change(within(chat).getByLabelText("Your question"), { target: { value: "hello" } });
    fireEvent.click(within(chat).getByRole("button", { name: "Ask" }));
    expect(await within(chat).findByText("must not be blank")).toBeTruthy();
    expect(within(chat).getByRole("alert").textContent).toContain("The request is invalid");
  });
});
