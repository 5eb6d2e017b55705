"""Python's side of the benchmark: `python bench.py <scenario> '<params json>'`.

Prints one JSON line like the node children: value, check (a sum of the
results) and peak RSS. Pools of 2 with the platform's default start method
(fork on Linux).
"""
import json
import resource
import statistics
import sys
import time
from array import array
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool


def inc(x):
    return x + 1


def echo(a):
    return a


def count_primes(limit):
    count = 0
    for n in range(2, limit):
        prime = True
        d = 2
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def calibrate(_p):
    """A count_primes input that takes ~50 ms in Python (much smaller than node's)."""
    limit = 2000
    while True:
        t0 = time.perf_counter()
        count_primes(limit)
        ms = (time.perf_counter() - t0) * 1000
        if ms >= 10:
            break
        limit *= 2
    # Refine on the fastest of 3 timings (less sensitive to a busy machine).
    for _ in range(2):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            count_primes(limit)
            best = min(best, (time.perf_counter() - t0) * 1000)
        limit = round(limit * (50 / best) ** (2 / 3))
    return {"value": limit, "check": 0}


def _items_per_second(p, run):
    """`run(pool, xs)` over `n` inputs once to warm up, then `inner` times: items/s of the median run."""
    xs = list(range(p["n"]))
    with Pool(2) as pool:
        run(pool, xs)
        secs = []
        for _ in range(p["inner"]):
            t0 = time.perf_counter()
            ys = run(pool, xs)
            secs.append(time.perf_counter() - t0)
    return {"value": p["n"] / statistics.median(secs), "check": sum(ys)}


def map_pool(p):
    """1b: Pool.map with its default chunksize."""
    return _items_per_second(p, lambda pool, xs: pool.map(inc, xs))


def imap_pool(p):
    """1c: Pool.imap with its default chunksize (1), consumed in order."""
    return _items_per_second(p, lambda pool, xs: list(pool.imap(inc, xs)))


def map_executor(p):
    """1b: ProcessPoolExecutor.map, default chunksize 1."""
    xs = list(range(p["n"]))
    with ProcessPoolExecutor(2) as ex:
        list(ex.map(inc, range(p["warm"])))
        t0 = time.perf_counter()
        ys = list(ex.map(inc, xs))
        secs = time.perf_counter() - t0
    return {"value": p["n"] / secs, "check": sum(ys)}


def round_trip(p):
    """2: one apply at a time, each timed."""
    with Pool(2) as pool:
        for i in range(p["warm"]):
            pool.apply(inc, (i,))
        times = []
        check = 0
        for i in range(p["n"]):
            t0 = time.perf_counter()
            check += pool.apply(inc, (i,))
            times.append(time.perf_counter() - t0)
    return {"value": statistics.median(times) * 1e6, "check": check, "extra": {"meanUs": statistics.fmean(times) * 1e6}}


def cpu(p):
    """3: the same work on this process, then on 2 workers warmed with one full task each."""
    inputs = [p["limit"] + i for i in range(p["tasks"])]
    count_primes(p["limit"])
    t0 = time.perf_counter()
    serial = [count_primes(x) for x in inputs]
    serial_ms = (time.perf_counter() - t0) * 1000
    with Pool(2) as pool:
        pool.map(count_primes, [p["limit"], p["limit"]], chunksize=1)
        t1 = time.perf_counter()
        parallel = pool.map(count_primes, inputs, chunksize=1)
        pool_ms = (time.perf_counter() - t1) * 1000
    if parallel != serial:
        raise RuntimeError("pool and serial results differ")
    return {"value": serial_ms / pool_ms, "check": sum(parallel), "extra": {"serialMs": serial_ms, "poolMs": pool_ms}}


def cold(_p):
    """4: pool of 2, one task, close and join."""
    t0 = time.perf_counter()
    pool = Pool(2)
    y = pool.apply(inc, (41,))
    pool.close()
    pool.join()
    return {"value": (time.perf_counter() - t0) * 1000, "check": y}


def payload(p):
    """5c: 1 MiB of doubles there and back (pickled through the pool's pipes)."""
    size = p["size"]
    a = array("d", [1.5]) * size
    times = []
    check = 0
    with Pool(2) as pool:
        for i in range(p["warm"] + p["n"]):
            a[0] = i
            t0 = time.perf_counter()
            r = pool.apply(echo, (a,))
            dt = time.perf_counter() - t0
            if len(r) != size or r[0] != i or r[size - 1] != 1.5:
                raise RuntimeError(f"bad echo at trip {i}")
            if i >= p["warm"]:
                times.append(dt)
                check += i - p["warm"]
    return {"value": statistics.median(times) * 1e6, "check": check}


def _produce(q, n, as_dict):
    for i in range(n):
        q.put({"id": i, "name": "item-%d" % i} if as_dict else i)


def _consume(q, n, as_dict, out):
    s = 0
    for _ in range(n):
        x = q.get()
        s += x["id"] if as_dict else x
    out.put(s)


def queue_throughput(p):
    """6: one producer Process -> one consumer Process through a multiprocessing.Queue."""
    from multiprocessing import Process, Queue

    def once(n):
        q, out = Queue(), Queue()
        producer = Process(target=_produce, args=(q, n, p.get("dict", False)))
        consumer = Process(target=_consume, args=(q, n, p.get("dict", False), out))
        producer.start()
        consumer.start()
        # timed from the moment both run (as ours: its workers are already up)
        t0 = time.perf_counter()
        s = out.get()
        secs = time.perf_counter() - t0
        producer.join()
        consumer.join()
        return n / secs, s

    once(p["warm"])
    value, check = once(p["n"])
    return {"value": value, "check": check}


def _echo_pipe(conn, n):
    for _ in range(n):
        conn.send(conn.recv() + 1)


def pipe_round_trip(p):
    """7: a duplex Pipe between this process and one child: send, receive the answer; median per trip."""
    from multiprocessing import Pipe, Process
    here, there = Pipe()
    child = Process(target=_echo_pipe, args=(there, p["warm"] + p["n"]))
    child.start()
    times = []
    check = 0
    for i in range(p["warm"] + p["n"]):
        t0 = time.perf_counter()
        here.send(i)
        y = here.recv()
        if i >= p["warm"]:
            times.append(time.perf_counter() - t0)
            check += y - 1 - p["warm"]
    child.join()
    return {"value": statistics.median(times) * 1e6, "check": check}


def _increment(v, n, go, ready):
    ready.release()
    go.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def _lock_loop(lock, n, go, ready):
    ready.release()
    go.wait()
    for _ in range(n):
        lock.acquire()
        lock.release()


def shared_rate(target, make, check):
    """8-10: `workers` Processes each run target n times on one shared object, all runs per second. The clock
    starts once every process is waiting at the start line, so that they run at the same time."""
    from multiprocessing import Event, Process, Semaphore

    def run(p):
        def once(n):
            obj, go, ready = make(), Event(), Semaphore(0)
            procs = [Process(target=target, args=(obj, n, go, ready)) for _ in range(p.get("workers", 2))]
            for proc in procs:
                proc.start()
            for _ in procs:
                ready.acquire()
            t0 = time.perf_counter()
            go.set()
            for proc in procs:
                proc.join()
            secs = time.perf_counter() - t0
            return len(procs) * n / secs, check(obj, len(procs) * n)

        once(p["warm"])
        value, checked = once(p["n"])
        return {"value": value, "check": checked}
    return run


def _dict_round_trips(d, n, go, ready):
    ready.release()
    go.wait()
    for i in range(n):
        d[i % 100] = i
        if d[i % 100] != i:
            raise RuntimeError("the dict lost a value")


_manager = None


def _new_dict():
    global _manager
    from multiprocessing import Manager
    if _manager is None:
        _manager = Manager()
    return _manager.dict()


def _new_value():
    from multiprocessing import Value
    return Value("i", 0)


def process_start(p):
    """12: Process(target=inc, args=(i,)).start() and join(), warm + n times: the median ms (the value crosses back
    on a Queue, as a Process returns none)."""
    import multiprocessing
    ctx = multiprocessing.get_context(p["method"])
    q = ctx.Queue()
    times, check = [], 0
    for i in range(p["warm"] + p["n"]):
        t0 = time.perf_counter()
        proc = ctx.Process(target=_inc_to, args=(q, i))
        proc.start()
        y = q.get()
        proc.join()
        if i >= p["warm"]:
            times.append((time.perf_counter() - t0) * 1000)
            check += y - 1 - p["warm"]
    return {"value": statistics.median(times), "check": check}


def _inc_to(q, x):
    q.put(x + 1)


def _new_lock():
    from multiprocessing import Lock
    return Lock()


SCENARIOS = {"6": queue_throughput,
             "8": shared_rate(_increment, _new_value, lambda v, total: v.value),
             "9": shared_rate(_lock_loop, _new_lock, lambda _l, total: total),
             "10": shared_rate(_dict_round_trips, _new_dict, lambda _d, total: total), "7": pipe_round_trip, "calibrate": calibrate, "1b": map_pool, "1b-executor": map_executor, "1c": imap_pool, "2": round_trip, "3": cpu,
             "4": cold, "5c": payload, "12": process_start}

if __name__ == "__main__":
    result = SCENARIOS[sys.argv[1]](json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}"))
    # ru_maxrss is KiB on Linux. The workers are processes of their own: add the largest
    # one that was reaped (an approximation: the other worker and shared pages are not counted).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["rssMiB"] = rss / 1024
    print(json.dumps(result))
