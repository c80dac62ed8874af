"""A worker that answers its first request wrongly, as $RIVULET_FAKE_WORKER says:
  garbage       a frame length of 2 GiB, then silence (the process stays alive)
  no_name       an ok reply to init without the source's name
  unknown_kind  an error reply of a kind the engine does not know
  bad_code      a reply whose status is neither ok nor error
"""

import json
import os
import struct
import sys
import time


def reply(out, code, fields):
    fields = [f.encode() for f in fields]
    body = struct.pack("<II", code, len(fields)) + b"".join(struct.pack("<I", len(f)) + f for f in fields)
    os.write(out, struct.pack("<I", len(body)) + body)


def main():
    in_fd, out_fd = (int(x) for x in sys.argv[2].split(","))
    (length,) = struct.unpack("<I", os.read(in_fd, 4))
    os.read(in_fd, length)
    mode = os.environ["RIVULET_FAKE_WORKER"]
    if mode == "garbage":
        os.write(out_fd, b"\xff\xff\xff\x7f")
        time.sleep(60)
    elif mode == "no_name":
        reply(out_fd, 0, [json.dumps({})])
    elif mode == "unknown_kind":
        reply(out_fd, 1, ["weird", "boom"])
    elif mode == "bad_code":
        reply(out_fd, 7, [])
    os.read(in_fd, 1)  # wait for the engine to close the channel


main()
