"""A local DynamoDB and S3 for the tests: moto's server, one request at a time.

moto checks a condition and then writes in Python, with no lock between the
two, so two concurrent requests can both pass a check that only one should.
DynamoDB itself is atomic per item and per transaction; serialising whole
requests gives at least that, so the concurrency tests judge our code, not
the emulator's races.

moto also copies every table a transaction touches, whole, before each of
its items (to roll back on failure): a transaction then costs time and memory
in proportion to the table, and a long test runs out of both. Here the
rollback remembers only the items the transaction touches.

Binds 127.0.0.1 on a free port, prints the port on one line, and exits when
its standard input closes (the test that started it has gone).
"""

import copy
import os
import sys
import threading

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

class _NoTableCopies:
    """moto's `copy` module, but a Table "copies" to itself."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


dynamodb_models.copy = _NoTableCopies()
_transact_write_items = DynamoDBBackend.transact_write_items


def _touched_items(backend, transact_items):
    saved = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        name = op.get("TableName")
        table = backend.tables.get(name)
        if table is None:
            continue
        if "Item" in op:
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs.get(table.hash_key_attr)}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs.get(table.range_key_attr)
        else:
            key = op.get("Key")
        try:
            current = backend.get_item(name, key)
        except Exception:
            continue
        before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        saved.append((name, key, before))
    return saved


def transact_write_items(self, transact_items):
    saved = _touched_items(self, transact_items)
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        for name, key, before in reversed(saved):
            if before is None:
                self.delete_item(name, key)
            else:
                self.put_item(name, before)
        raise


DynamoDBBackend.transact_write_items = transact_write_items

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
