"""`make bench`: one module per figure family, run by `python -m wangge.bench` (see __main__.py)."""


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"
