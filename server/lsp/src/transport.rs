//! A tolerant stdio transport in front of tower-lsp-server.
//!
//! tower-lsp-server's own reader stops after the first malformed frame (tokio-util's `FramedRead` ends the
//! stream after a decoder error). Here the input bytes are framed and validated first: a frame that is not a
//! well-formed JSON-RPC 2.0 message is answered with a `-32700` parse error (or `-32600` invalid request) and
//! skipped, and only well-formed messages reach the service, re-framed, through an in-memory pipe. Output
//! frames of the service and our error replies are merged by one writer task, whole frame by whole frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::log::{log_debug, log_warn};

/// Bodies larger than this are refused (and skipped) instead of buffered.
const MAX_BODY: usize = 256 * 1024 * 1024;
/// A header block longer than this is garbage.
const MAX_HEADER: usize = 8 * 1024;
const HEADER_NAME: &[u8] = b"content-length";

/// What the framer found in the input.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A well-formed JSON-RPC message (its body bytes, unchanged).
    Message(Vec<u8>),
    /// A malformed frame: the error response to send.
    Error(Value),
}

/// Incremental framer over a byte buffer. Pure (no I/O) so it can be tested and fuzzed directly.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub fn new() -> Framer {
        Framer::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if self.buf.is_empty() {
                return None;
            }
            // Skip blank lines between messages (some clients send a trailing "\r\n").
            let lead = self
                .buf
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
                .count();
            if lead > 0 {
                self.buf.drain(..lead);
                continue;
            }
            let Some(header_end) = find(&self.buf, b"\r\n\r\n") else {
                if self.buf.len() > MAX_HEADER {
                    return Some(self.garbage(1));
                }
                // A header can only start with a letter; anything else is garbage we can report now
                // if a later header start is already visible.
                if !self.buf[0].is_ascii_alphabetic() {
                    if let Some(at) = find_ci(&self.buf[1..], HEADER_NAME) {
                        return Some(self.garbage(at + 1));
                    }
                }
                return None;
            };
            let headers = &self.buf[..header_end];
            match parse_content_length(headers) {
                Ok(len) => {
                    let body_start = header_end + 4;
                    if len > MAX_BODY {
                        self.buf.drain(..body_start);
                        self.resync();
                        return Some(Frame::Error(error_response(
                            Value::Null,
                            -32700,
                            "Parse error: Content-Length too large",
                        )));
                    }
                    // A header of the *next* message inside the body means this Content-Length was wrong
                    // (too long): the body ends there. Raw "\r\n" cannot occur inside a JSON string, so
                    // "Content-Length: <digits>\r\n" cannot be part of a well-formed body.
                    let avail_end = (body_start + len).min(self.buf.len());
                    if let Some(at) = find_embedded_header(&self.buf[body_start..avail_end]) {
                        self.buf.drain(..body_start + at);
                        return Some(Frame::Error(error_response(
                            Value::Null,
                            -32700,
                            "Parse error: message shorter than its Content-Length",
                        )));
                    }
                    if self.buf.len() < body_start + len {
                        return None;
                    }
                    let body: Vec<u8> = self.buf[body_start..body_start + len].to_vec();
                    let error = match validate(&body) {
                        Ok(()) => {
                            self.buf.drain(..body_start + len);
                            return Some(Frame::Message(body));
                        }
                        Err(e) => e,
                    };
                    // A bad body may be a Content-Length too long by a few bytes: the next message's
                    // header then starts inside it (and continues after it).
                    let mut cut = len;
                    for p in 0..len {
                        match header_at(&self.buf[body_start + p..]) {
                            Header::Found => {
                                cut = p;
                                break;
                            }
                            // cannot tell yet: wait for the bytes that decide
                            Header::Partial => return None,
                            Header::No => {}
                        }
                    }
                    self.buf.drain(..body_start + cut);
                    return Some(Frame::Error(error));
                }
                Err(at) => {
                    // No usable Content-Length: report, and skip to the next header start after `at`.
                    return Some(self.garbage(at.max(1)));
                }
            }
        }
    }

    /// Drops at least `at` bytes of garbage (up to the next "Content-Length") and reports one parse error.
    fn garbage(&mut self, at: usize) -> Frame {
        let at = at.min(self.buf.len());
        let next = find_ci(&self.buf[at..], HEADER_NAME)
            .map(|p| p + at)
            .unwrap_or(self.buf.len().saturating_sub(HEADER_NAME.len()).max(at));
        self.buf.drain(..next);
        Frame::Error(error_response(
            Value::Null,
            -32700,
            "Parse error: malformed message header",
        ))
    }

    /// After a refused frame: drop bytes up to the next header start.
    fn resync(&mut self) {
        let next = find_ci(&self.buf, HEADER_NAME).unwrap_or(self.buf.len());
        self.buf.drain(..next);
    }

    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

/// `Ok(length)`, or `Err(offset)` from which to look for the next header.
fn parse_content_length(headers: &[u8]) -> Result<usize, usize> {
    let mut len = None;
    let mut offset = 0;
    for line in headers.split(|&b| b == b'\n') {
        let line_len = line.len() + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(offset + line_len.min(headers.len() - offset));
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
            // e.g. `…garbage}Content-Length: 12`: the header starts later on this line
            return Err(find_ci(line, HEADER_NAME).unwrap_or(line.len()) + offset);
        }
        if name.eq_ignore_ascii_case(HEADER_NAME) {
            let v = std::str::from_utf8(value).map_err(|_| offset + line_len)?;
            match v.trim().parse::<usize>() {
                Ok(n) => len = Some(n),
                Err(_) => return Err(offset + line_len),
            }
        }
        offset += line_len;
    }
    len.ok_or(headers.len())
}

enum Header {
    /// `Content-Length:<spaces><digits>\r\n` starts here.
    Found,
    /// The bytes so far could be the start of one.
    Partial,
    No,
}

fn header_at(bytes: &[u8]) -> Header {
    let n = bytes.len().min(HEADER_NAME.len());
    if !bytes[..n].eq_ignore_ascii_case(&HEADER_NAME[..n]) {
        return Header::No;
    }
    let Some(rest) = bytes.get(HEADER_NAME.len()..).filter(|r| !r.is_empty()) else {
        return Header::Partial;
    };
    if rest[0] != b':' {
        return Header::No;
    }
    let mut i = 1;
    while matches!(rest.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let digits = rest[i.min(rest.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let after = &rest[(i + digits).min(rest.len())..];
    if after.is_empty() {
        return Header::Partial;
    }
    if digits == 0 {
        return Header::No;
    }
    match after {
        [b'\r'] => Header::Partial,
        [b'\r', b'\n', ..] => Header::Found,
        _ => Header::No,
    }
}

/// Position of a complete `Content-Length:<spaces><digits>\r\n` (a misplaced header) in `body`.
/// Raw "\r\n" cannot occur inside a JSON string, so this is never part of a well-formed body.
fn find_embedded_header(body: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = find_ci(&body[from..], HEADER_NAME) {
        let at = from + rel;
        if matches!(header_at(&body[at..]), Header::Found) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn valid_id(v: &Value) -> bool {
    v.is_i64() || v.is_string() || v.is_null()
}

/// Checks that a body is one well-formed JSON-RPC 2.0 request, notification or response, in the shapes
/// tower-lsp-server can decode (integer or string ids).
pub fn validate(body: &[u8]) -> Result<(), Value> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| error_response(Value::Null, -32700, "Parse error: invalid JSON"))?;
    let Some(obj) = v.as_object() else {
        return Err(error_response(
            Value::Null,
            -32600,
            "Invalid Request: not a JSON-RPC object (batches are not supported)",
        ));
    };
    let id = obj.get("id");
    let reply_id = id.filter(|i| valid_id(i)).cloned().unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(error_response(
            reply_id,
            -32600,
            "Invalid Request: jsonrpc must be \"2.0\"",
        ));
    }
    if let Some(id) = id {
        if !valid_id(id) {
            return Err(error_response(
                Value::Null,
                -32600,
                "Invalid Request: id must be an integer or a string",
            ));
        }
    }
    match obj.get("method") {
        Some(Value::String(_)) => {
            if let Some(p) = obj.get("params") {
                if !(p.is_object() || p.is_array() || p.is_null()) {
                    return Err(error_response(
                        reply_id,
                        -32600,
                        "Invalid Request: params must be an object or an array",
                    ));
                }
            }
            Ok(())
        }
        Some(_) => Err(error_response(
            reply_id,
            -32600,
            "Invalid Request: method must be a string",
        )),
        None => {
            // a response to one of our requests
            let ok = id.is_some()
                && match (obj.get("result"), obj.get("error")) {
                    (Some(_), None) => true,
                    (None, Some(e)) => {
                        e.get("code").is_some_and(Value::is_i64)
                            && e.get("message").is_some_and(Value::is_string)
                    }
                    _ => false,
                };
            if ok {
                Ok(())
            } else {
                Err(error_response(
                    reply_id,
                    -32600,
                    "Invalid Request: neither a request nor a response",
                ))
            }
        }
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Whether the message is the `exit` notification.
fn is_exit(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("method").and_then(Value::as_str).map(|m| m == "exit"))
        .unwrap_or(false)
}

/// Serves LSP over `input`/`output` until `exit` or end of input. Returns the exit code: 0 after
/// `shutdown` + `exit` or end of input, 1 for `exit` without `shutdown`.
pub async fn serve<I, O>(input: I, output: O) -> i32
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) = crate::server::build_service();
    let shutdown_seen = service.inner().shutdown_flag();
    let exit_seen = Arc::new(AtomicBool::new(false));

    let (to_service, service_in) = tokio::io::duplex(64 * 1024);
    let (service_out, from_service) = tokio::io::duplex(64 * 1024);
    let (err_tx, err_rx) = mpsc::unbounded_channel::<Vec<u8>>();

    let reader = tokio::spawn(read_loop(input, to_service, err_tx, exit_seen.clone()));
    let writer = tokio::spawn(write_loop(from_service, err_rx, output));

    tower_lsp_server::Server::new(service_in, service_out, socket)
        .serve(service)
        .await;

    reader.abort();
    // let the writer flush what the service wrote last (the shutdown reply, final diagnostics)
    let _ = tokio::time::timeout(Duration::from_millis(500), writer).await;
    if exit_seen.load(Ordering::SeqCst) && !shutdown_seen.load(Ordering::SeqCst) {
        1
    } else {
        0
    }
}

async fn read_loop<I: AsyncRead + Unpin>(
    mut input: I,
    mut to_service: tokio::io::DuplexStream,
    err_tx: mpsc::UnboundedSender<Vec<u8>>,
    exit_seen: Arc<AtomicBool>,
) {
    let mut framer = Framer::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        while let Some(f) = framer.next_frame() {
            match f {
                Frame::Message(body) => {
                    let exit = is_exit(&body);
                    if exit {
                        // before the service can see it: serve() may return as soon as it does
                        exit_seen.store(true, Ordering::SeqCst);
                    }
                    if to_service.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                    if exit {
                        // the service stops reading after `exit`; so do we
                        let _ = to_service.shutdown().await;
                        return;
                    }
                }
                Frame::Error(resp) => {
                    log_warn!(
                        "malformed message from the client: {}",
                        resp["error"]["message"]
                    );
                    let body = serde_json::to_vec(&resp).unwrap_or_default();
                    if err_tx.send(frame(&body)).is_err() {
                        return;
                    }
                }
            }
        }
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                log_debug!(
                    "end of input ({} bytes of an incomplete message dropped)",
                    framer.buffered()
                );
                // EOF: closing the pipe ends the service's read loop, and so the server
                let _ = to_service.shutdown().await;
                return;
            }
            Ok(n) => framer.push(&chunk[..n]),
        }
    }
}

async fn write_loop<O: AsyncWrite + Unpin>(
    mut from_service: tokio::io::DuplexStream,
    mut err_rx: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: O,
) {
    // The service writes whole, well-formed frames; re-frame them so error replies never split one.
    let mut framer = Framer::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut errors_open = true;
    loop {
        tokio::select! {
            read = from_service.read(&mut chunk) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        framer.push(&chunk[..n]);
                        while let Some(f) = framer.next_frame() {
                            let body = match f {
                                Frame::Message(b) => b,
                                Frame::Error(e) => serde_json::to_vec(&e).unwrap_or_default(),
                            };
                            if output.write_all(&frame(&body)).await.is_err() {
                                return;
                            }
                        }
                        if output.flush().await.is_err() {
                            return;
                        }
                    }
                }
            }
            err = err_rx.recv(), if errors_open => {
                match err {
                    Some(bytes) => {
                        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                            return;
                        }
                    }
                    None => errors_open = false,
                }
            }
        }
    }
    while let Ok(bytes) = err_rx.try_recv() {
        let _ = output.write_all(&bytes).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    fn drain(f: &mut Framer) -> Vec<Frame> {
        std::iter::from_fn(|| f.next_frame()).collect()
    }

    fn code(f: &Frame) -> Option<i64> {
        match f {
            Frame::Error(v) => v["error"]["code"].as_i64(),
            Frame::Message(_) => None,
        }
    }

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn frames_split_anywhere() {
        let bytes = [msg(OK), msg(OK)].concat();
        for split in 0..bytes.len() {
            let mut f = Framer::new();
            f.push(&bytes[..split]);
            let mut out = drain(&mut f);
            f.push(&bytes[split..]);
            out.extend(drain(&mut f));
            assert_eq!(
                out,
                vec![
                    Frame::Message(OK.as_bytes().to_vec()),
                    Frame::Message(OK.as_bytes().to_vec())
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn malformed_json_is_a_parse_error_and_framing_continues() {
        let mut f = Framer::new();
        f.push(&[msg("{not json"), msg(OK)].concat());
        let out = drain(&mut f);
        assert_eq!(out.len(), 2);
        assert_eq!(code(&out[0]), Some(-32700));
        assert_eq!(out[1], Frame::Message(OK.as_bytes().to_vec()));
    }

    #[test]
    fn content_length_too_short_then_recovers() {
        let mut bytes = format!("Content-Length: {}\r\n\r\n{OK}", OK.len() - 5).into_bytes();
        bytes.extend(msg(OK));
        let mut f = Framer::new();
        f.push(&bytes);
        let out = drain(&mut f);
        assert!(out
            .iter()
            .all(|x| code(x) == Some(-32700) || matches!(x, Frame::Message(_))));
        assert_eq!(out.last(), Some(&Frame::Message(OK.as_bytes().to_vec())));
        assert!(out.len() >= 2, "{out:?}");
    }

    #[test]
    fn content_length_too_long_then_recovers_without_waiting() {
        let mut bytes = format!("Content-Length: {}\r\n\r\n{OK}", OK.len() + 500).into_bytes();
        bytes.extend(msg(OK));
        let mut f = Framer::new();
        f.push(&bytes);
        let out = drain(&mut f);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(code(&out[0]), Some(-32700));
        assert_eq!(out[1], Frame::Message(OK.as_bytes().to_vec()));
    }

    #[test]
    fn content_length_too_long_by_a_few_bytes() {
        // the next header's first bytes fall inside the body (found by the property test)
        for extra in 1..20 {
            let mut bytes =
                format!("Content-Length: {}\r\n\r\n{OK}", OK.len() + extra).into_bytes();
            bytes.extend(msg(OK));
            for split in [0, bytes.len() / 2, bytes.len() - 3] {
                let mut f = Framer::new();
                f.push(&bytes[..split]);
                let mut out = drain(&mut f);
                f.push(&bytes[split..]);
                out.extend(drain(&mut f));
                assert_eq!(out.len(), 2, "extra {extra}, split {split}: {out:?}");
                assert_eq!(code(&out[0]), Some(-32700));
                assert_eq!(out[1], Frame::Message(OK.as_bytes().to_vec()));
            }
        }
    }

    #[test]
    fn header_without_length_and_plain_garbage() {
        let mut f = Framer::new();
        f.push(b"Content-Type: x\r\n\r\n");
        f.push(b"\x00\xffgarbage garbage\r\n\r\n");
        f.push(&msg(OK));
        let out = drain(&mut f);
        assert!(out.len() >= 2, "{out:?}");
        assert!(out[..out.len() - 1].iter().all(|x| code(x) == Some(-32700)));
        assert_eq!(out.last(), Some(&Frame::Message(OK.as_bytes().to_vec())));
    }

    #[test]
    fn lowercase_header_and_extra_headers_accepted() {
        let mut f = Framer::new();
        let body = OK;
        f.push(
            format!(
                "content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        assert_eq!(drain(&mut f), vec![Frame::Message(OK.as_bytes().to_vec())]);
    }

    #[test]
    fn body_with_header_text_inside_a_string_is_not_split() {
        let body =
            r#"{"jsonrpc":"2.0","method":"x","params":{"t":"Content-Length: 12\r\n\r\n{}"}}"#;
        let mut f = Framer::new();
        let bytes = msg(body);
        // feed byte by byte: the partial-body check must not cut it
        let mut out = Vec::new();
        for b in &bytes {
            f.push(&[*b]);
            out.extend(drain(&mut f));
        }
        assert_eq!(out, vec![Frame::Message(body.as_bytes().to_vec())]);
    }

    #[test]
    fn validation() {
        assert!(validate(OK.as_bytes()).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","id":"a","result":null}"#).is_ok());
        let bad = [
            &br#"[]"#[..],
            br#"{"jsonrpc":"1.0","id":1,"method":"x"}"#,
            br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":3}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#,
            br#"{"jsonrpc":"2.0","id":1}"#,
            br#"{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}"#,
        ];
        for b in bad {
            let e = validate(b).unwrap_err();
            assert_eq!(e["error"]["code"], -32600, "{}", String::from_utf8_lossy(b));
        }
        let e = validate(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":3}"#).unwrap_err();
        assert_eq!(e["id"], 7);
        assert_eq!(validate(b"").unwrap_err()["error"]["code"], -32700);
    }

    #[test]
    fn huge_content_length_is_refused() {
        let mut f = Framer::new();
        f.push(format!("Content-Length: {}\r\n\r\n", usize::MAX).as_bytes());
        f.push(&msg(OK));
        let out = drain(&mut f);
        assert_eq!(code(&out[0]), Some(-32700));
        assert_eq!(out.last(), Some(&Frame::Message(OK.as_bytes().to_vec())));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    fn run(chunks: &[Vec<u8>]) -> Vec<Frame> {
        let mut f = Framer::new();
        let mut out = Vec::new();
        for c in chunks {
            f.push(c);
            while let Some(x) = f.next_frame() {
                out.push(x);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Arbitrary bytes in arbitrary chunks: no panic, no endless loop, nothing but whole frames out: each
        /// message is valid and a slice of the input, each error a JSON-RPC error response, and every frame
        /// consumes input.
        #[test]
        fn arbitrary_input_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16)) {
            let input = chunks.concat();
            let out = run(&chunks);
            prop_assert!(out.len() <= input.len(), "{} frames from {} bytes", out.len(), input.len());
            for frame in &out {
                match frame {
                    Frame::Message(body) => {
                        prop_assert!(validate(body).is_ok(), "{:?}", body);
                        prop_assert!(input.windows(body.len().max(1)).any(|w| w == &body[..]), "{:?}", body);
                    }
                    Frame::Error(e) => {
                        prop_assert_eq!(&e["jsonrpc"], "2.0", "{}", e);
                        prop_assert!(e["error"]["code"].is_i64(), "{}", e);
                    }
                }
            }
        }

        /// After a frame with a wrong Content-Length (either way) or garbage without a header, the next
        /// well-formed message is still delivered, however the bytes are chunked.
        #[test]
        fn recovers_after_a_bad_frame(delta in -30i64..300, garbage in "[a-z {}\":,]{0,40}", split in 0usize..200) {
            let len = (OK.len() as i64 + delta).max(0) as usize;
            let mut bytes = if delta == 0 {
                format!("{garbage}\r\n\r\n").into_bytes()
            } else {
                format!("Content-Length: {len}\r\n\r\n{OK}").into_bytes()
            };
            bytes.extend(format!("Content-Length: {}\r\n\r\n{OK}", OK.len()).into_bytes());
            let split = split.min(bytes.len());
            let out = run(&[bytes[..split].to_vec(), bytes[split..].to_vec()]);
            prop_assert_eq!(out.last(), Some(&Frame::Message(OK.as_bytes().to_vec())), "{:?}", out);
        }
    }
}
