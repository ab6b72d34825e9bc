"""POST /copilot/chat: one question answered and appended to the caller's conversation.

The mode is the stack's: with BEDROCK_MODEL_ID set (the `bedrockModelId` stack setting) the
Converse API writes the answer, calling the same tools (bedrock.py); without it the local
parser and answerer do (nlu.py, answer.py). Either way the answer names its `model`, carries
the table behind it (`data`), its sources and follow-up suggestions. A message that tries SQL
or to steer the assistant gets a refusal and runs nothing (nlu.hostile).
"""

from __future__ import annotations

import os
from typing import Any

from retail_copilot import nlu
from retail_copilot.answer import Answer, answer, refuse
from retail_copilot.conversations import ConversationStore, new_id, now_iso
from retail_copilot.tools import lexicon

LOCAL = "local"
TITLE_CHARS = 80


def model_id() -> str | None:
    return (os.environ.get("BEDROCK_MODEL_ID") or "").strip() or None


def local_answer(message: str, context: dict[str, Any]) -> tuple[Answer, dict[str, Any]]:
    """The local mode's answer and the context to keep for the next question."""
    kind = nlu.hostile(message)
    if kind:
        return refuse(kind), context
    question = nlu.parse(message, lexicon())
    previous = nlu.Question.from_context(context) if context.get("intent") else None
    question = nlu.merge(question, previous)
    result = answer(question)
    return result, (question.to_context() if result.answered else context)


class Copilot:
    def __init__(self, store: ConversationStore, bedrock_client: Any = None) -> None:
        self.store = store
        self.bedrock_client = bedrock_client

    def ask(self, user_id: str, message: str, conversation_id: str | None = None) -> dict[str, Any]:
        message = message.strip() or message
        if conversation_id:
            state = self.store.state(user_id, conversation_id)  # NotFound unless the caller's
        else:
            created = self.store.create(user_id, _title(message))
            conversation_id = created["conversationId"]
            state = {"context": {}, "messages": [], "titleSet": True}
        asked_at = now_iso()
        model = model_id()
        if model:
            from retail_copilot.bedrock import converse

            if nlu.hostile(message):
                result, context = refuse(nlu.hostile(message) or "sql"), state["context"]
            else:
                result = converse(model, state["messages"], message, client=self.bedrock_client)
                context = state["context"]
        else:
            result, context = local_answer(message, state["context"])
        answered_at = now_iso()
        user_message = {"messageId": new_id("msg"), "role": "user", "content": message, "createdAt": asked_at}
        reply = {
            "messageId": new_id("msg"),
            "role": "assistant",
            "content": result.text,
            "createdAt": answered_at,
            "sources": result.sources,
        }
        self.store.append(
            user_id,
            conversation_id,
            state["messages"],
            [user_message, reply],
            context,
            None if state["titleSet"] else _title(message),
        )
        out: dict[str, Any] = {
            "conversationId": conversation_id,
            "messageId": reply["messageId"],
            "answer": result.text,
            "sources": result.sources,
            "suggestions": result.suggestions[:5],
            "model": model or LOCAL,
            "createdAt": answered_at,
        }
        if result.data is not None:
            out["data"] = result.data
        return out


def _title(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "\u2026"
