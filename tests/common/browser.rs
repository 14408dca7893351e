//! Headless Chromium driven over WebDriver, for end-to-end tests that click through the
//! real pages as a person would.
//!
//! Each `WebBrowser` starts its own chromedriver on a free loopback port and gives Chromium
//! a new profile in a temporary directory. Chromedriver runs as the leader of its own
//! process group, which also contains the Chromium processes it starts. Dropping the
//! `WebBrowser`, also while a test panics, kills that whole group, so no browser outlives
//! its test.

use std::{
    fs::File,
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Debian's Chromium (package `chromium`), installed by `scripts/install-browser.sh`.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver (package `chromium-driver`), installed by `scripts/install-browser.sh`.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Maximum time chromedriver may take to report ready on `/status` after it is spawned.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
/// Maximum time a page may take to show an element or reach an expected address.
const PAGE_TIMEOUT: Duration = Duration::from_secs(15);
/// Interval between two checks while waiting for chromedriver or for a page.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Chromium switches for a headless run as root on a machine without network access.
/// The background-networking, component-update and sync switches stop Chromium from
/// calling Google's servers, which a closed network refuses. `--no-proxy-server` keeps
/// requests to the application on 127.0.0.1 direct even when a proxy is configured.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--window-size=1280,900",
];

/// A headless Chromium session pointed at one running application.
pub struct WebBrowser {
    base: String,
    client: Client,
    driver: DriverProcess,
    _workdir: tempfile::TempDir,
}

impl WebBrowser {
    /// Starts chromedriver and a headless Chromium session for the application at `base`
    /// (such as `http://127.0.0.1:41234`).
    ///
    /// Panics when Chromium or chromedriver is not installed, so that a machine without
    /// them fails the browser tests instead of skipping them.
    pub async fn start(base: &str) -> WebBrowser {
        for (binary, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(binary).exists(),
                "{binary} not found (Debian package {package}): run `bash scripts/install-browser.sh` \
                 to install Chromium and ChromeDriver, then run the browser tests again"
            );
        }

        let workdir = tempfile::tempdir().expect("create a temporary directory for Chromium");
        let profile = workdir.path().join("profile");
        let mut driver = DriverProcess::spawn(workdir.path());
        driver.wait_until_ready().await;

        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|arg| arg.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("the capabilities literal is a JSON object");
        };

        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "starting a Chromium session through chromedriver failed: {error}\n\
                     chromedriver log:\n{}",
                    driver.log()
                )
            });

        WebBrowser {
            base: base.trim_end_matches('/').to_owned(),
            client,
            driver,
            _workdir: workdir,
        }
    }

    /// Opens `path` of the application and waits until the page has loaded.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|error| panic!("opening {url} failed: {error}"));
    }

    /// Returns the path and query of the page shown now, such as `/login?next=%2F`.
    pub async fn path(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .expect("read the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the browser shows `expected` (path and query), for example after a
    /// form submission that redirects.
    pub async fn wait_for_path(&self, expected: &str) {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let current = self.path().await;
            if current == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the browser did not reach {expected} within {PAGE_TIMEOUT:?}; it shows {current}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until an element matches the CSS `selector` and returns it.
    pub async fn find(&self, selector: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PAGE_TIMEOUT)
            .every(POLL_INTERVAL)
            .for_element(Locator::Css(selector))
            .await
        {
            Ok(element) => element,
            Err(error) => panic!(
                "no element matches `{selector}` on {} within {PAGE_TIMEOUT:?}: {error}",
                self.path().await
            ),
        }
    }

    /// Returns whether an element matches `selector` on the page shown now, without waiting.
    pub async fn exists(&self, selector: &str) -> bool {
        let found = self
            .client
            .find_all(Locator::Css(selector))
            .await
            .unwrap_or_else(|error| panic!("searching for `{selector}` failed: {error}"));
        !found.is_empty()
    }

    /// Replaces the value of the input that matches `selector` by typing `value` into it.
    pub async fn fill(&self, selector: &str, value: &str) {
        let input = self.find(selector).await;
        input
            .clear()
            .await
            .unwrap_or_else(|error| panic!("clearing `{selector}` failed: {error}"));
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|error| panic!("typing into `{selector}` failed: {error}"));
    }

    /// Chooses the option with `value` in the select element that matches `selector`.
    pub async fn select(&self, selector: &str, value: &str) {
        self.find(selector)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choosing `{value}` in `{selector}` failed: {error}"));
    }

    /// Forgets every cookie, so that the next page is seen as by a new visitor.
    pub async fn forget_cookies(&self) {
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
    }

    /// Clicks the element that matches `selector`.
    pub async fn click(&self, selector: &str) {
        self.find(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("clicking `{selector}` failed: {error}"));
    }

    /// Returns the visible text of the element that matches `selector`. A page that is
    /// still being replaced after a navigation can detach the element between finding and
    /// reading it, so a stale element is looked up again until the page timeout.
    pub async fn text(&self, selector: &str) -> String {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            match self.find(selector).await.text().await {
                Ok(text) => return text,
                Err(error)
                    if Instant::now() < deadline && error.to_string().contains("stale element") =>
                {
                    tokio::time::sleep(POLL_INTERVAL).await;
                }
                Err(error) => panic!("reading the text of `{selector}` failed: {error}"),
            }
        }
    }

    /// Returns the HTML source of the page shown now.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("read the page source")
    }

    /// Saves a PNG screenshot of the browser window to `path`, creating its folder.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("take a screenshot");
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .unwrap_or_else(|error| panic!("creating {} failed: {error}", folder.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|error| panic!("writing {} failed: {error}", path.display()));
    }

    /// Ends the WebDriver session, which closes Chromium, then stops chromedriver.
    pub async fn close(self) {
        if let Err(error) = self.client.close().await {
            panic!(
                "closing the Chromium session failed: {error}\nchromedriver log:\n{}",
                self.driver.log()
            );
        }
    }
}

/// Returns where a test keeps the screenshot called `name`:
/// `target/tmp/screenshots/NAME.png`, which survives the test run for a person to look at.
pub fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("screenshots")
        .join(format!("{name}.png"))
}

/// A running chromedriver, killed together with its Chromium processes on drop.
struct DriverProcess {
    child: Child,
    port: u16,
    log_path: PathBuf,
}

impl DriverProcess {
    /// Spawns chromedriver on a free port, logging to `chromedriver.log` in `workdir`.
    fn spawn(workdir: &Path) -> DriverProcess {
        let port = free_loopback_port();
        let log_path = workdir.join("chromedriver.log");
        let log = File::create(&log_path).expect("create the chromedriver log file");
        let log_for_stderr = log.try_clone().expect("duplicate the log file handle");

        // Chromedriver accepts connections from the loopback addresses only, because it
        // is started without --allowed-ips.
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {CHROMEDRIVER} failed: {error}"));

        DriverProcess {
            child,
            port,
            log_path,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_else(|error| {
            format!("(log {} unreadable: {error})", self.log_path.display())
        })
    }

    /// Polls `/status` until chromedriver reports that it is ready for a new session.
    async fn wait_until_ready(&mut self) {
        let status_url = format!("{}/status", self.url());
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("build the HTTP client for chromedriver");
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;

        loop {
            if let Some(exit) = self
                .child
                .try_wait()
                .expect("check the chromedriver process")
            {
                panic!(
                    "chromedriver exited with {exit} before it was ready on port {}; its log:\n{}",
                    self.port,
                    self.log()
                );
            }

            let ready = match http.get(&status_url).send().await {
                Ok(response) => response
                    .json::<serde_json::Value>()
                    .await
                    .is_ok_and(|status| status["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return;
            }

            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on port {} within {DRIVER_START_TIMEOUT:?}; its log:\n{}",
                self.port,
                self.log()
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = libc::pid_t::try_from(self.child.id()).expect("process ids fit in pid_t");
        // SAFETY: kill(2) only sends a signal. The negative id names the process group that
        // chromedriver leads (it was spawned with process_group(0)). Its id cannot belong to
        // anyone else yet, because chromedriver is not reaped until the wait() below.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Returns a port that was free on 127.0.0.1 a moment ago. Another process could take it
/// before chromedriver binds it, in which case chromedriver exits and `wait_until_ready`
/// reports its log.
fn free_loopback_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
    listener
        .local_addr()
        .expect("read the bound address")
        .port()
}
