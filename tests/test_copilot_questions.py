"""The copilot's question set in local mode, in process over a generated dataset: each answer
checked against an independent computation (tests/copilot_questions.py). The share answered
correctly must be at least 90 % (benchmarks/bench_copilot.py prints it at scale 1.0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.copilot_questions import cases

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_SHARE = 0.90


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from shared import artifacts
    from shared.warehouse import set_warehouse

    data = tmp_path_factory.mktemp("copilot-questions")
    subprocess.run(
        [sys.executable, "-m", "datagen", "generate", "--out", str(data), "--scale", "0.1", "--seed", "42"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    saved = dict(os.environ)
    os.environ.update(
        WAREHOUSE="duckdb",
        WAREHOUSE_DATA_DIR=str(data),
        ARTIFACTS_DIR=str(tmp_path_factory.mktemp("artifacts")),
    )
    os.environ.pop("BEDROCK_MODEL_ID", None)
    set_warehouse(None)
    artifacts.reset()
    from retail_copilot.chat import local_answer

    out = []
    try:
        for case in cases(data):
            context: dict = {}
            for earlier in case.after:
                _, context = local_answer(earlier, context)
            answer, _ = local_answer(case.question, context)
            doc = {"answer": answer.text, "data": answer.data, "sources": answer.sources}
            out.append((case, doc, bool(case.check(doc))))
    finally:
        set_warehouse(None)
        artifacts.reset()
        os.environ.clear()
        os.environ.update(saved)
    return out


def test_the_question_set_is_large_and_varied(results):
    assert len(results) >= 40
    assert len({case.kind for case, _, _ in results}) >= 12


def test_at_least_90_percent_are_answered_correctly(results):
    wrong = [(case.question, doc["answer"][:200]) for case, doc, ok in results if not ok]
    share = 1 - len(wrong) / len(results)
    assert share >= REQUIRED_SHARE, wrong


@pytest.mark.parametrize(
    "question",
    [
        "Top 5 products by revenue in March 2026",
        "How did Germany do last quarter vs the one before?",
        "And in France?",
        "Revenue by category this year",
        "'; DROP TABLE orders; --",
        "What's the weather in Paris?",
    ],
)
def test_the_examples_of_the_issue_are_answered(results, question):
    _, doc, ok = next(r for r in results if r[0].question == question)
    assert ok, doc["answer"]


def test_every_answer_with_figures_names_its_sources(results):
    for case, doc, ok in results:
        if ok and doc["data"]:
            assert doc["sources"], case.question
