//! A compressing reverse proxy for the benchmark: what a CDN (Cloudflare in front of the
//! Worker) or a web server (nginx in front of Isso) does in production. The local servers
//! send everything uncompressed, which on an emulated slow link would time bytes no reader
//! ever downloads. Browsers ask for gzip over plain HTTP (brotli only over HTTPS), so gzip
//! it is, for every text-like answer, exactly as both products are deployed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

use crate::Result;

/// Headers that belong to one connection, not to the message.
const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "accept-encoding",
    "host",
];

/// Serve on `port`, forwarding to `upstream` (`http://127.0.0.1:1234`). Returns the
/// proxy's origin.
pub fn start(port: u16, upstream: String) -> Result<(String, JoinHandle<()>)> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("proxy on port {port}: {e}"))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (agent, upstream) = (agent.clone(), upstream.clone());
            std::thread::spawn(move || {
                let _ = serve(stream, &agent, &upstream);
            });
        }
    });
    Ok((format!("http://127.0.0.1:{port}"), handle))
}

fn serve(mut stream: TcpStream, agent: &ureq::Agent, upstream: &str) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 || data.len() > 64 * 1024 {
            return Ok(());
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (first.next().unwrap_or("GET"), first.next().unwrap_or("/"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    let gzip_ok = headers
        .iter()
        .any(|(k, v)| k == "accept-encoding" && v.contains("gzip"));

    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{upstream}{target}"));
    for (k, v) in headers
        .iter()
        .filter(|(k, _)| !HOP_BY_HOP.contains(&k.as_str()))
    {
        request = request.header(k, v);
    }
    let Ok(request) = request.body(body) else {
        return Ok(());
    };
    let mut response = match agent.run(request) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("proxy: {e}");
            let out = format!(
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
                msg.len()
            );
            return stream.write_all(out.as_bytes());
        }
    };
    let status = response.status();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let mut compressible = false;
    for (k, v) in response.headers() {
        let name = k.as_str();
        if HOP_BY_HOP.contains(&name) {
            continue;
        }
        let value = v.to_str().unwrap_or("");
        if name == "content-type" {
            compressible = ["text/", "javascript", "json", "wasm", "svg", "xml"]
                .iter()
                .any(|t| value.contains(t));
        }
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    let mut payload = response
        .body_mut()
        .with_config()
        .limit(100 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    if gzip_ok && compressible && !payload.is_empty() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&payload)?;
        payload = gz.finish()?;
        out.push_str("content-encoding: gzip\r\nvary: Accept-Encoding\r\n");
    }
    if status.as_u16() != 304 {
        out.push_str(&format!("content-length: {}\r\n", payload.len()));
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&payload);
    stream.write_all(&bytes)
}
