//! A fault-injecting HTTP/1.1 proxy for loopback: [`FaultProxy`] sits between a client
//! (an AWS SDK client, a `ferret` process) and moto server, forwards every request, and
//! fails the requests a test schedules with the faults S3 really shows: 500
//! InternalError, 503 SlowDown, an answer lost after the request took effect, a
//! connection cut in the middle of a response body, and a slow answer.
//!
//! The schedule is deterministic: a [`Rule`] names the requests it watches (method, path,
//! query, headers) and which of them it fails (the Nth, or every k-th), so a test fails
//! the same requests on every run. The proxy counts the requests it forwarded and the
//! faults it injected, rule by rule, so a test can assert that its faults really fired.
//!
//! It is a minimal forwarder for what the AWS SDK sends: keep-alive, `Content-Length`
//! and chunked request bodies, `Expect: 100-continue` (answered by the proxy). Responses
//! are read whole before they are passed on (test objects are small), which is what lets
//! a fault cut a body at a chosen byte. One thread per client connection, each with its
//! own connection to moto.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the proxy waits on moto or on a client before giving up on a connection:
/// long enough for any test request, short enough that a stuck peer ends a test.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest request or response head (request line, status line and headers) read.
const MAX_HEAD: usize = 64 * 1024;

/// What a scheduled request suffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 with S3's `InternalError` body, in place of moto's answer: moto never sees
    /// the request.
    InternalError,
    /// 503 with S3's `SlowDown` body (throttling): moto never sees the request.
    SlowDown,
    /// The request reaches moto and takes effect, then its answer is replaced by a 500
    /// `InternalError`: the client retries something that already happened.
    LostResponse,
    /// The answer's status line, headers and at most `after` bytes of its body (always
    /// fewer than the whole body) are sent, then the connection is reset (RST).
    ResetBody { after: usize },
    /// Like [`Fault::ResetBody`], but the connection is closed cleanly (FIN): a client
    /// that trusts end-of-stream would take the part for the whole.
    CloseBody { after: usize },
    /// The answer comes whole but late: `before` elapses before its headers, `during`
    /// between the first and the second half of its body.
    Delay { before: Duration, during: Duration },
}

/// Which of the requests a rule watches it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// The Nth matching request (1-based), once; `Nth(0)` never (a rule that counts).
    Nth(u64),
    /// Every k-th matching request: the k-th, 2k-th, and so on (`Every(1)`: all).
    Every(u64),
}

impl Schedule {
    fn due(self, matched: u64) -> bool {
        match self {
            Schedule::Nth(n) => matched == n,
            Schedule::Every(k) => k > 0 && matched.is_multiple_of(k),
        }
    }
}

/// The requests a rule watches: all that pass every condition given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    method: Option<String>,
    path: Option<String>,
    query: Option<String>,
    with_header: Vec<String>,
    without_header: Vec<String>,
}

impl Requests {
    /// Every request.
    pub fn any() -> Requests {
        Requests::default()
    }

    /// Requests with this method (`GET`, `PUT`, ...).
    pub fn method(mut self, method: &str) -> Requests {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Requests whose path (before `?`, still percent-encoded) contains `part`.
    pub fn path_contains(mut self, part: &str) -> Requests {
        self.path = Some(part.to_owned());
        self
    }

    /// Requests whose query string contains `part` (`tagging`, `list-type=2`).
    pub fn query_contains(mut self, part: &str) -> Requests {
        self.query = Some(part.to_owned());
        self
    }

    /// Requests carrying this header (`x-amz-copy-source` tells CopyObject from
    /// PutObject).
    pub fn with_header(mut self, name: &str) -> Requests {
        self.with_header.push(name.to_ascii_lowercase());
        self
    }

    /// Requests without this header.
    pub fn without_header(mut self, name: &str) -> Requests {
        self.without_header.push(name.to_ascii_lowercase());
        self
    }

    fn matches(&self, request: &RequestHead) -> bool {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        self.method.as_ref().is_none_or(|m| *m == request.method)
            && self.path.as_ref().is_none_or(|p| path.contains(p.as_str()))
            && self
                .query
                .as_ref()
                .is_none_or(|q| query.contains(q.as_str()))
            && self.with_header.iter().all(|h| request.header(h).is_some())
            && self
                .without_header
                .iter()
                .all(|h| request.header(h).is_none())
    }
}

/// A scheduled fault: `fault` on the requests of `requests` that `schedule` picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub requests: Requests,
    pub schedule: Schedule,
    pub fault: Fault,
}

/// A rule's handle, for its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleId(usize);

#[derive(Debug)]
struct Scheduled {
    rule: Rule,
    matched: u64,
    fired: u64,
}

/// What the proxy has seen: the rules with their counts, and totals.
#[derive(Debug, Default)]
struct Ledger {
    rules: Vec<Scheduled>,
    requests: u64,
    faults: u64,
    /// `METHOD target -> fault`, one line per fault injected, for failure messages.
    log: Vec<String>,
}

impl Ledger {
    /// Counts `request` against every rule it matches and returns the fault of the first
    /// rule due (a later rule due on the same request misses its turn).
    fn decide(&mut self, request: &RequestHead) -> Option<Fault> {
        self.requests += 1;
        let mut chosen = None;
        for scheduled in &mut self.rules {
            if !scheduled.rule.requests.matches(request) {
                continue;
            }
            scheduled.matched += 1;
            if chosen.is_none() && scheduled.rule.schedule.due(scheduled.matched) {
                scheduled.fired += 1;
                chosen = Some(scheduled.rule.fault);
            }
        }
        if let Some(fault) = chosen {
            self.faults += 1;
            self.log.push(format!(
                "{} {} -> {fault:?}",
                request.method, request.target
            ));
        }
        chosen
    }
}

#[derive(Debug, Default)]
struct Shared {
    ledger: Mutex<Ledger>,
    stopping: AtomicBool,
    /// Open client connections by number, shut down when the proxy stops so their
    /// threads end. A connection leaves as its thread ends: a clone kept here would keep
    /// the socket open, and a cut connection must really close.
    clients: Mutex<HashMap<u64, TcpStream>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running proxy, stopped when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`http://HOST:PORT`,
    /// as [`crate::Moto::endpoint`] gives it).
    pub fn start(upstream: &str) -> io::Result<FaultProxy> {
        let upstream = upstream_addr(upstream)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        let acceptor = std::thread::Builder::new()
            .name("fault-proxy".to_owned())
            .spawn(move || accept(&listener, upstream, &accepting))?;
        Ok(FaultProxy {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url` or an SDK client.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Schedules `rule` from the next request on.
    pub fn inject(&self, rule: Rule) -> RuleId {
        let mut ledger = lock(&self.shared.ledger);
        ledger.rules.push(Scheduled {
            rule,
            matched: 0,
            fired: 0,
        });
        RuleId(ledger.rules.len() - 1)
    }

    /// Schedules `fault` on the Nth request of `requests`.
    pub fn nth(&self, n: u64, requests: Requests, fault: Fault) -> RuleId {
        self.inject(Rule {
            requests,
            schedule: Schedule::Nth(n),
            fault,
        })
    }

    /// Counts the requests of `requests` without failing any (see [`FaultProxy::matched`]).
    pub fn watch(&self, requests: Requests) -> RuleId {
        self.nth(0, requests, Fault::InternalError)
    }

    /// Stops injecting faults (counts are kept; rule handles stay valid).
    pub fn clear(&self) {
        let mut ledger = lock(&self.shared.ledger);
        for scheduled in &mut ledger.rules {
            scheduled.rule.schedule = Schedule::Nth(0);
        }
    }

    /// How many requests `rule` has seen.
    pub fn matched(&self, rule: RuleId) -> u64 {
        lock(&self.shared.ledger)
            .rules
            .get(rule.0)
            .map_or(0, |s| s.matched)
    }

    /// How many faults `rule` has injected.
    pub fn fired(&self, rule: RuleId) -> u64 {
        lock(&self.shared.ledger)
            .rules
            .get(rule.0)
            .map_or(0, |s| s.fired)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        lock(&self.shared.ledger).requests
    }

    /// Faults injected so far, all rules together.
    pub fn faults(&self) -> u64 {
        lock(&self.shared.ledger).faults
    }

    /// One line per fault injected (`METHOD target -> fault`): no bodies, no headers.
    pub fn log(&self) -> Vec<String> {
        lock(&self.shared.ledger).log.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for (_, client) in lock(&self.shared.clients).drain() {
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

fn upstream_addr(endpoint: &str) -> io::Result<SocketAddr> {
    let authority = endpoint
        .strip_prefix("http://")
        .unwrap_or(endpoint)
        .trim_end_matches('/');
    authority
        .parse()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{endpoint}: {e}")))
}

fn accept(listener: &TcpListener, upstream: SocketAddr, shared: &Arc<Shared>) {
    for (number, stream) in (0u64..).zip(listener.incoming()) {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.clients).insert(number, clone);
        }
        let shared = Arc::clone(shared);
        let _ = std::thread::Builder::new()
            .name("fault-proxy-conn".to_owned())
            .spawn(move || {
                // A connection's failure ends that connection only; the client sees it
                // as the peer going away, which is all a real server would show.
                let _ = serve(stream, upstream, &shared);
                lock(&shared.clients).remove(&number);
            });
    }
}

/// A request or response head: the first line and the headers, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    first: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    fn content_length(&self) -> io::Result<Option<usize>> {
        self.header("content-length")
            .map(|v| {
                v.parse()
                    .map_err(|_| invalid(format!("content-length {v:?}")))
            })
            .transpose()
    }

    fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }

    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "{}\r\n", self.first)?;
        for (name, value) in &self.headers {
            write!(out, "{name}: {value}\r\n")?;
        }
        out.write_all(b"\r\n")
    }
}

/// A request's head with its method and target taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RequestHead {
    method: String,
    target: String,
    head: Head,
}

impl RequestHead {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Reads a head, or `None` at a clean end of stream before its first byte.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return if lines.is_empty() {
                Ok(None)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream inside a head",
                ))
            };
        }
        total += n;
        if total > MAX_HEAD {
            return Err(invalid("head too long".to_owned()));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue; // Stray CRLF between messages, which RFC 9112 allows.
            }
            break;
        }
        lines.push(line);
    }
    let mut lines = lines.into_iter();
    let first = lines.next().unwrap_or_default();
    let headers = lines
        .map(|line| match line.split_once(':') {
            Some((name, value)) => Ok((name.trim().to_owned(), value.trim().to_owned())),
            None => Err(invalid(format!("header line {line:?}"))),
        })
        .collect::<io::Result<_>>()?;
    Ok(Some(Head { first, headers }))
}

/// Reads a chunked body, returning its raw bytes (sizes, data, trailers) when `raw`,
/// else the decoded data.
fn read_chunked(reader: &mut impl BufRead, raw: bool) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut size_line = String::new();
        if reader.read_line(&mut size_line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "end of stream inside a chunked body",
            ));
        }
        let digits = size_line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(digits, 16)
            .map_err(|_| invalid(format!("chunk size {size_line:?}")))?;
        if raw {
            out.extend_from_slice(size_line.as_bytes());
        }
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "end of stream inside trailers",
                    ));
                }
                if raw {
                    out.extend_from_slice(line.as_bytes());
                }
                if line.trim().is_empty() {
                    return Ok(out);
                }
            }
        }
        let mut chunk = vec![0; size + 2]; // data and its CRLF
        reader.read_exact(&mut chunk)?;
        if raw {
            out.extend_from_slice(&chunk);
        } else {
            out.extend_from_slice(&chunk[..size]);
        }
    }
}

fn read_exactly(reader: &mut impl Read, len: usize) -> io::Result<Vec<u8>> {
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(body)
}

/// Reads the next request; answers `Expect: 100-continue` itself (and drops the header,
/// so moto does not answer it too). The body is kept as sent (chunked stays chunked).
fn read_request(
    reader: &mut impl BufRead,
    client: &mut impl Write,
) -> io::Result<Option<(RequestHead, Vec<u8>)>> {
    let Some(mut head) = read_head(reader)? else {
        return Ok(None);
    };
    let mut parts = head.first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_ascii_uppercase();
    let target = parts.next().unwrap_or_default().to_owned();
    let expects_continue = head
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    if expects_continue {
        head.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("expect"));
        client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        client.flush()?;
    }
    let body = if head.chunked() {
        read_chunked(reader, true)?
    } else {
        read_exactly(reader, head.content_length()?.unwrap_or(0))?
    };
    Ok(Some((
        RequestHead {
            method,
            target,
            head,
        },
        body,
    )))
}

/// A response read whole, its body decoded from chunks; `Content-Length` describes the
/// body (except for HEAD, whose headers are kept as moto sent them).
#[derive(Debug)]
struct Response {
    head: Head,
    body: Vec<u8>,
    /// Moto closes the connection after this response.
    upstream_closes: bool,
}

fn status_of(head: &Head) -> u16 {
    head.first
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn read_response(reader: &mut impl BufRead, to_head: bool) -> io::Result<Response> {
    let mut head = loop {
        let head = read_head(reader)?.ok_or_else(|| {
            io::Error::new(io::ErrorKind::UnexpectedEof, "moto closed the connection")
        })?;
        // Interim answers (100 Continue): the final one follows.
        if !(100..200).contains(&status_of(&head)) {
            break head;
        }
    };
    let status = status_of(&head);
    let mut upstream_closes = head.wants_close() || head.first.starts_with("HTTP/1.0");
    let body = if to_head || status == 204 || status == 304 {
        Vec::new()
    } else if head.chunked() {
        read_chunked(reader, false)?
    } else if let Some(len) = head.content_length()? {
        read_exactly(reader, len)?
    } else {
        upstream_closes = true;
        let mut body = Vec::new();
        reader.read_to_end(&mut body)?;
        body
    };
    head.headers.retain(|(name, _)| {
        !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive")
    });
    if !to_head {
        head.headers.retain(|(name, _)| {
            !name.eq_ignore_ascii_case("transfer-encoding")
                && !name.eq_ignore_ascii_case("content-length")
        });
        head.headers
            .push(("Content-Length".to_owned(), body.len().to_string()));
    }
    Ok(Response {
        head,
        body,
        upstream_closes,
    })
}

/// S3's error answer: status, XML body naming `code`.
fn s3_error(status: &str, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>FAULTPROXY</RequestId>\
         <HostId>faultproxy</HostId></Error>"
    );
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
         x-amz-request-id: FAULTPROXY\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn internal_error() -> Vec<u8> {
    s3_error(
        "500 Internal Server Error",
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

fn slow_down() -> Vec<u8> {
    s3_error(
        "503 Slow Down",
        "SlowDown",
        "Please reduce your request rate.",
    )
}

/// Makes the socket's close send RST instead of FIN (SO_LINGER with a zero timeout).
fn reset_on_close(stream: &TcpStream) -> io::Result<()> {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let len = libc::socklen_t::try_from(std::mem::size_of::<libc::linger>())
        .map_err(|_| invalid("linger size".to_owned()))?;
    // SAFETY: the descriptor is open for the lifetime of `stream`, and `linger` is a
    // valid `struct linger` of the length given.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::from_ref(&linger).cast(),
            len,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Where a cut body stops: at most `after` bytes and always short of the whole.
fn cut_at(len: usize, after: usize) -> usize {
    after.min(len.saturating_sub(1))
}

/// A connection to moto, made when the first request needs it and again after moto
/// closes one.
struct Upstream {
    addr: SocketAddr,
    conn: Option<(BufReader<TcpStream>, TcpStream)>,
}

impl Upstream {
    fn exchange(&mut self, request: &RequestHead, body: &[u8]) -> io::Result<Response> {
        let reused = self.conn.is_some();
        match self.exchange_once(request, body) {
            // moto closed a kept-alive connection while it was idle, before the request
            // reached it: once more on a fresh connection, so that the proxy never
            // fails a request of its own accord.
            Err(error) if reused && closed_by_peer(&error) => self.exchange_once(request, body),
            answered => answered,
        }
    }

    /// One request and its answer; a failure drops the connection.
    fn exchange_once(&mut self, request: &RequestHead, body: &[u8]) -> io::Result<Response> {
        let answered = self.send_and_read(request, body);
        if answered.as_ref().map_or(true, |r| r.upstream_closes) {
            self.conn = None;
        }
        answered
    }

    fn send_and_read(&mut self, request: &RequestHead, body: &[u8]) -> io::Result<Response> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.addr)?;
            stream.set_read_timeout(Some(IO_TIMEOUT))?;
            stream.set_write_timeout(Some(IO_TIMEOUT))?;
            self.conn = Some((BufReader::new(stream.try_clone()?), stream));
        }
        let Some((reader, writer)) = self.conn.as_mut() else {
            return Err(io::Error::other("no connection to moto"));
        };
        let mut out = Vec::with_capacity(body.len() + 1024);
        request.head.write_to(&mut out)?;
        out.extend_from_slice(body);
        writer.write_all(&out)?;
        writer.flush()?;
        read_response(reader, request.method == "HEAD")
    }
}

fn closed_by_peer(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

/// What to do with the client connection after an answer.
enum After {
    KeepAlive,
    Close,
}

fn serve(client: TcpStream, upstream: SocketAddr, shared: &Shared) -> io::Result<()> {
    client.set_read_timeout(Some(IO_TIMEOUT))?;
    client.set_write_timeout(Some(IO_TIMEOUT))?;
    client.set_nodelay(true)?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    let mut upstream = Upstream {
        addr: upstream,
        conn: None,
    };
    while let Some((request, body)) = read_request(&mut reader, &mut writer)? {
        if shared.stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let fault = lock(&shared.ledger).decide(&request);
        let after = match fault {
            Some(Fault::InternalError) => send(&mut writer, &internal_error())?,
            Some(Fault::SlowDown) => send(&mut writer, &slow_down())?,
            _ => {
                let response = upstream.exchange(&request, &body)?;
                answer(&mut writer, &response, fault)?
            }
        };
        if matches!(after, After::Close) || request.head.wants_close() {
            return Ok(());
        }
    }
    Ok(())
}

fn send(writer: &mut TcpStream, bytes: &[u8]) -> io::Result<After> {
    writer.write_all(bytes)?;
    writer.flush()?;
    Ok(After::KeepAlive)
}

/// Passes moto's `response` on, as `fault` says.
fn answer(writer: &mut TcpStream, response: &Response, fault: Option<Fault>) -> io::Result<After> {
    let mut head = Vec::new();
    response.head.write_to(&mut head)?;
    let body = &response.body;
    match fault {
        None | Some(Fault::InternalError | Fault::SlowDown) => {
            head.extend_from_slice(body);
            send(writer, &head)
        }
        Some(Fault::LostResponse) => send(writer, &internal_error()),
        Some(Fault::ResetBody { after } | Fault::CloseBody { after }) => {
            writer.write_all(&head)?;
            writer.write_all(&body[..cut_at(body.len(), after)])?;
            writer.flush()?;
            if matches!(fault, Some(Fault::ResetBody { .. })) {
                reset_on_close(writer)?;
            } else {
                writer.shutdown(Shutdown::Write)?;
            }
            Ok(After::Close)
        }
        Some(Fault::Delay { before, during }) => {
            // The proxy's own pacing, which the test only waits out.
            std::thread::sleep(before);
            let half = body.len() / 2;
            head.extend_from_slice(&body[..half]);
            writer.write_all(&head)?;
            writer.flush()?;
            std::thread::sleep(during);
            send(writer, &body[half..])
        }
    }
}

#[cfg(test)]
mod tests;
