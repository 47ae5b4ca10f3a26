"""An SMTP server that requires AUTH, for the channels test: aiosmtpd
(Debian's python3-aiosmtpd) storing each mail in a Maildir, on 127.0.0.1.

    smtp_auth_server.py PORT MAILDIR USERNAME PASSWORD

AUTH PLAIN and LOGIN are taken over the plain connection (the test's relay
is local); a wrong username or password is refused with 535. Prints on stderr
"listening" once it accepts connections, then serves until killed.
"""
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, maildir, username, password = sys.argv[1:5]

    def authenticate(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login == username.encode()
              and data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port),
                            authenticator=authenticate, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    print("listening", file=sys.stderr, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
