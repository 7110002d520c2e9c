import threading

from wangge.lib.refreshed import Refreshed


def counter() -> tuple[list[int], "Refreshed[int]", "Refreshed[int]"]:
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    return loads, Refreshed(load, seconds=60), Refreshed(load, seconds=0)


def test_loads_once_until_it_expires_or_is_forgotten() -> None:
    _, table, stale = counter()
    assert [table.get() for _ in range(3)] == [1, 1, 1]
    table.forget()
    assert table.get() == 2
    assert stale.get() < stale.get()  # a zero lifetime reloads on every read


def test_threads_share_one_load() -> None:
    loads, table, _ = counter()
    gate = threading.Barrier(8)
    results: list[int] = []

    def read() -> None:
        gate.wait()
        results.append(table.get())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1] * 8 and len(loads) == 1
