//! The simulators as a separate process for benchmarks, so a benchmark's
//! own peak memory is the job's and not the simulated TikTok's or
//! NetSuite's (which hold a whole generated catalogue or statement).

use std::io::BufRead;

type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// The `simulators` binary (built next to the benchmark), killed on drop.
pub struct SimProcess {
    child: std::process::Child,
    pub tiktok: String,
    pub netsuite: String,
    /// What the binary reported loading (`--bench-inventory-skus`).
    pub loaded: serde_json::Value,
}

impl SimProcess {
    /// Starts `simulators` with `args` and reads the URLs it prints.
    pub fn start(args: &[&str]) -> Result<Self, BenchError> {
        let exe = std::env::current_exe()?
            .parent()
            .ok_or("no directory for the simulators binary")?
            .join("simulators");
        let mut child = std::process::Command::new(&exe)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "{}: {e} (build it: cargo build --release -p simulators)",
                    exe.display()
                )
            })?;
        let mut line = String::new();
        let out = child.stdout.take().ok_or("simulators: no stdout")?;
        std::io::BufReader::new(out).read_line(&mut line)?;
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("simulators printed {line:?}: {e}"))?;
        let url = |k: &str| {
            v[k].as_str()
                .map(str::to_string)
                .ok_or(format!("no {k} URL"))
        };
        Ok(Self {
            tiktok: url("tiktok")?,
            netsuite: url("netsuite")?,
            loaded: v["loaded"].clone(),
            child,
        })
    }

    /// Points a jobs config's TikTok and NetSuite clients at this process.
    pub fn point(&self, cfg: &mut shared::config::JobsConfig) -> Result<(), BenchError> {
        cfg.tiktok.api_base_url = self.tiktok.clone();
        cfg.tiktok.auth_base_url = self.tiktok.clone();
        cfg.netsuite
            .as_mut()
            .ok_or("the local jobs config has no NetSuite")?
            .base_url = Some(self.netsuite.clone());
        Ok(())
    }

    /// The process's peak RSS (VmHWM) so far, in MiB.
    pub fn peak_mib(&self) -> f64 {
        let path = format!("/proc/{}/status", self.child.id());
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|k| k.parse::<f64>().ok())
            })
            .map_or(0.0, |k| k / 1024.0)
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
