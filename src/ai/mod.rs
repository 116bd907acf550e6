//! An AI-written summary of a run, as tfnotify v1's `ai_summary:` adds to its comment.
//!
//! Opt-in (`ai_summary.enabled`, `--summary`, `TFNOTIFY_AI_SUMMARY`), and never in the way:
//! the call runs on a thread of its own as soon as the output is parsed, bounded by a
//! timeout that covers its retries, and whatever goes wrong (no key, an error status, a
//! timeout, an empty answer) costs the summary only: one warning on stderr, the message as
//! it would be without one, the exit code unchanged. What the model is told is masked and
//! bounded ([`prompt`]); what it answers is untrusted text, cut and made inert
//! ([`answer`]), and it only ever fills `.AISummary`: the headline, labels, guard and exit
//! code come from the parse result alone.
//!
//! This stage uses the render stage (the prompt is a template over the message context)
//! and the notify stage's HTTP client (retries, masking of what is sent, redaction of
//! errors), and is used only by `run`.

pub mod answer;
pub mod prompt;
pub mod provider;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::config::AiSummary;
use crate::config::SecretString;
use crate::mask::Masker;
use crate::model::{Command, Report};
use crate::notify::http::{Http, HttpConfig};
use crate::render::{Extras, Message};

pub use provider::Provider;

/// How long a call may take when `ai_summary.timeout` does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// tfnotify v1's default answer length, in tokens.
pub const DEFAULT_MAX_TOKENS: u32 = 500;

/// The switches of one run besides the config: `--summary` and its companions (each also
/// read from its `TFNOTIFY_AI_*` variable by the command line parser).
#[derive(Debug, Default, Clone, Copy)]
pub struct Switches<'a> {
    /// `--summary`: on even when the config says nothing.
    pub on: bool,
    /// `--summary-provider`, over `ai_summary.provider`.
    pub provider: Option<&'a str>,
    /// `--summary-model`, over `ai_summary.model`.
    pub model: Option<&'a str>,
    /// `--summary-template`: a file holding the prompt template.
    pub template_file: Option<&'a Path>,
}

/// A summary ready to be asked for: provider, model, prompt template, address and key.
#[derive(Debug)]
pub struct Summariser {
    /// Who is asked; `config check` names it.
    pub provider: Provider,
    /// The model asked, as the provider names it.
    pub model: String,
    /// The longest answer asked for, in tokens: what bounds the cost of the answer.
    pub max_tokens: u32,
    /// Where prompts go: the one address plans leave the machine for.
    pub base: String,
    key: Option<SecretString>,
    /// The variables the key may come from, for the warning when it is missing.
    key_vars: &'static [&'static str],
    /// How long the call may take, retries included.
    pub timeout: Duration,
    template: Message,
}

/// A call on its way: its answer, or why there is none.
#[derive(Debug)]
pub struct Pending {
    answer: mpsc::Receiver<Result<String, String>>,
    timeout: Duration,
}

impl Summariser {
    /// The summariser the config and switches ask for: `Ok(None)` when the summary is off,
    /// `Err` with the reason when it is on but cannot work (an unknown provider, `devin`,
    /// a prompt template that cannot be read or parsed, no address to call). A missing
    /// key is not an error here (see [`Summariser::missing_key`]), so `config check` can
    /// check the rest.
    pub fn resolve(
        config: &AiSummary,
        switches: &Switches<'_>,
        command: Command,
        env: &dyn Fn(&str) -> Option<String>,
        cwd: &Path,
    ) -> Result<Option<Summariser>, String> {
        if !(config.enabled || switches.on) {
            return Ok(None);
        }
        let nonempty = |s: &str| !s.trim().is_empty();
        let name = switches
            .provider
            .filter(|s| nonempty(s))
            .or(Some(config.provider.as_str()).filter(|s| nonempty(s)))
            .unwrap_or("litellm");
        let provider = Provider::from_name(name).ok_or_else(|| {
            format!(
                "`ai_summary.provider` is `{name}`, which is not a provider; use {}",
                Provider::NAMES
            )
        })?;
        if let Some(reason) = provider.refusal() {
            return Err(reason.to_owned());
        }
        let var = |name: &str| env(name).filter(|v| nonempty(v));
        let base = Some(config.base_url.trim().to_owned())
            .filter(|b| !b.is_empty())
            .or_else(|| var(provider.base_var()))
            .or_else(|| provider.default_base().map(str::to_owned))
            .ok_or_else(|| {
                format!(
                    "`{}` needs the address of the proxy: set `ai_summary.base_url` or `{}`",
                    provider.as_str(),
                    provider.base_var()
                )
            })?;
        let model = switches
            .model
            .filter(|s| nonempty(s))
            .or(Some(config.model.as_str()).filter(|s| nonempty(s)))
            .unwrap_or(provider.default_model())
            .trim()
            .to_owned();
        let text = match (switches.template_file, config.template_file.trim()) {
            (Some(path), _) => read(&cwd.join(path))?,
            (None, file) if !file.is_empty() => read(&cwd.join(file))?,
            (None, _) if nonempty(&config.template) => config.template.clone(),
            (None, _) => prompt::DEFAULT_PROMPT.to_owned(),
        };
        let template = prompt::parse(&text, command)?;
        let key = provider
            .key_vars()
            .iter()
            .find_map(|name| var(name))
            .map(SecretString::new);
        let custom_base = provider.default_base() != Some(base.as_str());
        let key_vars = if provider.key_optional(custom_base) {
            &[]
        } else {
            provider.key_vars()
        };
        Ok(Some(Summariser {
            provider,
            model,
            max_tokens: config.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS).max(1),
            base,
            key,
            key_vars,
            timeout: config.timeout.map_or(DEFAULT_TIMEOUT, |s| {
                Duration::from_secs(u64::from(s.max(1)))
            }),
            template,
        }))
    }

    /// Why the call cannot be made for want of a key, if so.
    pub fn missing_key(&self) -> Option<String> {
        if self.key.is_some() || self.key_vars.is_empty() {
            return None;
        }
        let names: Vec<String> = self.key_vars.iter().map(|n| format!("`{n}`")).collect();
        Some(format!("{} is not set", names.join(" or ")))
    }

    /// The key, for the run's masks: it must never appear in a message or a log.
    pub fn secrets(&self) -> Vec<String> {
        self.key
            .iter()
            .map(|k| k.expose().to_owned())
            .filter(|k| !k.is_empty())
            .collect()
    }

    /// The prompt for `report`, masked by `masker` and bounded.
    pub fn prompt(
        &self,
        report: &Report,
        extras: &Extras<'_>,
        masker: &Masker,
    ) -> Result<String, String> {
        prompt::render(&self.template, report, extras, masker)
    }

    /// Starts the call on a thread of its own; `http` is the run's client tuning and masks,
    /// with this call's timeout as its attempt timeout and its whole time budget.
    pub fn start(&self, prompt: String, http: &HttpConfig) -> Pending {
        let (send, answer) = mpsc::channel();
        let config = HttpConfig {
            timeout: self.timeout,
            budget: self.timeout,
            max_total_wait: self.timeout.min(http.max_total_wait),
            secrets: self.secrets(),
            ..http.clone()
        };
        let provider = self.provider;
        let (base, model, max_tokens) = (self.base.clone(), self.model.clone(), self.max_tokens);
        let key = self.key.clone();
        std::thread::spawn(move || {
            let http = Http::new(config);
            let call = provider::Call {
                base: &base,
                model: &model,
                max_tokens,
                prompt: &prompt,
                key: key.as_ref().map(SecretString::expose),
            };
            let result = ask(&http, provider, &call);
            let _ = send.send(result);
        });
        Pending {
            answer,
            timeout: self.timeout,
        }
    }
}

impl Pending {
    /// The answer, made inert, or why there is none. Waits at most a little past the
    /// call's own timeout, which the client already enforces.
    pub fn wait(self) -> Result<String, String> {
        match self
            .answer
            .recv_timeout(self.timeout + Duration::from_secs(2))
        {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "the model did not answer within {} s",
                self.timeout.as_secs()
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err("the call stopped without an answer (an internal error)".to_owned())
            }
        }
    }
}

/// Sends the call and reads the answer.
fn ask(http: &Http, provider: Provider, call: &provider::Call<'_>) -> Result<String, String> {
    let request = provider
        .request(call)
        .map_err(|e| format!("the request could not be built: {e}"))?;
    let body: serde_json::Value = http.send_json(&request).map_err(|e| e.to_string())?;
    let text = provider
        .answer(&body)
        .ok_or_else(|| format!("`{}` answered without any text", provider.as_str()))?;
    answer::inert(&text).ok_or_else(|| format!("`{}` answered without any text", provider.as_str()))
}

/// A prompt template file.
fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "the prompt template `{}` cannot be read: {e}",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::{Provider, Summariser, Switches};
    use crate::config::AiSummary;
    use crate::model::Command;

    fn resolve(config: &AiSummary, vars: &[(&str, &str)]) -> Result<Option<Summariser>, String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let env = move |name: &str| vars.get(name).cloned();
        Summariser::resolve(
            config,
            &Switches::default(),
            Command::Plan,
            &env,
            Path::new("/"),
        )
    }

    fn on(provider: &str) -> AiSummary {
        AiSummary {
            enabled: true,
            provider: provider.to_owned(),
            ..AiSummary::default()
        }
    }

    #[test]
    fn off_unless_asked_for() {
        assert!(resolve(&AiSummary::default(), &[]).expect("fine").is_none());
    }

    #[test]
    fn the_base_url_comes_from_the_config_then_the_environment_then_the_default() {
        let openai = resolve(&on("openai"), &[]).expect("fine").expect("on");
        assert_eq!(openai.base, "https://api.openai.com/v1");
        assert_eq!(
            openai.missing_key().as_deref(),
            Some("`OPENAI_API_KEY` is not set")
        );
        let local = resolve(
            &on("openai"),
            &[("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")],
        )
        .expect("fine")
        .expect("on");
        assert_eq!(local.base, "http://127.0.0.1:11434/v1");
        assert_eq!(
            local.missing_key(),
            None,
            "a server of one's own may take no key"
        );
        let mut pinned = on("openai");
        pinned.base_url = "http://proxy.internal/v1".to_owned();
        let pinned = resolve(&pinned, &[("OPENAI_BASE_URL", "http://elsewhere/v1")])
            .expect("fine")
            .expect("on");
        assert_eq!(pinned.base, "http://proxy.internal/v1");
    }

    #[test]
    fn what_cannot_work_says_why() {
        let litellm = resolve(&on(""), &[]).expect_err("no proxy address");
        assert!(litellm.contains("`LITELLM_BASE_URL`"), "{litellm}");
        let devin = resolve(&on("devin"), &[]).expect_err("refused");
        assert!(devin.starts_with("`devin` is not supported"), "{devin}");
        let unknown = resolve(&on("bard"), &[]).expect_err("unknown");
        assert!(unknown.contains("`bard`"), "{unknown}");
        let mut broken = on("anthropic");
        broken.template = "{{.Result".to_owned();
        let broken = resolve(&broken, &[]).expect_err("does not parse");
        assert!(
            broken.starts_with("the prompt template does not parse"),
            "{broken}"
        );
        let claude = resolve(&on("anthropic"), &[("ANTHROPIC_API_KEY", "k")])
            .expect("fine")
            .expect("on");
        assert_eq!(claude.provider, Provider::Anthropic);
        assert_eq!(claude.secrets(), vec!["k".to_owned()]);
        assert_eq!(claude.max_tokens, 500);
    }
}
