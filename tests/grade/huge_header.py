# Protocol: a forged result frame (written into the inherited result pipe) whose header lists 30,000 "globals
# used", each with a 400-character "where" text: a 12 MB header, over the 8 MB bound. Before the header was bounded,
# neither list was capped when read back, and the parent built one diagnosis message from them and printed it (text,
# --json, feedback HTML, gradebook). 250,000 globals made the same point, but took seconds to build and, on a loaded
# CI machine, ran into the time limit before the frame was written.
import os, stat, json, struct

def lin_grad(inp, out, w, b):
    from tutor.cases import cases_for
    n = 30_000
    names = [f"g{i}" for i in range(n)]
    header = {"exercise": "lin_grad", "load_error": None, "missing_entry": False, "globals_used": names,
              "notes": [], "globals_where": {k: "x" * 400 for k in names},
              "cases": [{"case": c.name, "problems": {}, "error": None, "mutated": [], "values": [], "extras": []}
                        for c in cases_for("linear")]}
    head = json.dumps(header).encode()
    body = b"TUTORRUN1\n" + len(head).to_bytes(8, "little") + head
    frame = struct.pack(">cQ", b"R", len(body)) + body
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, frame)
        except OSError:
            pass
    os._exit(0)
