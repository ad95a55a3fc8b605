# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A small SMTP server on the loopback, for tests that need a real SMTP session:
it speaks enough of RFC 5321 for smtplib, keeps what it accepted, and answers each
message, or each recipient, as the test scripts it (accept, defer with a 4xx, refuse
with a 5xx, or drop the connection)."""

import email
import socketserver
import threading

ACCEPT = "accept"
DROP = "drop"


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def _reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        server = self.server.smtp
        self._reply("220 localhost test SMTP ready")
        recipients = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-localhost")
                self._reply("250 8BITMIME")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().split(" ", 1)[0].strip("<>")
                answer = server.next_answer_for(address)
                if answer == DROP:
                    return  # the session is lost at this recipient
                if answer == ACCEPT:
                    recipients.append(address)
                    self._reply("250 OK")
                else:
                    self._reply(answer)
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                answer = server.next_answer()
                if answer == DROP:
                    return  # the session is lost in the middle of the message
                if answer == ACCEPT:
                    message = email.message_from_bytes(b"".join(lines))
                    server.accepted.append((tuple(recipients), message))
                    self._reply("250 OK queued")
                else:
                    self._reply(answer)
            elif verb == "RSET":
                recipients = []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SMTPTestServer:
    """``with SMTPTestServer() as smtp:`` listens on 127.0.0.1:``smtp.port``.

    ``smtp.script`` lists the answers to the next messages, in order ("accept",
    "drop", or a reply line such as "451 4.7.1 Try again later"); once it is empty,
    messages are accepted. ``smtp.recipient_script`` maps an address to the answers
    to its next ``RCPT`` commands, the same way. ``smtp.accepted`` holds
    (recipients, message) of each message accepted.
    """

    def __init__(self):
        self.script = []
        self.recipient_script = {}
        self.accepted = []
        self._lock = threading.Lock()
        self._server = _TCPServer(("127.0.0.1", 0), _Handler)
        self._server.smtp = self
        self.port = self._server.server_address[1]

    def next_answer(self):
        with self._lock:
            return self.script.pop(0) if self.script else ACCEPT

    def next_answer_for(self, address):
        with self._lock:
            answers = self.recipient_script.get(address.lower())
            return answers.pop(0) if answers else ACCEPT

    def __enter__(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
