"""Connect attempts to one address, for the fault tests: `storm ADDR PORT N [renamed]`.

With `renamed`, the process renames itself before every connect (prctl PR_SET_NAME on the main thread
is the thread-group leader's comm, the name the agent reports), so each attempt has its own process
name. Prints the number of attempts made. Refused connects are expected: nobody listens there.
"""
import ctypes
import socket
import sys

PR_SET_NAME = 15

addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
renamed = len(sys.argv) > 4 and sys.argv[4] == "renamed"
libc = ctypes.CDLL(None, use_errno=True)
made = 0
for i in range(n):
    if renamed and libc.prctl(PR_SET_NAME, ctypes.c_char_p(b"bomb-%d" % i), 0, 0, 0) != 0:
        sys.exit("prctl: errno %d" % ctypes.get_errno())
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect((addr, port))
    except ConnectionRefusedError:
        pass
    finally:
        s.close()
    made += 1
print(made)
