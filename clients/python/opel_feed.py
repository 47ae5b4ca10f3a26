#!/usr/bin/python3
"""Submit an OPEL report over ZeroMQ and follow opeld's event feed.

A worked example for integrators, written against the demo config
(``scripts/demo``; tokens in ``config/demo-tokens.md``). It shows the three
things a ZeroMQ client of opeld does:

1. **Submit** on the ingest socket (``zmq.ingest``, a ROUTER) from a DEALER.
   A message is envelope frames followed by one payload frame: the payload is
   the submission JSON plus a ``token`` field; the envelope (here one frame, a
   request tag of our own) comes back unchanged in front of the reply, so a
   DEALER can have many requests in flight and match each answer. The reply
   is the HTTP answer's body plus ``status`` (201 accepted, 4xx refused).
2. **Follow** the PUB socket (``zmq.publish``): every event is two frames, the
   topic (``status.C82001``, ``alert.L3.practice.C82001``, ``summary.daily``)
   and the Event JSON ``{seq, topic, time, data}``.
3. **Fill gaps**: ``seq`` rises by one for every event. PUB drops messages
   for a subscriber that falls behind or has not joined yet, so when an event
   arrives whose seq is more than one past the last one seen, the missing
   ones are fetched from ``GET /v1/events?since_seq=LAST`` (a read token:
   team, control room or admin) and printed first. Replay pages hold at most
   1,000 events; ``next`` gives the since_seq of the following page. When no
   event arrives for ``--idle`` seconds the script also asks the replay, so
   an event that PUB dropped with nothing after it is not lost either.

Each event is printed once, in seq order, as one line::

    seq 12 status.C82001 live: C82001 level 3
    seq 13 alert.L3.practice.C82001 replayed: alert 4 firing: ...

Run it beside the demo daemon (Debian's python3-zmq; standard library
otherwise)::

    clients/python/opel_feed.py --level 3 --theme workforce --note "Two GPs off"
    clients/python/opel_feed.py --no-submit --topic alert.      # follow only
    clients/python/opel_feed.py --no-submit --since-seq 0 --count 20   # replay

Exit codes: 0 done (``--count`` events seen, or interrupted), 1 the
submission or a replay was refused, 3 the daemon could not be reached.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import zmq

REFUSED = 1
UNREACHABLE = 3


class Failure(Exception):
    """Ends the run with an exit code and a message on stderr."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Submit an OPEL report over ZeroMQ and follow the event feed, "
        "filling gaps in seq from GET /v1/events.")
    p.add_argument("--url", default="http://127.0.0.1:8080",
                   help="opeld's HTTP address, for replay (default: %(default)s)")
    p.add_argument("--ingest", default="tcp://127.0.0.1:5555",
                   help="the ZeroMQ ingest endpoint (default: %(default)s)")
    p.add_argument("--publish", default="tcp://127.0.0.1:5556",
                   help="the ZeroMQ PUB endpoint (default: %(default)s)")
    p.add_argument("--token", default="demo-practice-C82001",
                   help="token the report is submitted with (default: %(default)s)")
    p.add_argument("--read-token", default="demo-team",
                   help="token for GET /v1/events (team, control_room or admin; "
                   "default: %(default)s)")
    p.add_argument("--practice", default="C82001",
                   help="practice code of the report (default: %(default)s)")
    p.add_argument("--level", type=int, choices=range(1, 5), default=2,
                   help="OPEL level 1-4 (default: %(default)s)")
    p.add_argument("--theme", action="append", default=[],
                   help="a theme id, such as workforce (repeatable)")
    p.add_argument("--note", help="free-text note")
    p.add_argument("--support", help="the support the practice asks for")
    p.add_argument("--no-submit", action="store_true",
                   help="only follow the feed")
    p.add_argument("--topic", default="",
                   help="follow only topics starting with this prefix (default: all)")
    p.add_argument("--since-seq", type=int, metavar="N",
                   help="the last seq already seen: every later event is shown, "
                   "the missed ones from replay (default: start with the first "
                   "live event)")
    p.add_argument("--count", type=int, metavar="N",
                   help="exit after N events (default: follow until interrupted)")
    p.add_argument("--idle", type=float, default=2.0, metavar="SECONDS",
                   help="ask the replay after this long without an event "
                   "(default: %(default)s)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for the submission's reply and for each "
                   "HTTP answer (default: %(default)s)")
    p.add_argument("--exit-after", type=float, metavar="SECONDS",
                   help="give up (exit 3) after this long without reaching --count")
    return p.parse_args(argv)


# ---- 1. Submit over ZeroMQ ---------------------------------------------------------

def submit(ctx, args):
    """Sends one report from a DEALER and prints the daemon's answer."""
    report = {"practice": args.practice, "level": args.level, "themes": args.theme,
              "token": args.token}
    if args.note:
        report["note"] = args.note
    if args.support:
        report["support_requested"] = args.support
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    try:
        dealer.connect(args.ingest)
        tag = b"opel-feed-1"  # the envelope: any frames, returned as sent
        dealer.send_multipart([tag, json.dumps(report).encode()])
        if not dealer.poll(int(args.timeout * 1000)):
            raise Failure(UNREACHABLE, f"no reply from {args.ingest} in {args.timeout:g} s")
        *envelope, payload = dealer.recv_multipart()
        if envelope != [tag]:
            raise Failure(REFUSED, f"reply with an unexpected envelope {envelope!r}")
    finally:
        dealer.close()
    reply = json.loads(payload)
    status = reply.get("status")
    if status != 201:
        message = reply.get("error", {}).get("message", payload.decode(errors="replace"))
        raise Failure(REFUSED, f"submission refused ({status}): {message}")
    alerts = reply.get("alerts") or []
    print(f"submitted: {status} submission {reply['id']} for {reply['practice']} "
          f"at level {reply['level']}"
          + (f", alerts {', '.join(map(str, alerts))}" if alerts else ""), flush=True)


# ---- 3. Replay from /v1/events -----------------------------------------------------

def replay(args, since_seq):
    """Yields every stored event after since_seq (matching --topic), page by page."""
    while since_seq is not None:
        query = {"since_seq": since_seq, "limit": 1000}
        if args.topic:
            query["topic"] = args.topic
        request = urllib.request.Request(
            f"{args.url}/v1/events?{urllib.parse.urlencode(query)}",
            headers={"Authorization": f"Bearer {args.read_token}"})
        try:
            with urllib.request.urlopen(request, timeout=args.timeout) as answer:
                page = json.load(answer)
        except urllib.error.HTTPError as e:
            raise Failure(REFUSED, f"GET /v1/events refused ({e.code}): {e.read().decode()}")
        except (urllib.error.URLError, OSError) as e:
            raise Failure(UNREACHABLE, f"cannot reach {args.url}: {e}")
        yield from page["events"]
        since_seq = page.get("next")


# ---- 2. Follow the PUB feed --------------------------------------------------------

def describe(event):
    """A few words about an event's data."""
    data = event.get("data") or {}
    topic = event["topic"]
    if topic.startswith("status."):
        return f"{data.get('practice')} level {data.get('level')}"
    if topic.startswith("alert."):
        return f"alert {data.get('id')} {data.get('state')}: {data.get('title')}"
    if topic.startswith("summary."):
        return f"daily summary {data.get('date')}"
    return ""


class Follower:
    """Prints each event once, in seq order, filling gaps from the replay."""

    def __init__(self, args):
        self.args = args
        self.last_seq = args.since_seq  # None: not known until the first event
        self.shown = 0

    def done(self):
        return self.args.count is not None and self.shown >= self.args.count

    def show(self, event, how):
        if self.done() or (self.last_seq is not None and event["seq"] <= self.last_seq):
            return  # already shown (a replay can overlap the live feed)
        self.last_seq = event["seq"]
        self.shown += 1
        print(f"seq {event['seq']} {event['topic']} {how}: {describe(event)}", flush=True)

    def catch_up(self, before=None):
        """Shows the stored events after last_seq (and before `before`)."""
        first = self.last_seq
        for event in replay(self.args, self.last_seq):
            if (before is not None and event["seq"] >= before) or self.done():
                break
            self.show(event, "replayed")
        if self.last_seq != first:
            print(f"gap: seq {first + 1}..{self.last_seq} filled from /v1/events", flush=True)

    def live(self, event):
        seq = event["seq"]
        if self.last_seq is not None and seq > self.last_seq + 1:
            self.catch_up(before=seq)
        self.show(event, "live")


def follow(ctx, args, sub):
    follower = Follower(args)
    deadline = None if args.exit_after is None else time.monotonic() + args.exit_after
    while not follower.done():
        wait = args.idle
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                raise Failure(UNREACHABLE, f"{follower.shown} of {args.count} events "
                              f"in {args.exit_after:g} s")
        if sub.poll(int(wait * 1000)):
            topic, body = sub.recv_multipart()
            follower.live(json.loads(body))
        elif follower.last_seq is not None:
            follower.catch_up()  # quiet: PUB may have dropped the latest ones


def main(argv=None):
    args = parse_args(argv)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, args.topic.encode())
    try:
        # Subscribe first, so that the report's own events are on the feed.
        sub.connect(args.publish)
        if not args.no_submit:
            submit(ctx, args)
        follow(ctx, args, sub)
        return 0
    except Failure as e:
        print(f"opel_feed: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 0
    finally:
        sub.close()
        ctx.term()


if __name__ == "__main__":
    sys.exit(main())
