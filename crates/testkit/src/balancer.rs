//! nginx as the load balancer in front of several nodes, as a deployment would put it: a
//! request (a WebSocket's upgrade included) that a node refuses with 503 — it is changing the
//! node it forwards to — or that
//! finds no one listening goes to the next node.

use std::process::{Child, Command, Stdio};

use crate::ServerAddress;

pub struct Balancer {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Balancer {
    /// nginx on a free loopback port, in front of `upstreams` (`host:port` each).
    pub fn start(upstreams: &[&str]) -> Balancer {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let servers: String = upstreams
            .iter()
            .map(|upstream| format!("server {upstream} max_fails=0;\n"))
            .collect();
        let path = dir.path().display();
        let config = format!(
            r#"
daemon off;
master_process off;
pid {path}/nginx.pid;
error_log {path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {path}/body;
    proxy_temp_path {path}/proxy;
    fastcgi_temp_path {path}/fastcgi;
    uwsgi_temp_path {path}/uwsgi;
    scgi_temp_path {path}/scgi;
    upstream switchboard {{
        {servers}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' close;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://switchboard;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
            # A node answering 503 (changing the node it forwards to) acted on nothing.
            proxy_next_upstream error timeout http_503 non_idempotent;
        }}
    }}
}}
"#
        );
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, config).unwrap();
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&file)
            .arg("-p")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx runs (cargo xtask setup installs it)");
        let address = format!("127.0.0.1:{port}");
        // Ready once it accepts connections.
        let deadline = std::time::Instant::now() + crate::PATIENCE;
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(std::time::Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Balancer {
            child,
            address,
            _dir: dir,
        }
    }
}

impl ServerAddress for Balancer {
    fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
