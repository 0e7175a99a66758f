# Helpers for the report tests (t5xxx): sourced after lib.sh.
FIXTURE="$SRCDIR/tests/data/report/diagnosis-founding.json"
TOOLS="$SRCDIR/tests/tools"

# A diagnosis whose every log-derived string tries to inject markup, script,
# a link and a table cell, and carries secrets. $1: output file.
write_hostile() {
    python3 - "$1" <<'PY'
import json, sys
x = ("<script>alert(1)</script><img src=x onerror=alert(2)>"
     "[link](javascript:alert(3)) ![i](http://127.0.0.1:9/p.png) `code` | cell | **bold** "
     "<a href=\"javascript:alert(4)\">a</a> password=hunter2 \"quoted\" 'single' & amp")
t = "2026-04-14T21:22:40Z"
d = {"schema": "tshoot.diagnose/1", "generated_at": x,
     "inputs": {"bundle": x, "sources": [{"path": x, "kind": "log", "lines": 3, "timed": True}],
                "unreadable": [{"path": x, "reason": x}]},
     "hypotheses": [{"id": x, "category": "disk_full", "title": x, "score": 0.9,
                     "confidence": x, "subject": x,
                     "evidence": [{"kind": x, "ref": x, "time": t, "weight": 0.5, "count": 2,
                                   "text": "Authorization: Bearer abcdefghijklmnop123 " + x}],
                     "against": [{"kind": "log", "ref": x, "time": None, "text": x, "weight": 1}],
                     "chain": [x, "\"]\n  evil[\"x", x], "arithmetic": [x], "blast_radius": [x],
                     "next_checks": [{"cmd": x, "why": x}], "mitigation": x, "fix": x,
                     "prevention": [{"alert": x, "expr": x, "for": x, "why": x}]},
                    {"id": "other", "category": "oom_killed", "title": x, "score": 0.2,
                     "confidence": "low", "subject": x, "evidence": [],
                     "against": [{"kind": "log", "ref": x, "time": t, "text": x}]}],
     "timeline": [{"time": t, "source": x, "kind": x, "text": x},
                  {"time": "2026-04-14T20:00:00Z", "source": x, "kind": "fs_milestone",
                   "text": "/x<script> reached 85%"},
                  {"time": "2026-04-14T21:00:00Z", "source": x, "kind": "alert", "text": x}],
     "services": [{"name": x, "first_anomaly": t, "errors": 5,
                   "series": {"start": t, "step_s": 60, "counts": [1, 4, 2]}}],
     "untimed_sources": [x]}
json.dump(d, open(sys.argv[1], "w"))
PY
}
