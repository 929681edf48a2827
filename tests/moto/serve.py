"""A local DynamoDB and S3 for the tests: moto's server, one request at a time.

moto checks a condition and then writes in Python, with no lock between the
two, so two concurrent requests can both pass a check that only one should.
DynamoDB itself is atomic per item and per transaction; serialising whole
requests gives at least that, so the concurrency tests judge our code, not
the emulator's races.

Binds 127.0.0.1 on a free port, prints the port on one line, and exits when
its standard input closes (the test that started it has gone).
"""

import os
import sys
import threading

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

one_at_a_time = threading.Lock()
app = DomainDispatcherApplication(create_backend_app)


def serialised(environ, start_response):
    with one_at_a_time:
        return list(app(environ, start_response))


def main():
    server = make_server(
        "127.0.0.1",
        0,
        serialised,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    os.environ["MOTO_PORT"] = str(server.port)
    print(server.port, flush=True)

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
