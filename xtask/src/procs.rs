//! Running commands and background services, and always stopping the services again.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// Run a command to completion; a non-zero exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// Run a command and capture its standard output (stderr passes through).
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", describe(cmd), out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Counts from cargo test's `test result:` lines, summed over every test binary.
#[derive(Default, Clone)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    /// Tests that failed and then passed when run again on their own (named in the total).
    pub flaky: Vec<String>,
    /// The names of the tests that failed in the last [`run_tests`].
    pub last_failures: Vec<String>,
}

/// Run `cargo test …`, passing its output through while counting results, so the suite
/// can close with one total line.
pub fn run_tests(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    use std::io::{BufRead, BufReader};
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    tally.last_failures.clear();
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        println!("{line}");
        if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
        {
            tally.last_failures.push(name.to_owned());
        }
        if let Some(rest) = line.strip_prefix("test result: ") {
            tally.passed += count_before(rest, " passed");
            tally.failed += count_before(rest, " failed");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// In `ok. 14 passed; 0 failed; …`, the number just before `label`.
pub(crate) fn count_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| {
            text[..end]
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A background service. In its own process group (tests), dropping it stops the whole
/// group, so wrangler's workerd child does not outlive a failed run. In the terminal's group
/// (`dev`), Ctrl-C reaches it directly.
pub struct Service {
    name: String,
    child: Child,
    own_group: bool,
}

impl Service {
    pub fn spawn(name: &str, cmd: &mut Command, own_group: bool) -> Result<Self> {
        if own_group {
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Service {
            name: name.to_owned(),
            child,
            own_group,
        })
    }

    /// Fail early with a clear message if the service died while we wait for it.
    pub fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(format!("{} exited early ({status})", self.name)),
            _ => Ok(()),
        }
    }

    pub fn wait(&mut self) -> Result<()> {
        self.child.wait().map(|_| ()).map_err(|e| e.to_string())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if !self.own_group {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return;
        }
        let pgid = self.child.id().to_string();
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &format!("-{pgid}")])
                .stderr(Stdio::null())
                .status();
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago. Tests use fresh ports so parallel runs never collide.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Poll `url` until it answers 200, the service dies, or `timeout` passes.
pub fn wait_for_http(service: &mut Service, url: &str, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        service.check_alive()?;
        if http_get_ok(url) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(format!(
        "{url} did not answer within {}s",
        timeout.as_secs()
    ))
}

/// A minimal HTTP/1.1 GET over std: enough to check that a local server is up.
fn http_get_ok(url: &str) -> bool {
    use std::io::{Read, Write};
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok()
        && (head.starts_with(b"HTTP/1.1 200") || head.starts_with(b"HTTP/1.0 200"))
}
