"""Reentrancy: specs parsed, elaborated and formatted in several threads at once give what
they give one after another (the parser is per thread; no pass keeps state between calls)."""

from concurrent.futures import ThreadPoolExecutor

import resgraph

NAMES = ["resnet18", "resnet50", "resnext50_32x4d", "se_resnet50", "resnet50d",
         "cifar_resnet56", "preact_resnet164", "wide_resnet50_2"]
BAD = resgraph.Source("resgraph 1\nnetwork bad\ninput 3x32x32\nstem {\n  conv(3, 0)\n}\n",
                      "bad.rg")


def outcome(spec) -> str:
    """What a spec gives, as text: its IR and canonical form, or its error."""
    try:
        return resgraph.load(spec).to_text() + resgraph.fmt(spec)
    except resgraph.ResgraphError as exc:
        return exc.render()


def test_threads_give_what_one_thread_gives():
    specs = [*NAMES, BAD] * 3
    alone = [outcome(spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(outcome, specs))
    assert together == alone
    assert "must be at least 1, got 0" in alone[len(NAMES)]
