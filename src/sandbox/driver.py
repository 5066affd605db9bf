# The Python half of Larch's sandbox (src/sandbox). It runs as the only
# program inside bubblewrap, started as
#   python3 -I -S -B -c <this file> <limits JSON> <job seccomp filter, hex>
# and is a small fork server: it never reads a job itself. It forks one child,
# the child reads one job from fd 0, runs it and writes its result to fd 1, and
# this parent reports how the child ended on fd 2 ("status ..." lines), wipes
# /tmp and forks the next child. So no job's data ever sits in the memory the
# next child is forked from, and every job starts from the same clean process.
#
# Job on fd 0: "<json bytes> <zip bytes>\n", then the JSON
# {"code": str, "globals": {...}}, then the python_lib.zip bytes (may be 0).
# Result on fd 1: {"ok": true, "globals": {...}} or
# {"ok": false, "kind": "exception" | "memory", "message": str}.
import ctypes
import gc
import io
import json
import os
import resource
import shutil
import sys
import traceback

# What the prolog and most problem code import, loaded once here so that no
# child pays for it (children share these pages copy-on-write).
import collections  # noqa: F401
import math  # noqa: F401
import random  # noqa: F401
import re  # noqa: F401
import string  # noqa: F401

LIMITS = json.loads(sys.argv[1])
JOB_FILTER = bytes.fromhex(sys.argv[2])
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
OK_TYPES = (type(None), bool, int, float, str, list, tuple, dict)


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


LIBC = ctypes.CDLL(None, use_errno=True)


def install_job_filter():
    # The stricter filter of a job: no new processes, no exec.
    program = ctypes.create_string_buffer(JOB_FILTER, len(JOB_FILTER))
    fprog = SockFprog(len(JOB_FILTER) // 8, ctypes.cast(program, ctypes.c_void_p))
    if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def set_limits():
    cpu = int(LIMITS["cpu_seconds"])
    for which, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (LIMITS["memory_bytes"],) * 2),
        (resource.RLIMIT_FSIZE, (LIMITS["file_bytes"],) * 2),
        (resource.RLIMIT_NOFILE, (LIMITS["open_files"],) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ):
        resource.setrlimit(which, value)


def read_exact(fd, size):
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("job ended early")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_job():
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            raise EOFError("no job")
        header += byte
    json_size, zip_size = (int(part) for part in header.split())
    job = json.loads(read_exact(0, json_size))
    return job, read_exact(0, zip_size)


def jsonable(value):
    if not isinstance(value, OK_TYPES):
        return False
    try:
        json.dumps(value, allow_nan=False)
    except Exception:  # noqa: BLE001 - anything that does not serialise is dropped
        return False
    return True


def last_line(error):
    lines = traceback.format_exception_only(type(error), error)
    return lines[-1].strip() if lines else type(error).__name__


def run(job, lib):
    if lib:
        with open("python_lib.zip", "wb") as out:
            out.write(lib)
        sys.path.insert(0, "python_lib.zip")
    globals_dict = job["globals"]
    try:
        exec(compile(job["code"], "<problem>", "exec"), globals_dict)  # noqa: S102
        kept = {k: v for k, v in globals_dict.items() if k != "__builtins__" and jsonable(v)}
        return json.dumps({"ok": True, "globals": kept})
    except MemoryError:
        return json.dumps({"ok": False, "kind": "memory", "message": "MemoryError"})
    except BaseException as error:  # noqa: BLE001 - SystemExit too is the job's failure
        return json.dumps({"ok": False, "kind": "exception", "message": last_line(error)})


def child():
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 2)
    os.closerange(3, devnull)
    os.closerange(devnull + 1, 1 << 16)
    os.chdir("/tmp")
    set_limits()
    install_job_filter()
    job, lib = read_job()
    out = os.dup(1)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = io.StringIO()
    sys.stderr = io.StringIO()
    try:
        text = run(job, lib)
    except MemoryError:
        text = json.dumps({"ok": False, "kind": "memory", "message": "MemoryError"})
    data = text.encode("utf-8", "surrogatepass")
    while data:
        data = data[os.write(out, data):]


def wipe_tmp():
    for name in os.listdir("/tmp"):
        path = os.path.join("/tmp", name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def main():
    status = os.fdopen(os.dup(2), "w", buffering=1)
    # wipe_tmp empties /tmp after every job: only ever inside bwrap's root,
    # which has no /etc. Run by hand on a host, refuse instead.
    if os.path.exists("/etc") or os.getpid() > 16:
        status.write("not inside the sandbox (/etc exists or the pid is a host pid); refusing to run\n")
        sys.exit(2)
    # Objects that exist now are never collected, so a child's collector
    # does not touch (and copy) their pages.
    gc.collect()
    gc.freeze()
    status.write("status ready\n")
    while True:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child()
            except BaseException:  # noqa: BLE001 - reported as the exit code
                code = 70
            os._exit(code)
        _, wait_status = os.waitpid(pid, 0)
        wipe_tmp()
        if os.WIFSIGNALED(wait_status):
            status.write("status signal %d\n" % os.WTERMSIG(wait_status))
        else:
            status.write("status exit %d\n" % os.WEXITSTATUS(wait_status))


main()
