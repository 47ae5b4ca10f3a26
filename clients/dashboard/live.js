// Following /v1/stream, shared by the dashboard and the wall. EventSource
// cannot send an Authorization header, so the stream is read with fetch() and
// its Server-Sent Events parsed here; a dropped stream resumes after the last
// seq seen (Last-Event-ID and ?since_seq=), with jittered backoff, and the
// page is asked to poll while there is no stream, so a missing or broken
// endpoint degrades to a slower picture, never an empty one.

import { ApiError, session } from './common.js';

const POLL_MS = 30000;
const MAX_RETRY_MS = 30000;
const SILENCE_MS = 45000; // three of the server's 15 s keep-alives

/// Server-Sent Events, parsed as the HTML standard says: lines end in CR,
/// LF or CRLF; a blank line dispatches; `data:` lines join with LF; a line
/// opening with a colon is a comment (keep-alive).
export class SseParser {
  constructor(dispatch) {
    this.dispatch = dispatch;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.data = [];
    this.event = '';
  }

  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const i = this.buffer.search(/[\r\n]/);
      if (i < 0) return;
      // A CR at the end of a chunk may be the first half of a CRLF.
      if (this.buffer[i] === '\r' && i === this.buffer.length - 1) return;
      const skip = this.buffer.startsWith('\r\n', i) ? 2 : 1;
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + skip);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length) this.dispatch({ event: this.event || 'message', data: this.data.join('\n') });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    // `id:` is the Event's seq, which the data carries too; `retry:` is ours to choose.
  }
}

/// The live feed of one page. Callbacks: `onEvent(event)`; `onConn(kind,
/// text, why)` with kind connecting, live, retrying or offline; `reload()`
/// to read the whole picture afresh (on a first connection, and every 30 s
/// while the stream is down); `onRefused(apiError)` for 401 and 403, after
/// which the feed has stopped.
export class LiveFeed {
  constructor({ onEvent, onConn, reload, onRefused }) {
    Object.assign(this, { onEvent, onConn, reload, onRefused });
    this.lastSeq = null; // the seq of the last event seen; null before the first
    this.controller = null;
    this.retryMs = 0;
    this.pollTimer = 0;
    this.downSince = Date.now(); // when the stream was last lost (or the page opened)
  }

  /// Whether the stream is up now.
  get live() { return this.downSince === null; }

  /// Forgets the seq (a new token: a new board).
  reset() {
    this.stop();
    this.lastSeq = null;
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
    this.stopPolling();
  }

  async start() {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    while (this.controller === controller) {
      this.onConn(this.retryMs ? 'retrying' : 'connecting', 'Connecting…', '');
      let why = 'the stream ended';
      try {
        await this.once(controller.signal);
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (e.status === 401 || e.status === 403) {
          this.stop();
          return this.onRefused(e);
        }
        why = e.status ? `the server answered ${e.status}: ${e.message}` : e.message;
      }
      if (this.controller !== controller) return;
      if (this.downSince === null) this.downSince = Date.now();
      this.startPolling();
      // Doubling with jitter, so that a wall of screens does not reconnect in step.
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs ? this.retryMs * 2 : 1000);
      const wait = Math.round(this.retryMs * (0.75 + Math.random() * 0.5));
      await this.countdown(wait, why, controller);
    }
  }

  /// Reads the stream until it ends; throws why it stopped otherwise. The
  /// server writes a comment every 15 s, so silence for SILENCE_MS means a
  /// connection that died without a reset (a NAT, a sleeping laptop).
  async once(signal) {
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    signal.addEventListener('abort', abort);
    let silent = false;
    let watchdog = 0;
    const heard = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { silent = true; attempt.abort(); }, SILENCE_MS);
    };
    try {
      heard();
      await this.read(attempt.signal, heard);
    } catch (e) {
      if (e.name === 'AbortError' && silent && !signal.aborted)
        throw new ApiError(0, `nothing heard for ${SILENCE_MS / 1000} s`);
      throw e;
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', abort);
    }
  }

  async read(signal, heard) {
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.token()}` };
    let target = '/v1/stream';
    if (this.lastSeq !== null) {
      headers['Last-Event-ID'] = String(this.lastSeq);
      target += `?since_seq=${this.lastSeq}`;
    }
    let res;
    try {
      res = await fetch(target, { headers, signal, cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'the server could not be reached');
    }
    if (!res.ok) throw await ApiError.from(res);
    this.retryMs = 0;
    this.downSince = null;
    this.onConn('live', 'Live', '');
    this.stopPolling();
    // Before the first event there is no seq to resume from, so whatever
    // happened while the stream was down is read afresh instead.
    if (this.lastSeq === null) this.reload();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser((msg) => {
      try {
        const ev = JSON.parse(msg.data);
        if (typeof ev.seq === 'number' && (this.lastSeq === null || ev.seq > this.lastSeq))
          this.lastSeq = ev.seq;
        this.onEvent(ev);
      } catch (e) {
        console.warn('opeld: an event could not be read', e, msg);
      }
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      heard();
      parser.push(value);
    }
  }

  /// Waits `ms`, showing the seconds left.
  countdown(ms, why, controller) {
    const until = Date.now() + ms;
    return new Promise((resolve) => {
      const tick = () => {
        const left = until - Date.now();
        if (left <= 0 || this.controller !== controller) return resolve();
        this.onConn('retrying', `Reconnecting in ${Math.ceil(left / 1000)} s`,
          `Live updates paused: ${why}.`);
        setTimeout(tick, Math.min(1000, left));
      };
      tick();
    });
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.reload(), POLL_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = 0;
  }
}
