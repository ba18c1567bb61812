//! A second site beside the main deployment's own, made by the operator for one test:
//! its id, its owner's console key, the origin its pages come from, and a [`Deployment`]
//! that reaches it through `/s/<site>/` — so every fixture (posting, pages, counts,
//! form tokens) works on it unchanged.

use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::sites::{NewSite, SiteEntry, SiteKey, SiteRef};

use crate::console::Console;
use crate::fixtures::Deployment;
use crate::http::random_u64;

pub struct TestSite {
    pub id: String,
    /// The site owner's console key.
    pub key: String,
    /// `http://<id>.localhost:<demo port>`: Chromium takes `*.localhost` to this machine,
    /// so the demo page serves this site's pages from an origin of its own.
    pub origin: String,
    /// The site through its address: `api` is `<worker>/s/<id>`, `demo` its origin.
    pub deployment: Deployment,
}

impl TestSite {
    /// A new site of `main` (the operator makes it and gives its owner a key).
    pub fn new(main: &Deployment, label: &str) -> TestSite {
        let id = format!("{label}-{:x}", random_u64() & 0xff_ffff_ffff);
        let port = main.demo.rsplit(':').next().expect("the demo's port");
        let origin = format!("http://{id}.localhost:{port}");
        let operator = Console::login(main);
        let made: SiteEntry = operator
            .post(
                AdminOp::CreateSite,
                &NewSite {
                    id: id.clone(),
                    name: format!("Site {label}"),
                    origins: vec![origin.clone()],
                },
            )
            .expect(201);
        assert_eq!(made.id, id);
        let key: SiteKey = operator
            .post(AdminOp::SiteKey, &SiteRef { site: id.clone() })
            .expect(200);
        TestSite {
            deployment: Deployment {
                spec: main.spec,
                api: format!("{}/s/{id}", main.api),
                demo: origin.clone(),
            },
            id,
            key: key.key,
            origin,
        }
    }

    /// Its owner's console (logged in with the site's own key).
    pub fn console(&self, main: &Deployment) -> Console {
        let (reply, console) = Console::login_to(main, &self.id, &self.key);
        console.unwrap_or_else(|| panic!("site login failed: {}", reply.text))
    }
}
