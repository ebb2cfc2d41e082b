//! The proxy against a small in-process HTTP server: pass-through, the schedule, each
//! fault, the counts.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use super::*;

/// The body the test server answers GETs with: bytes that differ from offset to offset.
fn object() -> Vec<u8> {
    (0..1000u32).map(|i| (i % 251) as u8).collect()
}

/// An HTTP/1.1 server with keep-alive: GET answers [`object`] (chunked under
/// `/chunked`), HEAD its length, PUT and POST echo the body. Counts the requests it saw.
struct Origin {
    endpoint: String,
    seen: Arc<AtomicU64>,
}

impl Origin {
    fn start() -> Origin {
        Origin::start_closing(false)
    }

    /// With `close`, each connection is closed after one answer, with no warning, as a
    /// server closes an idle kept-alive connection.
    fn start_closing(close: bool) -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    let _ = Origin::serve(stream, &counter, close);
                });
            }
        });
        Origin { endpoint, seen }
    }

    fn serve(stream: TcpStream, seen: &AtomicU64, close: bool) -> io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        loop {
            let Some(head) = read_head(&mut reader)? else {
                return Ok(());
            };
            seen.fetch_add(1, Ordering::SeqCst);
            assert!(
                head.header("expect").is_none(),
                "the proxy answers Expect itself"
            );
            let body = if head.chunked() {
                read_chunked(&mut reader, false)?
            } else {
                read_exactly(&mut reader, head.content_length()?.unwrap_or(0))?
            };
            let method = head.first.split_whitespace().next().unwrap_or_default();
            let chunked = head.first.contains("/chunked");
            let answer = match method {
                "GET" => object(),
                "HEAD" => Vec::new(),
                _ => body,
            };
            if method == "HEAD" {
                write!(writer, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")?;
            } else if chunked {
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                )?;
                for chunk in answer.chunks(300) {
                    write!(writer, "{:x}\r\n", chunk.len())?;
                    writer.write_all(chunk)?;
                    writer.write_all(b"\r\n")?;
                }
                writer.write_all(b"0\r\n\r\n")?;
            } else {
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    answer.len()
                )?;
                writer.write_all(&answer)?;
            }
            writer.flush()?;
            if close {
                return Ok(());
            }
        }
    }

    fn seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }
}

/// One keep-alive client connection to the proxy.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(proxy: &FaultProxy) -> Client {
        let stream = TcpStream::connect(proxy.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        Client {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        }
    }

    fn send(&mut self, method: &str, target: &str, extra: &str, body: &[u8]) {
        write!(
            self.writer,
            "{method} {target} HTTP/1.1\r\nHost: proxy\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        )
        .expect("request");
        self.writer.write_all(body).expect("body");
    }

    fn call(&mut self, method: &str, target: &str) -> io::Result<(u16, Vec<u8>)> {
        self.send(method, target, "", b"");
        let response = read_response(&mut self.reader, method == "HEAD")?;
        Ok((status_of(&response.head), response.body))
    }
}

fn proxy(origin: &Origin) -> FaultProxy {
    FaultProxy::start(&origin.endpoint).expect("proxy starts")
}

#[test]
fn forwards_requests_on_one_connection_unchanged() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let mut client = Client::connect(&proxy);
    assert_eq!(client.call("GET", "/b/k").expect("get"), (200, object()));
    assert_eq!(
        client.call("HEAD", "/b/k").expect("head"),
        (200, Vec::new())
    );
    client.send("PUT", "/b/k", "", b"hello");
    let response = read_response(&mut client.reader, false).expect("put");
    assert_eq!(response.body, b"hello");
    assert_eq!(
        client.call("GET", "/chunked/k").expect("chunked").1,
        object(),
        "a chunked answer is passed on whole"
    );
    assert_eq!(proxy.requests(), 4);
    assert_eq!(origin.seen(), 4);
    assert_eq!(proxy.faults(), 0);
}

#[test]
fn a_connection_the_origin_closed_while_idle_is_made_again() {
    let origin = Origin::start_closing(true);
    let proxy = proxy(&origin);
    let mut client = Client::connect(&proxy);
    for _ in 0..3 {
        assert_eq!(client.call("GET", "/b/k").expect("get"), (200, object()));
    }
    assert_eq!(origin.seen(), 3);
    assert_eq!(proxy.faults(), 0);
}

#[test]
fn chunked_and_expect_continue_request_bodies_reach_the_origin() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let mut client = Client::connect(&proxy);
    write!(
        client.writer,
        "PUT /b/k HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    .expect("chunked request");
    let response = read_response(&mut client.reader, false).expect("answer");
    assert_eq!(response.body, b"hello world");

    client.send("PUT", "/b/k", "Expect: 100-continue\r\n", b"later");
    let continued = read_head(&mut client.reader)
        .expect("interim")
        .expect("a head");
    assert_eq!(status_of(&continued), 100);
    let response = read_response(&mut client.reader, false).expect("answer");
    assert_eq!(response.body, b"later");
    assert_eq!(origin.seen(), 2);
}

#[test]
fn the_nth_matching_request_fails_and_only_it() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.nth(2, Requests::any().method("GET"), Fault::InternalError);
    let mut client = Client::connect(&proxy);
    assert_eq!(client.call("GET", "/b/1").expect("1st").0, 200);
    assert_eq!(client.call("HEAD", "/b/1").expect("head").0, 200);
    let (status, body) = client.call("GET", "/b/2").expect("2nd");
    assert_eq!(status, 500);
    let body = String::from_utf8(body).expect("XML");
    assert!(body.contains("<Code>InternalError</Code>"), "{body}");
    assert_eq!(client.call("GET", "/b/3").expect("3rd").0, 200);
    assert_eq!((proxy.matched(rule), proxy.fired(rule)), (3, 1));
    assert_eq!(
        origin.seen(),
        3,
        "the failed request never reached the origin"
    );
    assert_eq!(proxy.log(), ["GET /b/2 -> InternalError"]);
}

#[test]
fn every_kth_request_is_throttled() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.inject(Rule {
        requests: Requests::any().path_contains("/b/"),
        schedule: Schedule::Every(3),
        fault: Fault::SlowDown,
    });
    let mut client = Client::connect(&proxy);
    let statuses: Vec<u16> = (0..7)
        .map(|i| client.call("GET", &format!("/b/{i}")).expect("get").0)
        .collect();
    assert_eq!(statuses, [200, 200, 503, 200, 200, 503, 200]);
    assert_eq!(proxy.fired(rule), 2);
    assert_eq!(proxy.faults(), 2);
}

#[test]
fn matching_looks_at_query_and_headers() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let tagging = proxy.nth(
        1,
        Requests::any().query_contains("tagging"),
        Fault::SlowDown,
    );
    let copies = proxy.nth(
        1,
        Requests::any()
            .method("PUT")
            .with_header("x-amz-copy-source"),
        Fault::InternalError,
    );
    let plain_gets = proxy.nth(
        1,
        Requests::any().method("GET").without_header("range"),
        Fault::InternalError,
    );
    let mut client = Client::connect(&proxy);
    client.send("GET", "/b/k", "Range: bytes=1-\r\n", b"");
    assert_eq!(
        status_of(
            &read_response(&mut client.reader, false)
                .expect("ranged")
                .head
        ),
        200
    );
    assert_eq!(client.call("GET", "/b/k?tagging").expect("tagging").0, 503);
    client.send("PUT", "/b/k", "", b"x");
    assert_eq!(
        status_of(&read_response(&mut client.reader, false).expect("put").head),
        200
    );
    client.send("PUT", "/b/k2", "x-amz-copy-source: b/k\r\n", b"");
    assert_eq!(
        status_of(&read_response(&mut client.reader, false).expect("copy").head),
        500
    );
    assert_eq!(proxy.fired(tagging), 1);
    assert_eq!(proxy.fired(copies), 1);
    assert_eq!(
        proxy.fired(plain_gets),
        0,
        "its first match was the tagging GET, which the earlier rule failed"
    );
    assert_eq!(proxy.matched(plain_gets), 1);
}

#[test]
fn a_lost_response_reached_the_origin() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.nth(1, Requests::any().method("PUT"), Fault::LostResponse);
    let mut client = Client::connect(&proxy);
    client.send("PUT", "/b/k", "", b"x");
    let response = read_response(&mut client.reader, false).expect("answer");
    assert_eq!(status_of(&response.head), 500);
    assert_eq!(origin.seen(), 1);
    assert_eq!(proxy.fired(rule), 1);
}

#[test]
fn a_reset_body_arrives_short_and_ends_in_an_error() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.nth(1, Requests::any(), Fault::ResetBody { after: 100 });
    let mut client = Client::connect(&proxy);
    client.send("GET", "/b/k", "", b"");
    let head = read_head(&mut client.reader)
        .expect("head")
        .expect("a head");
    assert_eq!(head.content_length().expect("length"), Some(1000));
    let mut got = Vec::new();
    let error = client
        .reader
        .read_to_end(&mut got)
        .expect_err("a reset is an error, not an end of stream");
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
    assert_eq!(got, &object()[..100]);
    assert_eq!(proxy.fired(rule), 1);
}

#[test]
fn a_closed_body_arrives_short() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.nth(1, Requests::any(), Fault::CloseBody { after: 5000 });
    let mut client = Client::connect(&proxy);
    client.send("GET", "/b/k", "", b"");
    let head = read_head(&mut client.reader)
        .expect("head")
        .expect("a head");
    assert_eq!(head.content_length().expect("length"), Some(1000));
    let mut got = Vec::new();
    client.reader.read_to_end(&mut got).expect("a clean close");
    assert_eq!(got.len(), 999, "always short of the whole body");
    assert_eq!(proxy.fired(rule), 1);
    // The proxy still serves new connections.
    assert_eq!(
        Client::connect(&proxy).call("GET", "/b/k").expect("get").1,
        object()
    );
}

#[test]
fn a_delayed_answer_comes_whole_and_late() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let pause = Duration::from_millis(150);
    let rule = proxy.nth(
        1,
        Requests::any(),
        Fault::Delay {
            before: pause,
            during: pause,
        },
    );
    let mut client = Client::connect(&proxy);
    let started = Instant::now();
    assert_eq!(client.call("GET", "/b/k").expect("get"), (200, object()));
    assert!(started.elapsed() >= pause * 2, "{:?}", started.elapsed());
    assert_eq!(proxy.fired(rule), 1);
}

#[test]
fn cleared_rules_fire_no_more() {
    let origin = Origin::start();
    let proxy = proxy(&origin);
    let rule = proxy.inject(Rule {
        requests: Requests::any(),
        schedule: Schedule::Every(1),
        fault: Fault::InternalError,
    });
    let mut client = Client::connect(&proxy);
    assert_eq!(client.call("GET", "/b/k").expect("get").0, 500);
    proxy.clear();
    assert_eq!(client.call("GET", "/b/k").expect("get").0, 200);
    assert_eq!((proxy.matched(rule), proxy.fired(rule)), (2, 1));
}

#[test]
fn endpoints_parse() {
    assert_eq!(
        upstream_addr("http://127.0.0.1:5000/").expect("parses"),
        "127.0.0.1:5000".parse().expect("addr")
    );
    assert!(upstream_addr("http://localhost:5000").is_err());
    assert_eq!(cut_at(1000, 100), 100);
    assert_eq!(cut_at(1000, 5000), 999);
    assert_eq!(cut_at(0, 5), 0);
}
