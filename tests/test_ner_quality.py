"""Data-driven: the rule recogniser's quality on CoNLL-2003 English dev (eng.testa).

Same protocol as bench/ner_conll.py (whole documents, exact spans, MISC ignored). The thresholds
sit just under the figures measured when they were set: a drop means a rule got worse.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "ner_conll.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("ner_conll", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def counts(shared_data: Path):
    bench = load_bench()
    path = shared_data / "conll2003" / "eng.testa"
    if not path.is_file():
        pytest.fail(f"{path} is missing from the shared data")
    return bench, bench.rule_predictions(bench.load_conll(path))


def test_overall_f1(counts) -> None:
    bench, result = counts
    precision, recall, f1 = bench.overall(result)
    assert f1 >= 0.83, f"PER+ORG+LOC F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})"


@pytest.mark.parametrize(("kind", "minimum"), [("PER", 0.88), ("ORG", 0.67), ("LOC", 0.89)])
def test_f1_per_type(counts, kind: str, minimum: float) -> None:
    bench, result = counts
    f1 = bench.prf(*result[kind])[2]
    assert f1 >= minimum, f"{kind} F1 {f1:.3f}"
