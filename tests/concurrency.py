"""Running calls at the same moment on real threads, for the PostgreSQL race tests. Each thread
has its own connection and its own transaction; a barrier releases them together."""

import threading

from django.db import connections


def race(calls):
    """Run the callables at the same moment, one thread each; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome under test, whatever it is
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
