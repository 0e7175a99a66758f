#!/usr/bin/env python3
"""A webhook receiver for the tests: appends each POSTed JSON body as one line
to FILE. Usage: webhook_sink.py PORT FILE. Stops after 120 s by itself."""
import http.server
import json
import sys
import threading


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        doc = json.loads(body)
        doc["_auth"] = self.headers.get("Authorization", "")
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps(doc) + "\n")
        self.send_response(200)
        self.end_headers()

    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
threading.Timer(120, srv.shutdown).start()
srv.serve_forever()
